// The SMBIOS tables of this machine, placed in the ROM once at construction:
// they depend only on the configuration (RAM size) and the CPU model.
#include <string>

#include "bios/bios.h"
#include "bios/smbios/smbios_tables.h"
#include "cpu/cpuid.h"

namespace sandpc {

namespace {

std::string register_text(uint32_t r) {
    std::string s;
    for (unsigned i = 0; i < 4; ++i) s += static_cast<char>(r >> (8 * i));
    return s;
}

}  // namespace

void Bios::install_smbios() {
    SmbiosInfo info;
    info.ram_bytes = host_.ram_bytes();
    info.bios_vendor = "sandpc";
    info.bios_version = "sandpc 1.0";
    std::string_view d = BiosRom::kDate;  // mm/dd/yy; SMBIOS wants mm/dd/yyyy
    info.bios_release_date = std::string(d.substr(0, 6)) + "20" + std::string(d.substr(6));
    info.bios_segment = BiosRom::kSegment;
    info.bios_rom_bytes = BiosRom::kSize;
    info.system_manufacturer = "sandpc";
    info.system_product = "sandpc PC";
    info.system_version = "1.0";
    CpuidResult vendor = cpuid_leaf(0), signature = cpuid_leaf(1);
    info.cpu_vendor =
        register_text(vendor.ebx) + register_text(vendor.edx) + register_text(vendor.ecx);
    info.cpu_signature = signature.eax;
    info.cpu_features = signature.edx;

    // The structure table first, then the entry point that points at it.
    uint32_t table_offset = rom_.append(build_smbios_tables(info, 0).structures, 16);
    SmbiosTables tables = build_smbios_tables(info, BiosRom::kBase + table_offset);
    rom_.append(tables.entry_point, 16);
}

}  // namespace sandpc
