#include "bios/acpi/aml.h"

#include <gtest/gtest.h>

#include "tests/acpi/aml_reader.h"

namespace sandpc {
namespace {

TEST(Aml, PkgLengthCountsItselfAndUsesTheShortestForm) {
    // Boundaries of the 1-, 2-, 3- and 4-byte forms (6, 12, 20 and 28 bits).
    for (size_t content : {0, 1, 61, 62, 63, 64, 4093, 4094, 4095, 100000, (1 << 20) - 4,
                           (1 << 20) - 3, (1 << 24)}) {
        aml::Bytes encoded = aml::pkg_length(content);
        size_t pos = 0;
        size_t value = test::AmlReader::pkg_length(encoded, pos);
        EXPECT_EQ(pos, encoded.size()) << content;
        EXPECT_EQ(value, content + encoded.size()) << content;
        size_t expected_size = value < 64 ? 1 : value < (1u << 12) ? 2 : value < (1u << 20) ? 3 : 4;
        EXPECT_EQ(encoded.size(), expected_size) << content;
    }
    EXPECT_THROW(aml::pkg_length(size_t{1} << 28), std::invalid_argument);
}

TEST(Aml, NameStringsPadSegmentsAndUsePrefixes) {
    EXPECT_EQ(aml::name_string("_S5"), (aml::Bytes{'_', 'S', '5', '_'}));
    EXPECT_EQ(aml::name_string("\\_SB.PCI0"),
              (aml::Bytes{'\\', 0x2E, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'}));
    aml::Bytes multi = aml::name_string("\\A.B.C");
    EXPECT_EQ(multi[1], 0x2F);
    EXPECT_EQ(multi[2], 3);
    EXPECT_EQ(multi.size(), 3u + 12u);
    EXPECT_EQ(aml::name_string("\\"), (aml::Bytes{'\\', 0x00}));
    EXPECT_EQ(aml::name_string("^^X"), (aml::Bytes{'^', '^', 'X', '_', '_', '_'}));
    EXPECT_THROW(aml::name_string("1ABC"), std::invalid_argument);
    EXPECT_THROW(aml::name_string("ABCDE"), std::invalid_argument);
    EXPECT_THROW(aml::name_string("ab"), std::invalid_argument);
}

TEST(Aml, IntegersRoundTripThroughTheDecoder) {
    for (uint64_t v : {0ull, 1ull, 2ull, 0xFFull, 0x100ull, 0xFFFFull, 0x10000ull, 0xFFFFFFFFull,
                       0x100000000ull, ~0ull}) {
        aml::Bytes name = aml::name("TEST", aml::integer(v));
        test::AmlNamespace ns = test::AmlReader(name).read();
        EXPECT_EQ(ns.names["\\TEST"].integer, v);
        size_t expected = v <= 1 ? 1 : v <= 0xFF ? 2 : v <= 0xFFFF ? 3 : v <= 0xFFFFFFFF ? 5 : 9;
        EXPECT_EQ(name.size(), 5 + expected) << v;
    }
}

TEST(Aml, EisaIdOfThePciHostBridge) {
    // PNP0A03: 'P' 'N' 'P' as 5-bit letters (16, 14, 16), then 0x0A03, stored
    // most significant byte first.
    uint32_t id = aml::eisa_id("PNP0A03");
    uint32_t letters = (16u << 10) | (14u << 5) | 16u;
    uint8_t expected[4] = {uint8_t(letters >> 8), uint8_t(letters), 0x0A, 0x03};
    for (int i = 0; i < 4; ++i) EXPECT_EQ(uint8_t(id >> (8 * i)), expected[i]) << i;
    EXPECT_THROW(aml::eisa_id("pnp0a03"), std::invalid_argument);
    EXPECT_THROW(aml::eisa_id("PNP0A0"), std::invalid_argument);
}

TEST(Aml, NestedObjectsDecodeWithTheirPaths) {
    aml::Bytes values[] = {aml::integer(5), aml::string("x"), aml::buffer(aml::Bytes{1, 2, 3})};
    aml::Bytes body = aml::scope(
        "\\_SB", aml::device("DEV0", aml::join({aml::name("PKG", aml::package(values)),
                                                aml::processor("CPU1", 7, 0x1234, 6, {})})));
    test::AmlNamespace ns = test::AmlReader(body).read();
    EXPECT_EQ(ns.objects["\\_SB_.DEV0"], "Device");
    EXPECT_EQ(ns.objects["\\_SB_.DEV0.CPU1"], "Processor");
    EXPECT_EQ(ns.processor_ids["\\_SB_.DEV0.CPU1"], 7);
    const test::AmlValue& pkg = ns.names["\\_SB_.DEV0.PKG_"];
    ASSERT_EQ(pkg.elements.size(), 3u);
    EXPECT_EQ(pkg.elements[0].integer, 5u);
    EXPECT_EQ(pkg.elements[1].string, "x");
    EXPECT_EQ(pkg.elements[2].buffer, (aml::Bytes{1, 2, 3}));
}

}  // namespace
}  // namespace sandpc
