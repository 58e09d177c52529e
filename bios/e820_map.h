// The BIOS memory map (INT 15h E820h) of a PC with `ram` bytes: low RAM up
// to the EBDA, the EBDA and ROM areas reserved, RAM above 1 MiB up to the
// ACPI tables, the ACPI regions, and the reset-vector ROM below 4 GiB. The
// same list the Multiboot loader hands to kernels.
#pragma once
#include <cstdint>
#include <vector>

namespace sandpc {

struct E820Entry {
    uint64_t base;
    uint64_t length;
    uint32_t type;  // 1 usable, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS
};

std::vector<E820Entry> pc_e820_map(uint64_t ram);

}  // namespace sandpc
