// Intel 82371SB (PIIX3) functions 0 and 1.
//
// Piix3Isa, the PCI-to-ISA bridge at 00:01.0: 8086:7000, class 06 01 00,
// multi-function header. PIRQ route control (0x60-0x63, PIRQA#-D#): bit 7
// set = not routed (reset value 0x80), bits 3:0 the ISA IRQ; only IRQ 3-7,
// 9-12, 14 and 15 are valid targets, others leave the PIRQ unrouted. The
// other registers a BIOS programs are present with their reset values and
// no effect here: IORT 0x4C, XBCS 0x4E, TOM 0x69, MSTAT 0x6A, MBIRQ0/1
// 0x70/0x71, MBDMA0/1 0x76/0x77, PCSC 0x78, APICBASE 0x80, DLC 0x82, and the
// SMI block 0xA0-0xAF. (The ELCR at 0x4D0/0x4D1 lives in PicPair.)
//
// Piix3Ide, the IDE function at 00:01.1: 8086:7010, class 01 01 80 (both
// channels at their legacy ports and IRQ 14/15, bus-master capable). BAR4 is
// the 16-byte bus-master I/O block; the ATA side attaches through the change
// callback and maps it while I/O decoding is on. IDETIM 0x40-0x43 (bit 15
// of each enables that channel's decode) and SIDETIM 0x44 are plain storage.
#pragma once

#include <cstdint>
#include <optional>

#include "devices/pci/pci_function.h"

namespace sandpc {

class Piix3Isa : public PciFunction {
  public:
    static constexpr uint8_t kPirqRoute = 0x60;
    static constexpr unsigned kPirqCount = 4;

    Piix3Isa();

    // The ISA IRQ PIRQ<n># (0 = A) is routed to, if any.
    std::optional<unsigned> pirq_irq(unsigned pirq) const;
};

class Piix3Ide : public PciFunction {
  public:
    static constexpr unsigned kBusMasterBar = 4;
    static constexpr uint32_t kBusMasterSize = 16;

    Piix3Ide();

    // The bus-master block's I/O base while the guest has it decoded.
    std::optional<uint16_t> bus_master_base() const;
};

}  // namespace sandpc
