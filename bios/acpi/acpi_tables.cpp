#include "bios/acpi/acpi_tables.h"

#include <algorithm>
#include <stdexcept>

#include "bios/acpi/acpi_table_bytes.h"
#include "bios/acpi/dsdt.h"

namespace sandpc {
namespace {

using acpi::Bytes;
using acpi::put;

constexpr uint64_t kPciHoleStart = 0xFEC00000;  // I/O APIC, HPET, BIOS ROM above
constexpr uint32_t kPciMemoryLast = kPciHoleStart - 1;
constexpr uint32_t kPciMemoryAlign = 0x100000;

// FADT (revision 3, ACPI 2.0) field offsets.
namespace fadt {
constexpr uint8_t kRevision = 3;
constexpr size_t kSize = 244;
constexpr size_t kFirmwareCtrl = 36, kDsdt = 40, kIntModel = 44, kSciInt = 46, kSmiCmd = 48;
constexpr size_t kPm1aEvtBlk = 56, kPm1aCntBlk = 64, kPmTmrBlk = 76, kGpe0Blk = 80;
constexpr size_t kPm1EvtLen = 88, kPm1CntLen = 89, kPmTmrLen = 91, kGpe0BlkLen = 92;
constexpr size_t kPLvl2Lat = 96, kPLvl3Lat = 98, kCentury = 108, kIapcBootArch = 109;
constexpr size_t kFlags = 112, kResetReg = 116, kResetValue = 128;
constexpr size_t kXFirmwareCtrl = 132, kXDsdt = 140, kXPm1aEvtBlk = 148, kXPm1aCntBlk = 172;
constexpr size_t kXPmTmrBlk = 208, kXGpe0Blk = 220;

// Latencies above these limits say C2 / C3 are not supported.
constexpr uint16_t kNoC2 = 101, kNoC3 = 1001;

// Boot architecture flags: ISA devices, 8042 keyboard controller.
constexpr uint16_t kLegacyDevices = 1u << 0, k8042 = 1u << 1;

// Feature flags.
constexpr uint32_t kWbinvd = 1u << 0;
constexpr uint32_t kProcC1 = 1u << 2;
constexpr uint32_t kSlpButton = 1u << 5;  // set: no fixed sleep button
constexpr uint32_t kFixRtc = 1u << 6;     // set: RTC wake status not in PM1
constexpr uint32_t kTmrValExt = 1u << 8;
constexpr uint32_t kResetRegSup = 1u << 10;
}  // namespace fadt

Bytes build_fadt(const AcpiLayout& layout, uint32_t facs, uint32_t dsdt) {
    auto port = [&](uint16_t offset) { return static_cast<uint16_t>(layout.pm_base + offset); };
    Bytes t = acpi::table("FACP", fadt::kRevision, fadt::kSize);
    put(t, fadt::kFirmwareCtrl, facs, 4);
    put(t, fadt::kDsdt, dsdt, 4);
    t[fadt::kIntModel] = 0;  // dual 8259 (ACPI 1.0 meaning; reserved in 2.0)
    put(t, fadt::kSciInt, layout.sci_irq, 2);
    put(t, fadt::kSmiCmd, 0, 4);  // no SMM: always in ACPI mode
    put(t, fadt::kPm1aEvtBlk, port(AcpiPm::kPm1Event), 4);
    put(t, fadt::kPm1aCntBlk, port(AcpiPm::kPm1Control), 4);
    put(t, fadt::kPmTmrBlk, port(AcpiPm::kPmTimer), 4);
    put(t, fadt::kGpe0Blk, port(AcpiPm::kGpe0), 4);
    t[fadt::kPm1EvtLen] = AcpiPm::kPm1EventLength;
    t[fadt::kPm1CntLen] = AcpiPm::kPm1ControlLength;
    t[fadt::kPmTmrLen] = AcpiPm::kPmTimerLength;
    t[fadt::kGpe0BlkLen] = AcpiPm::kGpe0Length;
    put(t, fadt::kPLvl2Lat, fadt::kNoC2, 2);
    put(t, fadt::kPLvl3Lat, fadt::kNoC3, 2);
    t[fadt::kCentury] = layout.cmos_century_index;
    put(t, fadt::kIapcBootArch, fadt::kLegacyDevices | fadt::k8042, 2);
    uint32_t flags = fadt::kWbinvd | fadt::kProcC1 | fadt::kSlpButton | fadt::kFixRtc |
                     fadt::kResetRegSup | (layout.pm_timer_32bit ? fadt::kTmrValExt : 0);
    put(t, fadt::kFlags, flags, 4);
    struct Gas {
        size_t offset;
        uint16_t port;
        unsigned bits;
    };
    const Gas registers[] = {
        {fadt::kResetReg, port(AcpiPm::kReset), 8},
        {fadt::kXPm1aEvtBlk, port(AcpiPm::kPm1Event), 8u * AcpiPm::kPm1EventLength},
        {fadt::kXPm1aCntBlk, port(AcpiPm::kPm1Control), 8u * AcpiPm::kPm1ControlLength},
        {fadt::kXPmTmrBlk, port(AcpiPm::kPmTimer), 8u * AcpiPm::kPmTimerLength},
        {fadt::kXGpe0Blk, port(AcpiPm::kGpe0), 8u * AcpiPm::kGpe0Length},
    };
    for (const Gas& reg : registers) {
        Bytes gas = acpi::io_address(reg.port, reg.bits);
        std::copy(gas.begin(), gas.end(), t.begin() + static_cast<ptrdiff_t>(reg.offset));
    }
    t[fadt::kResetValue] = AcpiPm::kResetValue;
    put(t, fadt::kXFirmwareCtrl, facs, 8);
    put(t, fadt::kXDsdt, dsdt, 8);
    acpi::finish(t);
    return t;
}

Bytes build_facs() {
    constexpr size_t kSize = 64;
    constexpr uint8_t kVersion = 1;  // ACPI 2.0
    Bytes t(kSize, 0);
    acpi::put_text(t, 0, "FACS");
    put(t, 4, kSize, 4);
    // Hardware signature 0, no waking vector, global lock free, no S4BIOS.
    t[32] = kVersion;
    return t;
}

Bytes build_rsdt(uint32_t fadt) {
    Bytes t = acpi::table("RSDT", 1, acpi::kHeaderSize + 4);
    put(t, acpi::kHeaderSize, fadt, 4);
    acpi::finish(t);
    return t;
}

Bytes build_xsdt(uint32_t fadt) {
    Bytes t = acpi::table("XSDT", 1, acpi::kHeaderSize + 8);
    put(t, acpi::kHeaderSize, fadt, 8);
    acpi::finish(t);
    return t;
}

Bytes build_rsdp(uint32_t rsdt, uint32_t xsdt) {
    constexpr size_t kSize = 36, kV1Size = 20;
    constexpr uint8_t kRevision = 2;
    Bytes t(kSize, 0);
    acpi::put_text(t, 0, "RSD PTR ");
    acpi::put_text(t, 9, acpi::kOemId);
    t[15] = kRevision;
    put(t, 16, rsdt, 4);
    put(t, 20, kSize, 4);
    put(t, 24, xsdt, 8);
    t[8] = acpi::checksum_for(std::span(t).first(kV1Size));
    t[32] = acpi::checksum_for(t);
    return t;
}

uint32_t align_up(uint64_t value, uint32_t alignment) {
    return static_cast<uint32_t>((value + alignment - 1) / alignment * alignment);
}

// Appends `table` at the next 16-byte boundary; returns its address.
uint32_t place(Bytes& blob, uint32_t base, const Bytes& table) {
    blob.resize(align_up(blob.size(), 16), 0);
    auto address = static_cast<uint32_t>(base + blob.size());
    blob.insert(blob.end(), table.begin(), table.end());
    return address;
}

}  // namespace

uint64_t acpi_low_ram_end(uint64_t ram_bytes) {
    return std::min(ram_bytes, kPciHoleStart);
}

uint32_t acpi_region_base(uint64_t ram_bytes) {
    uint64_t end = acpi_low_ram_end(ram_bytes) / AcpiTables::kRegionSize * AcpiTables::kRegionSize;
    if (end < 0x200000) throw std::invalid_argument("ACPI tables need at least 2 MiB of RAM");
    return static_cast<uint32_t>(end - AcpiTables::kRegionSize);
}

AcpiTables build_acpi_tables(const AcpiLayout& layout) {
    uint64_t low_end = acpi_low_ram_end(layout.ram_bytes);
    if (layout.base % AcpiTables::kRegionSize != 0 || layout.base < 0x100000 ||
        uint64_t{layout.base} + AcpiTables::kRegionSize > low_end) {
        throw std::invalid_argument("ACPI region must be 64 KiB aligned inside RAM above 1 MiB");
    }
    if (layout.s5_sleep_type > 7) throw std::invalid_argument("SLP_TYP is 3 bits");

    AcpiTables out;
    out.base = layout.base;
    out.blob = build_facs();  // at base: 64-byte aligned, alone in its NVS page
    out.facs = layout.base;
    out.blob.resize(AcpiTables::kFacsPageSize, 0);

    acpi::DsdtConfig dsdt_config;
    dsdt_config.s5_sleep_type = layout.s5_sleep_type;
    dsdt_config.pci_memory_first = align_up(low_end, kPciMemoryAlign);
    dsdt_config.pci_memory_last = kPciMemoryLast;
    out.dsdt = place(out.blob, layout.base, acpi::build_dsdt(dsdt_config));
    out.fadt = place(out.blob, layout.base, build_fadt(layout, out.facs, out.dsdt));
    out.rsdt = place(out.blob, layout.base, build_rsdt(out.fadt));
    out.xsdt = place(out.blob, layout.base, build_xsdt(out.fadt));
    if (out.blob.size() > AcpiTables::kRegionSize) {
        throw std::logic_error("ACPI tables outgrew their region");
    }
    out.rsdp = build_rsdp(out.rsdt, out.xsdt);
    out.regions = {
        {layout.base, AcpiTables::kFacsPageSize, 4},
        {layout.base + AcpiTables::kFacsPageSize,
         AcpiTables::kRegionSize - AcpiTables::kFacsPageSize, 3},
    };
    return out;
}

}  // namespace sandpc
