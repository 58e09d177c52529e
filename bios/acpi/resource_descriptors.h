// ACPI resource descriptors (the bytes inside a ResourceTemplate buffer), as
// the specification's "Resource Data Types for ACPI" section lays them out.
// Only what a host bridge's _CRS needs: bus-number and I/O windows it
// produces, memory windows, the I/O ports it consumes, and the end tag.
#pragma once

#include <cstdint>
#include <vector>

namespace sandpc::acpi {

using Bytes = std::vector<uint8_t>;

// I/O port descriptor (small item 0x47) with 16-bit decode and fixed base.
Bytes io_ports(uint16_t base, uint8_t length);
// Word address space descriptors produced by a bridge, fixed min and max.
Bytes word_bus_numbers(uint16_t first, uint16_t last);
Bytes word_io_window(uint16_t first, uint16_t last);
// DWord memory window produced by a bridge, read/write, fixed min and max.
Bytes dword_memory_window(uint32_t first, uint32_t last, bool cacheable);
// End tag (small item 0x79) with checksum 0 ("treated as correct").
Bytes end_tag();

}  // namespace sandpc::acpi
