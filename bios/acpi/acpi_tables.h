// The ACPI 2.0 tables of the machine, built as bytes for the BIOS to place.
//
// Revision choice: RSDP revision 2 (36 bytes, RSDT and XSDT addresses,
// checksum over the first 20 bytes and extended checksum over all 36), RSDT
// and XSDT listing the FADT, FADT revision 3 (244 bytes, 32-bit and X_
// addresses both filled and equal, reset register), FACS version 1, DSDT
// revision 2. There is no MADT: the machine has no local APIC or I/O APIC,
// and without a MADT the OS uses the 8259 pair (the FADT's SCI_INT is then
// an ISA IRQ, level triggered through the ELCR).
//
// Placement: `rsdp` goes at a 16-byte boundary in the first KiB of the EBDA
// or in 0xE0000-0xFFFFF, where the OS searches for "RSD PTR ". `blob` goes at
// `base`, at the top of RAM below 4 GiB (acpi_region_base()); `regions` says
// how to report the kRegionSize bytes from `base` in the E820 map: the FACS
// page as ACPI NVS (type 4: the OS keeps the global lock and waking vector
// there), the rest as ACPI reclaimable (type 3).
#pragma once

#include <cstdint>
#include <vector>

#include "devices/acpi_pm/acpi_pm.h"

namespace sandpc {

struct AcpiLayout {
    uint64_t ram_bytes = 0;
    uint32_t base = 0;  // where the blob goes; acpi_region_base(ram_bytes)
    uint16_t pm_base = AcpiPmConfig{}.base;
    bool pm_timer_32bit = false;
    uint8_t sci_irq = 9;
    uint8_t s5_sleep_type = AcpiPm::kS5SleepType;
    uint8_t cmos_century_index = 0x32;  // Rtc146818::kCentury
};

struct AcpiRegion {
    uint64_t base;
    uint64_t length;
    uint32_t e820_type;  // 3 ACPI reclaimable, 4 ACPI NVS
};

struct AcpiTables {
    static constexpr uint32_t kRegionSize = 0x10000;
    static constexpr uint32_t kFacsPageSize = 0x1000;

    std::vector<uint8_t> rsdp;
    uint32_t base = 0;
    std::vector<uint8_t> blob;
    std::vector<AcpiRegion> regions;
    // Physical addresses of each table (inside the blob).
    uint32_t facs = 0, dsdt = 0, fadt = 0, rsdt = 0, xsdt = 0;
};

// End of RAM the OS sees below the 4 GiB hole (as the BIOS's E820 map has it).
uint64_t acpi_low_ram_end(uint64_t ram_bytes);
// The 64 KiB-aligned start of the last kRegionSize bytes of that RAM.
uint32_t acpi_region_base(uint64_t ram_bytes);

// Throws std::invalid_argument if the layout does not fit (base not 64 KiB
// aligned, region outside RAM).
AcpiTables build_acpi_tables(const AcpiLayout& layout);

}  // namespace sandpc
