#include "bios/smbios/smbios_tables.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "bios/smbios/smbios_structure.h"
#include "tests/smbios/smbios_reader.h"

namespace sandpc {
namespace {

SmbiosInfo sample(uint64_t ram_mb) {
    SmbiosInfo i;
    i.ram_bytes = ram_mb << 20;
    i.bios_vendor = "Vendor";
    i.bios_version = "V 2.5";
    i.bios_release_date = "01/02/2026";
    i.bios_rom_bytes = 0x20000;
    i.bios_major = 2;
    i.bios_minor = 5;
    i.system_manufacturer = "Maker";
    i.system_product = "Product";
    i.system_version = "";
    i.cpu_vendor = "GenuineIntel";
    i.cpu_signature = 0x0633;
    i.cpu_features = 0x0183FBFF;
    i.cpu_mhz = 300;
    return i;
}

test::SmbiosView read(const SmbiosTables& t) {
    return test::read_smbios(t.entry_point, t.structures);
}

TEST(SmbiosTables, EntryPointChecksPassAndDescribeTheTable) {
    SmbiosTables t = build_smbios_tables(sample(128), 0x000F1230);
    test::SmbiosView v = read(t);
    for (const auto& p : v.problems) ADD_FAILURE() << p;
    EXPECT_EQ(t.entry_point.size(), 0x1Fu);
    EXPECT_EQ(v.major, 2u);
    EXPECT_EQ(v.minor, 8u);
    EXPECT_EQ(v.table_address, 0x000F1230u);
    EXPECT_EQ(v.table_length, t.structures.size());
    EXPECT_EQ(v.structure_count, 9u);
    EXPECT_EQ(v.max_structure_size, t.max_structure_size);
}

TEST(SmbiosTables, CorruptingAnyEntryPointByteIsDetected) {
    SmbiosTables t = build_smbios_tables(sample(64), 0x000F0000);
    for (size_t i = 0; i < t.entry_point.size(); ++i) {
        std::vector<uint8_t> bad = t.entry_point;
        bad[i] ^= 0x01;
        EXPECT_FALSE(test::read_smbios(bad, t.structures).problems.empty()) << "byte " << i;
    }
}

TEST(SmbiosTables, StructuresInOrderWithSpecLengths) {
    test::SmbiosView v = read(build_smbios_tables(sample(128), 0xF0000));
    const std::pair<uint8_t, uint8_t> want[] = {{0, 0x18},  {1, 0x1B},  {3, 0x16},
                                                {4, 0x2A},  {16, 0x17}, {17, 0x28},
                                                {19, 0x1F}, {32, 0x0B}, {127, 0x04}};
    ASSERT_EQ(v.structures.size(), std::size(want));
    for (size_t i = 0; i < std::size(want); ++i) {
        EXPECT_EQ(v.structures[i].type, want[i].first) << i;
        EXPECT_EQ(v.structures[i].formatted.size(), want[i].second)
            << "type " << int(want[i].first);
    }
}

TEST(SmbiosTables, BiosAndSystemStrings) {
    test::SmbiosView v = read(build_smbios_tables(sample(128), 0xF0000));
    const auto* bios = v.find(0);
    ASSERT_NE(bios, nullptr);
    EXPECT_EQ(bios->string(0x04), "Vendor");
    EXPECT_EQ(bios->string(0x05), "V 2.5");
    EXPECT_EQ(bios->string(0x08), "01/02/2026");
    EXPECT_EQ(bios->field(0x06, 2), 0xF000u);
    EXPECT_EQ(bios->field(0x09, 1), 1u);  // 128 KiB = 64 KiB * (1 + 1)
    EXPECT_EQ(bios->field(0x14, 1), 2u);
    EXPECT_EQ(bios->field(0x15, 1), 5u);
    EXPECT_EQ(bios->field(0x0A, 8) & (1u << 3), 0u);  // "characteristics not supported" clear
    const auto* system = v.find(1);
    ASSERT_NE(system, nullptr);
    EXPECT_EQ(system->string(0x04), "Maker");
    EXPECT_EQ(system->string(0x05), "Product");
    EXPECT_EQ(system->field(0x06, 1), 0u);  // empty version: no string
    EXPECT_EQ(system->strings.size(), 2u);
    const auto* chassis = v.find(3);
    ASSERT_NE(chassis, nullptr);
    EXPECT_EQ(chassis->string(0x04), "Maker");
}

TEST(SmbiosTables, ProcessorIdIsTheCpuidSignatureAndFeatures) {
    SmbiosInfo info = sample(128);
    test::SmbiosView v = read(build_smbios_tables(info, 0xF0000));
    const auto* cpu = v.find(4);
    ASSERT_NE(cpu, nullptr);
    EXPECT_EQ(cpu->field(0x08, 4), info.cpu_signature);
    EXPECT_EQ(cpu->field(0x0C, 4), info.cpu_features);
    EXPECT_EQ(cpu->field(0x06, 1), 0x0Du);  // Pentium II
    EXPECT_EQ(cpu->field(0x28, 2), 0x0Du);
    EXPECT_EQ(cpu->string(0x07), "GenuineIntel");
    EXPECT_EQ(cpu->string(0x10), "Family 6 Model 3 Stepping 3");
    EXPECT_EQ(cpu->field(0x16, 2), 300u);
    EXPECT_EQ(cpu->field(0x18, 1), 0x41u);
    info.cpu_signature = 0x0F29;
    test::SmbiosView other_view = read(build_smbios_tables(info, 0xF0000));
    const auto* other = other_view.find(4);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->field(0x06, 1), 0x01u);  // not a model we name: "other"
}

TEST(SmbiosTables, MemoryStructuresDescribeTheRam) {
    for (uint64_t mb : {2ull, 32ull, 100ull, 3072ull}) {
        test::SmbiosView v = read(build_smbios_tables(sample(mb), 0xF0000));
        for (const auto& p : v.problems) ADD_FAILURE() << mb << " MiB: " << p;
        const auto *array = v.find(16), *device = v.find(17), *mapped = v.find(19);
        ASSERT_TRUE(array && device && mapped);
        EXPECT_EQ(array->field(0x07, 4), mb * 1024) << mb;
        EXPECT_EQ(array->field(0x0D, 2), 1u);
        EXPECT_EQ(device->field(0x04, 2), array->handle);
        EXPECT_EQ(device->field(0x0C, 2), mb) << mb;
        EXPECT_EQ(device->string(0x10), "DIMM 0");
        EXPECT_EQ(mapped->field(0x04, 4), 0u);
        EXPECT_EQ(mapped->field(0x08, 4), mb * 1024 - 1) << mb;
        EXPECT_EQ(mapped->field(0x0C, 2), array->handle);
    }
}

TEST(SmbiosTables, BootInformationSaysNoErrors) {
    test::SmbiosView v = read(build_smbios_tables(sample(16), 0xF0000));
    const auto* boot = v.find(32);
    ASSERT_NE(boot, nullptr);
    EXPECT_EQ(boot->field(0x0A, 1), 0u);
    EXPECT_TRUE(boot->strings.empty());
}

TEST(SmbiosTables, RejectsSizesTheTablesCannotDescribe) {
    SmbiosInfo info = sample(16);
    info.ram_bytes += 4096;
    EXPECT_THROW(build_smbios_tables(info, 0), std::invalid_argument);
    info.ram_bytes = 0;
    EXPECT_THROW(build_smbios_tables(info, 0), std::invalid_argument);
    info = sample(16);
    info.bios_rom_bytes = 0x18000;
    EXPECT_THROW(build_smbios_tables(info, 0), std::invalid_argument);
}

TEST(SmbiosStructure, StringSetForms) {
    smbios::Structure none(32, 0x0B, 7);
    smbios::Bytes b = none.bytes();
    ASSERT_EQ(b.size(), 0x0Bu + 2);
    EXPECT_EQ(b[0x0B], 0);
    EXPECT_EQ(b[0x0C], 0);
    EXPECT_EQ(b[2], 7);

    smbios::Structure two(1, 6, 1);
    two.put_string(4, "ab");
    two.put_string(5, "c");
    b = two.bytes();
    const smbios::Bytes want = {1, 6, 1, 0, 1, 2, 'a', 'b', 0, 'c', 0, 0};
    EXPECT_EQ(b, want);
    EXPECT_THROW(two.put_string(4, std::string("x\0y", 3)), std::invalid_argument);
}

}  // namespace
}  // namespace sandpc
