// INT 1Ah AH=B1h: the PCI BIOS 2.1 real-mode services. Like any firmware the
// BIOS finds and configures devices through configuration mechanism #1
// (address port 0xCF8, data window 0xCFC-0xCFF), restoring the address
// register afterwards. The machine has one bus (0). The 32-bit BIOS32
// service directory ("_32_") and the protected-mode entry are not provided.
#include <optional>

#include "bios/bios.h"

namespace sandpc {

namespace {

constexpr uint8_t kSuccessful = 0x00;
constexpr uint8_t kFunctionNotSupported = 0x81;
constexpr uint8_t kBadVendorId = 0x83;
constexpr uint8_t kDeviceNotFound = 0x86;
constexpr uint8_t kBadRegisterNumber = 0x87;
constexpr uint32_t kPciSignature = 0x20494350;  // "PCI " in EDX
constexpr uint8_t kLastBus = 0;
constexpr uint16_t kAddressPort = 0xCF8, kDataPort = 0xCFC;

class ConfigPorts {
  public:
    explicit ConfigPorts(IoBus& io) : io_(io), saved_address_(io.read32(kAddressPort)) {}
    ~ConfigPorts() { io_.write32(kAddressPort, saved_address_); }
    ConfigPorts(const ConfigPorts&) = delete;
    ConfigPorts& operator=(const ConfigPorts&) = delete;

    uint32_t read(uint8_t bus, uint8_t devfn, uint8_t reg, unsigned size) {
        select(bus, devfn, reg);
        return io_.read(uint16_t(kDataPort + (reg & 3)), size);
    }
    void write(uint8_t bus, uint8_t devfn, uint8_t reg, unsigned size, uint32_t value) {
        select(bus, devfn, reg);
        io_.write(uint16_t(kDataPort + (reg & 3)), size, value);
    }

  private:
    void select(uint8_t bus, uint8_t devfn, uint8_t reg) {
        io_.write32(kAddressPort,
                    0x80000000u | uint32_t(bus) << 16 | uint32_t(devfn) << 8 | (reg & 0xFCu));
    }

    IoBus& io_;
    uint32_t saved_address_;
};

// The `index`-th present function (in device, function order) for which
// `match(devfn)` holds, as its devfn.
template <typename Match>
std::optional<uint8_t> find_function(ConfigPorts& cfg, unsigned index, Match match) {
    for (unsigned device = 0; device < 32; ++device) {
        uint8_t first = uint8_t(device << 3);
        if (cfg.read(kLastBus, first, 0x00, 2) == 0xFFFF) continue;
        bool multifunction = cfg.read(kLastBus, first, 0x0E, 1) & 0x80;
        for (unsigned function = 0; function < (multifunction ? 8u : 1u); ++function) {
            uint8_t devfn = uint8_t(first | function);
            if (cfg.read(kLastBus, devfn, 0x00, 2) == 0xFFFF || !match(devfn)) continue;
            if (index-- == 0) return devfn;
        }
    }
    return std::nullopt;
}

struct ConfigAccess {
    uint8_t function;  // AL
    unsigned size;
    bool write;
};
constexpr ConfigAccess kConfigAccesses[] = {
    {0x08, 1, false}, {0x09, 2, false}, {0x0A, 4, false},
    {0x0B, 1, true},  {0x0C, 2, true},  {0x0D, 4, true},
};

}  // namespace

void Bios::pci_bios(BiosCall& c) {
    ConfigPorts cfg(host_.io());
    auto found = [&](std::optional<uint8_t> devfn) {
        if (!devfn) return c.status(kDeviceNotFound);
        c.set_bh(kLastBus);
        c.set_bl(*devfn);
        c.status(kSuccessful);
    };
    switch (c.al()) {
        case 0x01:  // installation check
            c.set_reg32(EDX, kPciSignature);
            c.set_al(0x01);  // configuration mechanism #1, no special cycles
            c.set_bx(0x0210);
            c.set_cl(kLastBus);
            c.status(kSuccessful);
            return;
        case 0x02: {  // find device: CX device, DX vendor, SI index
            uint16_t device = c.cx(), vendor = c.dx();
            if (vendor == 0xFFFF) return c.status(kBadVendorId);
            return found(find_function(cfg, c.si(), [&](uint8_t devfn) {
                return cfg.read(kLastBus, devfn, 0x00, 4) == (uint32_t(device) << 16 | vendor);
            }));
        }
        case 0x03: {  // find class code: ECX bits 23-0 class, subclass, interface
            uint32_t class_code = c.reg32(ECX) & 0xFFFFFF;
            return found(find_function(cfg, c.si(), [&](uint8_t devfn) {
                return cfg.read(kLastBus, devfn, 0x08, 4) >> 8 == class_code;
            }));
        }
        default: break;
    }
    for (const ConfigAccess& a : kConfigAccesses) {
        if (a.function != c.al()) continue;
        uint16_t reg = c.di();
        if (reg > 0xFF || (reg & (a.size - 1))) return c.status(kBadRegisterNumber);
        if (a.write) {
            cfg.write(c.bh(), c.bl(), uint8_t(reg), a.size, c.reg32(ECX));
        } else {
            uint32_t v = cfg.read(c.bh(), c.bl(), uint8_t(reg), a.size);
            if (a.size == 1) c.set_cl(uint8_t(v));
            if (a.size == 2) c.set_cx(uint16_t(v));
            if (a.size == 4) c.set_reg32(ECX, v);
        }
        return c.status(kSuccessful);
    }
    c.status(kFunctionNotSupported);
}

}  // namespace sandpc
