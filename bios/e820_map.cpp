#include "bios/e820_map.h"

#include "bios/acpi/acpi_tables.h"
#include "bios/bda.h"

namespace sandpc {

std::vector<E820Entry> pc_e820_map(uint64_t ram) {
    std::vector<E820Entry> map = {
        {0, bda::kEbda, 1},
        {bda::kEbda, 0xA0000 - bda::kEbda, 2},
        {0xF0000, 0x10000, 2},
    };
    // RAM above 1 MiB, minus the ACPI tables at its top.
    AcpiLayout acpi;
    acpi.ram_bytes = ram;
    acpi.base = acpi_region_base(ram);
    if (acpi.base > 0x100000) map.push_back({0x100000, acpi.base - 0x100000, 1});
    for (const AcpiRegion& r : build_acpi_tables(acpi).regions)
        map.push_back({r.base, r.length, r.e820_type});
    map.push_back({0xFFFF0000ull, 0x10000, 2});
    return map;
}

}  // namespace sandpc
