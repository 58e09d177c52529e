#include "bios/acpi/acpi_tables.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "tests/acpi/aml_reader.h"

namespace sandpc {
namespace {

using Bytes = std::vector<uint8_t>;

// Guest memory as the BIOS leaves it: a few written chunks, zeros elsewhere.
class GuestMemory {
  public:
    void write(uint64_t address, const Bytes& data) { chunks_[address] = data; }
    Bytes read(uint64_t address, size_t length) const {
        Bytes out(length, 0);
        for (const auto& [base, data] : chunks_) {
            for (size_t i = 0; i < length; ++i) {
                uint64_t a = address + i;
                if (a >= base && a < base + data.size()) out[i] = data[a - base];
            }
        }
        return out;
    }
    uint64_t u(uint64_t address, unsigned size) const {
        Bytes b = read(address, size);
        uint64_t v = 0;
        for (unsigned i = 0; i < size; ++i) v |= uint64_t{b[i]} << (8 * i);
        return v;
    }

  private:
    std::map<uint64_t, Bytes> chunks_;
};

uint64_t le(const Bytes& b, size_t offset, unsigned size) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= uint64_t{b.at(offset + i)} << (8 * i);
    return v;
}

uint8_t sum(const Bytes& b) {
    uint8_t s = 0;
    for (uint8_t x : b) s = static_cast<uint8_t>(s + x);
    return s;
}

std::string text(const Bytes& b, size_t offset, size_t length) {
    return std::string(b.begin() + static_cast<ptrdiff_t>(offset),
                       b.begin() + static_cast<ptrdiff_t>(offset + length));
}

std::string eisa_id_text(uint32_t stored) {
    // Stored most significant byte first: letters in 15 bits, then 4 hex digits.
    uint32_t v =
        (stored >> 24) | ((stored >> 8) & 0xFF00) | ((stored << 8) & 0xFF0000) | (stored << 24);
    std::string s;
    for (int shift : {26, 21, 16}) s += static_cast<char>('A' - 1 + ((v >> shift) & 0x1F));
    for (int shift : {12, 8, 4, 0}) s += "0123456789ABCDEF"[(v >> shift) & 0xF];
    return s;
}

// What an OS does: search for the RSDP, follow it, check every table.
struct OsView {
    Bytes rsdp, rsdt, xsdt, fadt, facs, dsdt;
    uint64_t rsdp_address = 0, facs_address = 0;
};

Bytes read_table(const GuestMemory& mem, uint64_t address) {
    auto length = static_cast<size_t>(mem.u(address + 4, 4));
    EXPECT_GE(length, 36u);
    Bytes t = mem.read(address, length);
    EXPECT_EQ(sum(t), 0) << "checksum of " << text(t, 0, 4);
    EXPECT_EQ(text(t, 10, 6), "SANDPC");
    return t;
}

std::optional<uint64_t> find_rsdp(const GuestMemory& mem) {
    constexpr uint64_t kEbda = 0x9FC00;
    std::vector<std::pair<uint64_t, uint64_t>> areas = {{kEbda, kEbda + 1024}, {0xE0000, 0x100000}};
    for (auto [from, to] : areas) {
        for (uint64_t a = from; a < to; a += 16) {
            Bytes b = mem.read(a, 20);
            if (text(b, 0, 8) == "RSD PTR " && sum(b) == 0) return a;
        }
    }
    return std::nullopt;
}

OsView discover(const GuestMemory& mem) {
    OsView v;
    std::optional<uint64_t> at = find_rsdp(mem);
    EXPECT_TRUE(at.has_value());
    if (!at) return v;
    v.rsdp_address = *at;
    v.rsdp = mem.read(*at, 36);
    EXPECT_EQ(v.rsdp[15], 2) << "ACPI 2.0 RSDP";
    EXPECT_EQ(le(v.rsdp, 20, 4), 36u);
    EXPECT_EQ(sum(v.rsdp), 0) << "extended checksum";
    EXPECT_EQ(text(v.rsdp, 9, 6), "SANDPC");
    v.rsdt = read_table(mem, le(v.rsdp, 16, 4));
    v.xsdt = read_table(mem, le(v.rsdp, 24, 8));
    EXPECT_EQ(text(v.rsdt, 0, 4), "RSDT");
    EXPECT_EQ(text(v.xsdt, 0, 4), "XSDT");
    EXPECT_EQ((v.rsdt.size() - 36) % 4, 0u);
    EXPECT_EQ((v.xsdt.size() - 36) % 8, 0u);
    EXPECT_EQ((v.rsdt.size() - 36) / 4, (v.xsdt.size() - 36) / 8);
    for (size_t i = 0; 36 + 4 * i < v.rsdt.size(); ++i) {
        uint64_t address = le(v.rsdt, 36 + 4 * i, 4);
        EXPECT_EQ(address, le(v.xsdt, 36 + 8 * i, 8)) << "RSDT and XSDT list the same tables";
        Bytes t = read_table(mem, address);
        if (text(t, 0, 4) == "FACP") v.fadt = t;
    }
    EXPECT_FALSE(v.fadt.empty()) << "no FADT listed";
    if (v.fadt.empty()) return v;
    EXPECT_EQ(v.fadt.size(), 244u);
    EXPECT_EQ(v.fadt[8], 3) << "FADT revision of ACPI 2.0";
    v.facs_address = le(v.fadt, 36, 4);
    EXPECT_EQ(le(v.fadt, 132, 8), v.facs_address) << "X_FIRMWARE_CTRL";
    EXPECT_EQ(v.facs_address % 64, 0u);
    v.facs = mem.read(v.facs_address, 64);
    EXPECT_EQ(text(v.facs, 0, 4), "FACS");
    EXPECT_EQ(le(v.facs, 4, 4), 64u);
    EXPECT_EQ(le(v.fadt, 140, 8), le(v.fadt, 40, 4)) << "X_DSDT";
    v.dsdt = read_table(mem, le(v.fadt, 40, 4));
    EXPECT_EQ(text(v.dsdt, 0, 4), "DSDT");
    return v;
}

struct Case {
    uint64_t ram;
    uint16_t pm_base;
    bool timer_32bit;
};

class AcpiTablesTest : public ::testing::TestWithParam<Case> {
  protected:
    void SetUp() override {
        layout.ram_bytes = GetParam().ram;
        layout.base = acpi_region_base(layout.ram_bytes);
        layout.pm_base = GetParam().pm_base;
        layout.pm_timer_32bit = GetParam().timer_32bit;
        tables = build_acpi_tables(layout);
        // Where the BIOS would put them: RSDP in the EBDA, the rest at base.
        mem.write(0x9FC00 + 0x200, tables.rsdp);
        mem.write(tables.base, tables.blob);
        os = discover(mem);
        ASSERT_FALSE(os.fadt.empty());
        ASSERT_FALSE(os.dsdt.empty());
    }

    AcpiLayout layout;
    AcpiTables tables;
    GuestMemory mem;
    OsView os;
};

TEST_P(AcpiTablesTest, OsFindsEveryTableWithValidChecksums) {
    EXPECT_EQ(os.rsdp_address, 0x9FE00u);
    EXPECT_EQ(os.facs_address, tables.facs);
    EXPECT_EQ(le(os.rsdp, 16, 4), tables.rsdt);
    EXPECT_EQ(le(os.rsdp, 24, 8), tables.xsdt);
}

TEST_P(AcpiTablesTest, TablesSitInTheReportedRegionsAtTheTopOfRam) {
    ASSERT_EQ(tables.regions.size(), 2u);
    const AcpiRegion& nvs = tables.regions[0];
    const AcpiRegion& data = tables.regions[1];
    EXPECT_EQ(nvs.e820_type, 4u);
    EXPECT_EQ(data.e820_type, 3u);
    EXPECT_EQ(nvs.base, tables.base);
    EXPECT_EQ(data.base, nvs.base + nvs.length);
    uint64_t end = data.base + data.length;
    EXPECT_LE(end, std::min<uint64_t>(layout.ram_bytes, 0xFEC00000));
    EXPECT_GT(end + 0x10000, std::min<uint64_t>(layout.ram_bytes, 0xFEC00000));
    EXPECT_LE(tables.blob.size(), end - tables.base);
    // FACS alone in the NVS part; every other table in the ACPI data part.
    EXPECT_GE(tables.facs, nvs.base);
    EXPECT_LE(tables.facs + 64, nvs.base + nvs.length);
    for (uint32_t t : {tables.dsdt, tables.fadt, tables.rsdt, tables.xsdt}) {
        uint64_t length = mem.u(t + 4, 4);
        EXPECT_GE(t, data.base);
        EXPECT_LE(t + length, end);
    }
}

TEST_P(AcpiTablesTest, FadtDescribesTheDevicePorts) {
    const Bytes& f = os.fadt;
    uint16_t base = layout.pm_base;
    EXPECT_EQ(le(f, 46, 2), 9u) << "SCI_INT";
    EXPECT_EQ(le(f, 48, 4), 0u) << "SMI_CMD: no SMM, always ACPI mode";
    EXPECT_EQ(le(f, 56, 4), base + AcpiPm::kPm1Event);
    EXPECT_EQ(le(f, 60, 4), 0u) << "no PM1b";
    EXPECT_EQ(le(f, 64, 4), base + AcpiPm::kPm1Control);
    EXPECT_EQ(le(f, 76, 4), base + AcpiPm::kPmTimer);
    EXPECT_EQ(le(f, 80, 4), base + AcpiPm::kGpe0);
    EXPECT_EQ(f[88], 4) << "PM1_EVT_LEN";
    EXPECT_EQ(f[89], 2) << "PM1_CNT_LEN";
    EXPECT_EQ(f[91], 4) << "PM_TMR_LEN";
    EXPECT_EQ(f[92], 4) << "GPE0_BLK_LEN";
    EXPECT_EQ(f[92] % 2, 0) << "GPE0 length is even";
    EXPECT_GT(le(f, 96, 2), 100u) << "no C2";
    EXPECT_GT(le(f, 98, 2), 1000u) << "no C3";
    EXPECT_EQ(f[108], 0x32) << "CMOS century";
    EXPECT_EQ(le(f, 109, 2) & 3, 3u) << "legacy devices and 8042";
    uint32_t flags = static_cast<uint32_t>(le(f, 112, 4));
    EXPECT_TRUE(flags & (1u << 0)) << "WBINVD";
    EXPECT_TRUE(flags & (1u << 2)) << "PROC_C1";
    EXPECT_FALSE(flags & (1u << 4)) << "fixed power button present";
    EXPECT_TRUE(flags & (1u << 5)) << "no fixed sleep button";
    EXPECT_EQ(bool(flags & (1u << 8)), layout.pm_timer_32bit) << "TMR_VAL_EXT";
    EXPECT_TRUE(flags & (1u << 10)) << "RESET_REG_SUP";
    // Extended addresses: system I/O, width = 8 x the length, same port.
    struct Gas {
        size_t offset;
        size_t legacy;
        unsigned length;
    };
    for (Gas g : {Gas{148, 56, 4}, Gas{172, 64, 2}, Gas{208, 76, 4}, Gas{220, 80, 4}}) {
        EXPECT_EQ(f[g.offset], 1) << g.offset;
        EXPECT_EQ(f[g.offset + 1], 8 * g.length) << g.offset;
        EXPECT_EQ(le(f, g.offset + 4, 8), le(f, g.legacy, 4)) << g.offset;
    }
    for (size_t unused : {160, 184, 196, 232}) EXPECT_EQ(le(f, unused + 4, 8), 0u) << unused;
}

// Reads the DSDT's \_S5 as an OS would and sends the machine to S5 through
// the PM1a control block the FADT names, on a real device.
TEST_P(AcpiTablesTest, FollowingTheTablesPowersOffAndResetsTheDevice) {
    test::AmlNamespace ns = test::AmlReader(std::span(os.dsdt).subspan(36)).read();
    ASSERT_TRUE(ns.names.count("\\_S5_"));
    const test::AmlValue& s5 = ns.names["\\_S5_"];
    ASSERT_EQ(s5.kind, test::AmlValue::Kind::kPackage);
    ASSERT_GE(s5.elements.size(), 1u);
    uint64_t slp_typ = s5.elements[0].integer;
    EXPECT_EQ(slp_typ, AcpiPm::kS5SleepType);

    IoBus bus;
    Scheduler scheduler;
    int power_offs = 0, resets = 0;
    AcpiPm pm(
        bus, scheduler, InterruptLine(), {layout.pm_base, layout.pm_timer_32bit},
        [&] { ++power_offs; }, [&] { ++resets; });
    auto pm1a_cnt = static_cast<uint16_t>(le(os.fadt, 64, 4));
    uint16_t value = bus.read16(pm1a_cnt);
    value = static_cast<uint16_t>((value & ~(7u << 10)) | slp_typ << 10);
    bus.write16(pm1a_cnt, value);
    EXPECT_EQ(power_offs, 0);
    bus.write16(pm1a_cnt, static_cast<uint16_t>(value | 1u << 13));
    EXPECT_EQ(power_offs, 1);

    // RESET_REG: system I/O, 8 bits, RESET_VALUE.
    ASSERT_EQ(os.fadt[116], 1);
    ASSERT_EQ(os.fadt[117], 8);
    bus.write8(static_cast<uint16_t>(le(os.fadt, 120, 8)), os.fadt[128]);
    EXPECT_EQ(resets, 1);
    // PM_TMR_BLK counts.
    scheduler.advance(1'000'000);
    EXPECT_EQ(bus.read32(static_cast<uint16_t>(le(os.fadt, 76, 4))), pm.timer_value());
    EXPECT_GT(pm.timer_value(), 0u);
}

TEST_P(AcpiTablesTest, DsdtDeclaresTheProcessorAndTheHostBridge) {
    test::AmlNamespace ns = test::AmlReader(std::span(os.dsdt).subspan(36)).read();
    EXPECT_EQ(ns.objects["\\_PR_.CPU0"], "Processor");
    EXPECT_EQ(ns.processor_ids["\\_PR_.CPU0"], 0);
    EXPECT_EQ(ns.objects["\\_SB_.PCI0"], "Device");
    const test::AmlValue& hid = ns.names["\\_SB_.PCI0._HID"];
    EXPECT_EQ(hid.kind, test::AmlValue::Kind::kInteger);
    EXPECT_EQ(eisa_id_text(static_cast<uint32_t>(hid.integer)), "PNP0A03");
    EXPECT_EQ(ns.names.count("\\_SB_.PCI0._ADR"), 1u);
    EXPECT_EQ(ns.names["\\_SB_.PCI0._ADR"].integer, 0u);
    EXPECT_EQ(ns.names.count("\\_SB_.PCI0._UID"), 1u);

    // _CRS: walk the resource descriptors up to the end tag.
    const test::AmlValue& crs = ns.names["\\_SB_.PCI0._CRS"];
    ASSERT_EQ(crs.kind, test::AmlValue::Kind::kBuffer);
    const Bytes& r = crs.buffer;
    size_t pos = 0;
    bool ended = false, config_ports = false, bus_range = false;
    uint64_t io_covered = 0;
    uint64_t ram_end = std::min<uint64_t>(layout.ram_bytes, 0xFEC00000);
    while (pos < r.size() && !ended) {
        uint8_t tag = r[pos];
        if (tag & 0x80) {  // large item: tag, 16-bit length
            size_t length = le(r, pos + 1, 2);
            ASSERT_LE(pos + 3 + length, r.size());
            uint8_t type = r[pos + 3];
            unsigned size = tag == 0x88 ? 2 : tag == 0x87 ? 4 : 0;
            ASSERT_NE(size, 0u) << "unexpected large item " << int(tag);
            ASSERT_EQ(length, 3 + 5 * size);
            uint64_t min = le(r, pos + 6 + size, size), max = le(r, pos + 6 + 2 * size, size);
            uint64_t len = le(r, pos + 6 + 4 * size, size);
            EXPECT_EQ(len, max - min + 1);
            if (type == 2) bus_range = min == 0 && max == 0xFF;
            if (type == 1) io_covered += len;
            if (type == 0 && min >= 0x100000) {
                EXPECT_GE(min, ram_end) << "PCI memory window overlaps RAM";
                EXPECT_LT(max, 0xFEC00000u);
            }
            pos += 3 + length;
        } else {  // small item: bits 6:3 name, 2:0 length
            size_t length = tag & 7;
            if ((tag >> 3) == 0x0F) ended = true;
            if ((tag >> 3) == 0x08) config_ports = le(r, pos + 2, 2) == 0xCF8 && r[pos + 7] == 8;
            pos += 1 + length;
        }
    }
    EXPECT_TRUE(ended);
    EXPECT_EQ(pos, r.size());
    EXPECT_TRUE(bus_range);
    EXPECT_TRUE(config_ports);
    EXPECT_EQ(io_covered + 8, 0x10000u) << "all I/O space except 0xCF8-0xCFF forwarded";
}

INSTANTIATE_TEST_SUITE_P(Layouts, AcpiTablesTest,
                         ::testing::Values(Case{32ull << 20, 0x600, false},
                                           Case{(128ull << 20) + 0x8000, 0xB000, true},
                                           Case{4ull << 30, 0x600, false}));

TEST(AcpiTables, RefusesARegionOutsideRam) {
    AcpiLayout layout;
    layout.ram_bytes = 32 << 20;
    layout.base = 32 << 20;
    EXPECT_THROW(build_acpi_tables(layout), std::invalid_argument);
    layout.base = (32 << 20) - 0x8000;  // not 64 KiB aligned
    EXPECT_THROW(build_acpi_tables(layout), std::invalid_argument);
}

}  // namespace
}  // namespace sandpc
