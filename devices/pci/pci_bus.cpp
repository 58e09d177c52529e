#include "devices/pci/pci_bus.h"

#include <stdexcept>
#include <vector>

namespace sandpc {

namespace {
constexpr uint32_t kEnable = 0x80000000;
constexpr uint32_t kAllOnes = 0xFFFFFFFF;

uint32_t ones(unsigned size) {
    return size >= 4 ? kAllOnes : (1u << (8 * size)) - 1;
}
}  // namespace

PciBus::PciBus(IoBus& io) {
    IoPortHandlers address;
    address.read32 = [this](uint16_t) { return address_; };
    address.write32 = [this](uint16_t, uint32_t v) { set_address(v); };
    address_port_ = io.map(kAddressPort, 4, std::move(address));
    IoPortHandlers data;
    data.read8 = [this](uint16_t port) { return static_cast<uint8_t>(data_read(port, 1)); };
    data.read16 = [this](uint16_t port) { return static_cast<uint16_t>(data_read(port, 2)); };
    data.read32 = [this](uint16_t port) { return data_read(port, 4); };
    data.write8 = [this](uint16_t port, uint8_t v) { data_write(port, 1, v); };
    data.write16 = [this](uint16_t port, uint16_t v) { data_write(port, 2, v); };
    data.write32 = [this](uint16_t port, uint32_t v) { data_write(port, 4, v); };
    data_port_ = io.map(kDataPort, 4, std::move(data));
}

void PciBus::attach(unsigned device, unsigned function, PciFunction& fn) {
    if (device >= kDevices || function >= kFunctions) {
        throw std::invalid_argument("PCI: device or function number out of range");
    }
    PciFunction*& slot = slots_[device * kFunctions + function];
    if (slot) throw std::invalid_argument("PCI: slot already taken");
    slot = &fn;
}

PciFunction* PciBus::find(unsigned device, unsigned function) const {
    if (device >= kDevices || function >= kFunctions) return nullptr;
    return slots_[device * kFunctions + function];
}

uint32_t PciBus::config_read(unsigned bus, unsigned device, unsigned function, uint8_t offset,
                             unsigned size) const {
    PciFunction* fn = bus == 0 ? find(device, function) : nullptr;
    return fn ? fn->config_read(offset, size) : ones(size);
}

void PciBus::config_write(unsigned bus, unsigned device, unsigned function, uint8_t offset,
                          unsigned size, uint32_t value) {
    PciFunction* fn = bus == 0 ? find(device, function) : nullptr;
    if (fn) fn->config_write(offset, size, value);
}

uint32_t PciBus::data_read(uint16_t port, unsigned size) const {
    if (!(address_ & kEnable)) return ones(size);
    uint8_t offset = static_cast<uint8_t>((address_ & 0xFC) | (port - kDataPort));
    return config_read((address_ >> 16) & 0xFF, (address_ >> 11) & 0x1F, (address_ >> 8) & 7,
                       offset, size);
}

void PciBus::data_write(uint16_t port, unsigned size, uint32_t value) {
    if (!(address_ & kEnable)) return;
    uint8_t offset = static_cast<uint8_t>((address_ & 0xFC) | (port - kDataPort));
    config_write((address_ >> 16) & 0xFF, (address_ >> 11) & 0x1F, (address_ >> 8) & 7, offset,
                 size, value);
}

void PciBus::save(StateWriter& w) const {
    w.begin_section("pci", 1);
    w.u32(address_);
    uint32_t count = 0;
    for (const PciFunction* fn : slots_) count += fn != nullptr;
    w.u32(count);
    for (size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i]) continue;
        w.u8(static_cast<uint8_t>(i));
        w.bytes(slots_[i]->config_bytes());
    }
    w.end_section();
}

void PciBus::load(StateReader& r) {
    r.begin_section("pci", 1);
    uint32_t address = r.u32();
    uint32_t count = r.u32();
    uint32_t expected = 0;
    for (const PciFunction* fn : slots_) expected += fn != nullptr;
    if (count != expected) throw StateError("state: PCI function count differs");
    std::vector<std::pair<PciFunction*, PciFunction::ConfigBytes>> loaded;
    size_t previous = 0;
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t slot = r.u8();
        PciFunction* fn = slots_[slot];
        if (!fn || (i > 0 && slot <= previous)) {
            throw StateError("state: PCI function set differs from this machine's");
        }
        previous = slot;
        PciFunction::ConfigBytes bytes;
        r.bytes(bytes);
        fn->check_identity(bytes);
        loaded.emplace_back(fn, bytes);
    }
    r.end_section();
    set_address(address);
    for (auto& [fn, bytes] : loaded) fn->restore(bytes);
}

}  // namespace sandpc
