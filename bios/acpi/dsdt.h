// The DSDT: \_S5 (soft off), the processor object \_PR.CPU0 without a
// P_BLK, and the PCI host bridge \_SB.PCI0 (PNP0A03) with the bus, I/O and
// memory windows it forwards. No _PRT (PCI interrupts keep the routing the
// BIOS programmed into the PIIX3 and each function's interrupt line).
#pragma once

#include <cstdint>
#include <vector>

namespace sandpc::acpi {

struct DsdtConfig {
    uint8_t s5_sleep_type = 0;
    // Memory the host bridge forwards to PCI above RAM; none when first > last.
    uint32_t pci_memory_first = 0;
    uint32_t pci_memory_last = 0;
};

std::vector<uint8_t> build_dsdt(const DsdtConfig& config);

}  // namespace sandpc::acpi
