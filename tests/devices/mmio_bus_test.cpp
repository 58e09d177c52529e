#include "devices/mmio_bus.h"

#include <gtest/gtest.h>

#include <vector>

namespace sandpc {
namespace {

struct Recorded {
    uint64_t offset;
    unsigned size;
    uint64_t value;
};

TEST(MmioBus, DispatchesByRegionWithOffsets) {
    MmioBus bus;
    std::vector<Recorded> log;
    MmioHandlers h;
    h.read = [](uint64_t off, unsigned size) { return off * 16 + size; };
    h.write = [&](uint64_t off, unsigned size, uint64_t v) { log.push_back({off, size, v}); };
    auto apic = bus.map(0xFEE00000, 0x1000, h, "lapic");
    auto hpet = bus.map(0xFED00000, 0x400, h, "hpet");
    EXPECT_EQ(bus.read(0xFEE00020, 4), 0x20u * 16 + 4);
    EXPECT_EQ(bus.read(0xFED00008, 8), 8u * 16 + 8);
    EXPECT_EQ(bus.read(0xFEC00000, 4), 0xFFFFFFFFu);
    EXPECT_EQ(bus.read(0xFEC00000, 8), ~0ull);
    bus.write(0xFEE000B0, 4, 0);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].offset, 0xB0u);
    EXPECT_THROW((void)bus.map(0xFEE00800, 0x1000, h), std::invalid_argument);
    EXPECT_THROW((void)bus.map(0xFEDFF000, 0x2000, h), std::invalid_argument);
    apic.reset();
    EXPECT_FALSE(bus.contains(0xFEE00000));
    EXPECT_TRUE(bus.contains(0xFED003FF));
    EXPECT_FALSE(bus.contains(0xFED00400));
}

TEST(MmioBus, StraddlingAccessIsSplitIntoBytes) {
    MmioBus bus;
    MmioHandlers h;
    h.read = [](uint64_t off, unsigned) { return 0xA0 + off; };
    auto m = bus.map(0x1000, 2, h);
    // Bytes 0x0FFF and 0x1002 are unmapped.
    EXPECT_EQ(bus.read(0x0FFF, 4), 0xFFA1A0FFu);
}

}  // namespace
}  // namespace sandpc
