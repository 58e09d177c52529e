#include "bios/smbios/smbios_tables.h"

#include <algorithm>
#include <stdexcept>

#include "bios/smbios/smbios_structure.h"

namespace sandpc {

namespace {

using smbios::Bytes;
using smbios::Structure;

constexpr uint16_t kHandleNotProvided = 0xFFFE;
constexpr uint16_t kMemoryArrayHandle = 0x1000;

// BIOS characteristics (offset 0Ah): ISA (4), PCI (7), EDD (19), INT 09h
// keyboard (27), INT 14h serial (28), INT 10h CGA/mono video (30) services.
constexpr uint64_t kBiosCharacteristics =
    (1ull << 4) | (1ull << 7) | (1ull << 19) | (1ull << 27) | (1ull << 28) | (1ull << 30);
constexpr uint8_t kBiosExtension1 = 0x01;  // ACPI
constexpr uint8_t kBiosExtension2 = 0x10;  // the table describes a virtual machine

Structure bios_information(const SmbiosInfo& in) {
    Structure s(0, 0x18, 0x0000);
    s.put_string(0x04, in.bios_vendor);
    s.put_string(0x05, in.bios_version);
    s.put(0x06, in.bios_segment, 2);
    s.put_string(0x08, in.bios_release_date);
    s.put(0x09, in.bios_rom_bytes / 0x10000 - 1, 1);
    s.put(0x0A, kBiosCharacteristics, 8);
    s.put(0x12, kBiosExtension1, 1);
    s.put(0x13, kBiosExtension2, 1);
    s.put(0x14, in.bios_major, 1);
    s.put(0x15, in.bios_minor, 1);
    s.put(0x16, 0xFFFF, 2);  // no embedded controller firmware
    return s;
}

Structure system_information(const SmbiosInfo& in) {
    Structure s(1, 0x1B, 0x0100);
    s.put_string(0x04, in.system_manufacturer);
    s.put_string(0x05, in.system_product);
    s.put_string(0x06, in.system_version);
    // Serial number, UUID (all zero: not present), SKU and family: none.
    s.put(0x18, 0x06, 1);  // wake-up type: power switch
    return s;
}

Structure chassis(const SmbiosInfo& in) {
    Structure s(3, 0x16, 0x0300);
    s.put_string(0x04, in.system_manufacturer);
    s.put(0x05, 0x01, 1);                                           // type: other
    for (size_t field : {0x09, 0x0A, 0x0B}) s.put(field, 0x03, 1);  // boot/power/thermal: safe
    s.put(0x0C, 0x03, 1);                                           // security: none
    return s;
}

Structure processor(const SmbiosInfo& in) {
    Structure s(4, 0x2A, 0x0400);
    s.put_string(0x04, "CPU 0");
    s.put(0x05, 0x03, 1);  // central processor
    // Family: Pentium II (0Dh) for family 6 model 3, else "other".
    unsigned family = (in.cpu_signature >> 8) & 0xF, model = (in.cpu_signature >> 4) & 0xF;
    uint8_t smbios_family = family == 6 && model == 3 ? 0x0D : 0x01;
    s.put(0x06, smbios_family, 1);
    s.put_string(0x07, in.cpu_vendor);
    s.put(0x08, in.cpu_signature, 4);
    s.put(0x0C, in.cpu_features, 4);
    s.put_string(0x10, "Family " + std::to_string(family) + " Model " + std::to_string(model) +
                           " Stepping " + std::to_string(in.cpu_signature & 0xF));
    // Voltage and external clock unknown (0).
    s.put(0x14, in.cpu_mhz, 2);  // maximum speed
    s.put(0x16, in.cpu_mhz, 2);  // current speed
    s.put(0x18, 0x41, 1);        // socket populated, CPU enabled
    s.put(0x19, 0x02, 1);        // upgrade: unknown
    for (size_t cache : {0x1A, 0x1C, 0x1E}) s.put(cache, 0xFFFF, 2);  // no cache structures
    s.put(0x23, 1, 1);                                                // cores
    s.put(0x24, 1, 1);                                                // cores enabled
    s.put(0x25, 1, 1);                                                // threads
    s.put(0x28, smbios_family, 2);                                    // family 2
    return s;
}

Structure memory_array(uint64_t ram_bytes) {
    Structure s(16, 0x17, kMemoryArrayHandle);
    s.put(0x04, 0x03, 1);              // location: system board
    s.put(0x05, 0x03, 1);              // use: system memory
    s.put(0x06, 0x03, 1);              // error correction: none
    s.put(0x07, ram_bytes / 1024, 4);  // maximum capacity in KiB: what is installed
    s.put(0x0B, kHandleNotProvided, 2);
    s.put(0x0D, 1, 2);  // one device
    return s;
}

Structure memory_device(uint64_t ram_bytes) {
    Structure s(17, 0x28, 0x1100);
    s.put(0x04, kMemoryArrayHandle, 2);
    s.put(0x06, kHandleNotProvided, 2);
    s.put(0x08, 64, 2);               // total width
    s.put(0x0A, 64, 2);               // data width
    s.put(0x0C, ram_bytes >> 20, 2);  // size in MiB (bit 15 clear)
    s.put(0x0E, 0x09, 1);             // form factor: DIMM
    s.put_string(0x10, "DIMM 0");
    s.put(0x12, 0x07, 1);    // type: RAM
    s.put(0x13, 0x0002, 2);  // type detail: other
    return s;
}

Structure mapped_address(uint64_t ram_bytes) {
    Structure s(19, 0x1F, 0x1300);
    s.put(0x04, 0, 4);                     // starting address, KiB
    s.put(0x08, ram_bytes / 1024 - 1, 4);  // ending address, KiB, inclusive
    s.put(0x0C, kMemoryArrayHandle, 2);
    s.put(0x0E, 1, 1);  // partition width: one device
    return s;
}

Structure boot_information() {
    return Structure(32, 0x0B, 0x2000);  // boot status 0: no errors
}

uint8_t checksum(const Bytes& b, size_t from, size_t to) {
    uint8_t sum = 0;
    for (size_t i = from; i < to; ++i) sum = static_cast<uint8_t>(sum + b[i]);
    return static_cast<uint8_t>(-sum);
}

void put(Bytes& b, size_t offset, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) b.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

}  // namespace

SmbiosTables build_smbios_tables(const SmbiosInfo& info, uint32_t structures_address) {
    if (info.ram_bytes == 0 || info.ram_bytes % (1u << 20) || info.ram_bytes > (3ull << 30))
        throw std::invalid_argument("SMBIOS: RAM size must be whole MiB, at most 3 GiB");
    if (info.bios_rom_bytes == 0 || info.bios_rom_bytes % 0x10000 ||
        info.bios_rom_bytes > 0x1000000)
        throw std::invalid_argument("SMBIOS: BIOS ROM size must be a multiple of 64 KiB");

    const Structure structures[] = {
        bios_information(info),
        system_information(info),
        chassis(info),
        processor(info),
        memory_array(info.ram_bytes),
        memory_device(info.ram_bytes),
        mapped_address(info.ram_bytes),
        boot_information(),
        Structure(127, 4, 0x7F00),
    };
    SmbiosTables t;
    for (const Structure& s : structures) {
        Bytes b = s.bytes();
        t.max_structure_size = std::max<uint16_t>(t.max_structure_size, uint16_t(b.size()));
        t.structures.insert(t.structures.end(), b.begin(), b.end());
        ++t.structure_count;
    }

    Bytes& e = t.entry_point;
    e.assign(SmbiosTables::kEntryPointSize, 0);
    e[0] = '_', e[1] = 'S', e[2] = 'M', e[3] = '_';
    e[0x05] = SmbiosTables::kEntryPointSize;
    e[0x06] = SmbiosTables::kMajor;
    e[0x07] = SmbiosTables::kMinor;
    put(e, 0x08, t.max_structure_size, 2);
    // 0Ah entry point revision 0, 0Bh-0Fh formatted area: zero.
    e[0x10] = '_', e[0x11] = 'D', e[0x12] = 'M', e[0x13] = 'I', e[0x14] = '_';
    put(e, 0x16, t.structures.size(), 2);
    put(e, 0x18, structures_address, 4);
    put(e, 0x1C, t.structure_count, 2);
    e[0x1E] = uint8_t(SmbiosTables::kMajor << 4 | SmbiosTables::kMinor);  // BCD revision
    e[0x15] = checksum(e, 0x10, SmbiosTables::kEntryPointSize);
    e[0x04] = checksum(e, 0, SmbiosTables::kEntryPointSize);
    return t;
}

}  // namespace sandpc
