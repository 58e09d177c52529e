// The machine's SMBIOS (DMI) tables, version 2.8, built as bytes for the BIOS.
//
// Entry point: the 31-byte SMBIOS 2.1+ structure ("_SM_", checksum over all
// 31 bytes, then the "_DMI_" intermediate anchor with its own checksum over
// bytes 10h-1Eh, the structure table's length, 32-bit address and count).
// The OS finds it by scanning 0xF0000-0xFFFFF on 16-byte boundaries, so the
// BIOS puts it in its ROM; the structure table may be anywhere below 4 GiB
// (ours sits in the ROM too: it only depends on the machine's configuration).
//
// Structures: 0 BIOS, 1 system, 3 chassis, 4 processor (ID = CPUID leaf 1
// EAX and EDX), 16 physical memory array, 17 memory device, 19 memory array
// mapped address (all RAM is one device mapped from address 0), 32 system
// boot information, 127 end of table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sandpc {

struct SmbiosInfo {
    uint64_t ram_bytes = 0;  // whole MiB, at most 3 GiB here

    std::string bios_vendor;
    std::string bios_version;
    std::string bios_release_date;  // mm/dd/yyyy
    uint16_t bios_segment = 0xF000;
    uint32_t bios_rom_bytes = 0x10000;  // a multiple of 64 KiB
    uint8_t bios_major = 1, bios_minor = 0;

    std::string system_manufacturer;
    std::string system_product;
    std::string system_version;

    // CPUID: vendor string (leaf 0), signature (leaf 1 EAX), features (EDX).
    std::string cpu_vendor;
    uint32_t cpu_signature = 0;
    uint32_t cpu_features = 0;
    uint16_t cpu_mhz = 0;  // 0: unknown
};

struct SmbiosTables {
    static constexpr size_t kEntryPointSize = 0x1F;
    static constexpr uint8_t kMajor = 2, kMinor = 8;

    std::vector<uint8_t> entry_point;  // goes on a 16-byte boundary in 0xF0000-0xFFFFF
    std::vector<uint8_t> structures;   // goes at structures_address
    uint16_t structure_count = 0;
    uint16_t max_structure_size = 0;
};

// Throws std::invalid_argument for a RAM size that is not whole MiB or does
// not fit the tables, or a ROM size that is not a multiple of 64 KiB.
SmbiosTables build_smbios_tables(const SmbiosInfo& info, uint32_t structures_address);

}  // namespace sandpc
