#include "devices/pci/piix3.h"

namespace sandpc {

namespace {
struct RegisterDefault {
    uint8_t offset;
    uint8_t size;
    uint32_t value;
    uint32_t writable;
};
// 82371SB datasheet, PCI-to-ISA bridge configuration registers.
constexpr RegisterDefault kIsaRegisters[] = {
    {0x4C, 1, 0x4D, 0xFF},              // IORT
    {0x4E, 2, 0x0003, 0x07FF},          // XBCS
    {0x60, 4, 0x80808080, 0x8F8F8F8F},  // PIRQRC A-D
    {0x69, 1, 0x02, 0xFF},              // TOM
    {0x6A, 2, 0x0000, 0xFFFF},          // MSTAT
    {0x70, 2, 0x8080, 0xEFEF},          // MBIRQ0/1
    {0x76, 2, 0x0404, 0x8787},          // MBDMA0/1
    {0x78, 2, 0x0002, 0xFFFF},          // PCSC
    {0x80, 1, 0x00, 0x7F},              // APICBASE
    {0x82, 1, 0x00, 0x0F},              // DLC
    {0xA0, 1, 0x08, 0xFF},              // SMICNTL
    {0xA2, 2, 0x0000, 0xFFFF},          // SMIEN
    {0xA4, 4, 0x00000000, 0xFFFFFFFF},  // SEE
    {0xA8, 1, 0x0F, 0xFF},              // FTMR
    {0xAA, 2, 0x0000, 0xFFFF},          // SMIREQ
    {0xAC, 1, 0x00, 0xFF},              // CTLTMR
    {0xAE, 1, 0x00, 0xFF},              // CTHTMR
};

constexpr bool kRoutableIrq[16] = {false, false, false, true, true, true,  true, true,
                                   false, true,  true,  true, true, false, true, true};
}  // namespace

Piix3Isa::Piix3Isa() : PciFunction(0x8086, 0x7000, 0x00, 0x060100, true) {
    set_config16(kCommand, 0x0007);
    set_config16(kStatus, 0x0200);  // medium DEVSEL
    for (const RegisterDefault& r : kIsaRegisters) {
        for (unsigned i = 0; i < r.size; ++i) {
            set_config8(static_cast<uint8_t>(r.offset + i),
                        static_cast<uint8_t>(r.value >> (8 * i)));
        }
        set_writable(r.offset, r.size, r.writable);
    }
}

std::optional<unsigned> Piix3Isa::pirq_irq(unsigned pirq) const {
    if (pirq >= kPirqCount) return std::nullopt;
    uint8_t route = config8(static_cast<uint8_t>(kPirqRoute + pirq));
    unsigned irq = route & 0x0F;
    if ((route & 0x80) || !kRoutableIrq[irq]) return std::nullopt;
    return irq;
}

Piix3Ide::Piix3Ide() : PciFunction(0x8086, 0x7010, 0x00, 0x010180) {
    set_config16(kCommand, 0x0000);
    set_config16(kStatus, 0x0280);
    set_writable(kCommand, 2, kCommandIo | kCommandBusMaster);
    define_bar(kBusMasterBar, kBusMasterSize, PciBarType::kIo);
    set_writable(0x40, 4, 0xF3FFF3FF);  // IDETIM primary / secondary
    set_writable(0x44, 1, 0xFF);        // SIDETIM
}

std::optional<uint16_t> Piix3Ide::bus_master_base() const {
    uint32_t base = bar_address(kBusMasterBar);
    if (!io_enabled() || base == 0 || base > 0xFFFF - (kBusMasterSize - 1)) return std::nullopt;
    return static_cast<uint16_t>(base);
}

}  // namespace sandpc
