#include "devices/io_bus.h"

#include <gtest/gtest.h>

#include <vector>

namespace sandpc {
namespace {

TEST(IoBus, UnmappedPortsReadAllOnesAndIgnoreWrites) {
    IoBus bus;
    EXPECT_EQ(bus.read8(0x1234), 0xFF);
    EXPECT_EQ(bus.read16(0x1234), 0xFFFF);
    EXPECT_EQ(bus.read32(0x1234), 0xFFFFFFFFu);
    bus.write32(0x1234, 0);  // must not crash
    EXPECT_EQ(bus.read(0xFFFF, 4), 0xFFFFFFFFu);
}

TEST(IoBus, SixteenBitAccessToByteDeviceIsSplitLowPortFirst) {
    IoBus bus;
    std::vector<std::pair<uint16_t, uint8_t>> writes;
    uint8_t regs[4] = {0x11, 0x22, 0x33, 0x44};
    IoPortHandlers h;
    h.read8 = [&](uint16_t p) { return regs[p - 0x300]; };
    h.write8 = [&](uint16_t p, uint8_t v) { writes.push_back({p, v}); };
    auto m = bus.map(0x300, 4, h);
    EXPECT_EQ(bus.read16(0x300), 0x2211);
    EXPECT_EQ(bus.read32(0x300), 0x44332211u);
    // Straddling the end of the device: the unmapped half reads as ones.
    EXPECT_EQ(bus.read16(0x303), 0xFF44);
    bus.write16(0x301, 0xBEEF);
    ASSERT_EQ(writes.size(), 2u);
    EXPECT_EQ(writes[0], (std::pair<uint16_t, uint8_t>{0x301, 0xEF}));
    EXPECT_EQ(writes[1], (std::pair<uint16_t, uint8_t>{0x302, 0xBE}));
}

TEST(IoBus, WideHandlersAreUsedWhenPresent) {
    IoBus bus;
    int wide = 0;
    IoPortHandlers h;
    h.read16 = [&](uint16_t p) {
        ++wide;
        return static_cast<uint16_t>(p);
    };
    h.read32 = [&](uint16_t) { return 0xCAFEBABEu; };
    auto m = bus.map(0xCF8, 8, h);
    EXPECT_EQ(bus.read16(0xCFC), 0xCFC);
    EXPECT_EQ(bus.read32(0xCF8), 0xCAFEBABEu);
    EXPECT_EQ(bus.read8(0xCF8), 0xFF);  // no 8-bit handler
    EXPECT_EQ(wide, 1);
}

TEST(IoBus, MappingIsRemovedWithItsHandle) {
    IoBus bus;
    IoPortHandlers h;
    h.read8 = [](uint16_t) { return uint8_t{0x42}; };
    {
        auto m = bus.map(0x60, 1, h);
        EXPECT_EQ(bus.read8(0x60), 0x42);
        EXPECT_THROW((void)bus.map(0x5F, 2, h), std::invalid_argument);
        IoBus::Mapping moved = std::move(m);
        EXPECT_FALSE(m.active());
        EXPECT_EQ(bus.read8(0x60), 0x42);
    }
    EXPECT_EQ(bus.read8(0x60), 0xFF);
    EXPECT_FALSE(bus.is_mapped(0x60));
    auto again = bus.map(0x60, 1, h);  // the range is free again
    EXPECT_EQ(bus.read8(0x60), 0x42);
    EXPECT_THROW((void)bus.map(0xFFFF, 2, h), std::invalid_argument);
}

}  // namespace
}  // namespace sandpc
