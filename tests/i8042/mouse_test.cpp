#include <gtest/gtest.h>

#include "tests/i8042/i8042_test_util.h"

namespace sandpc::test {
namespace {

class MouseTest : public I8042Fixture, public ::testing::Test {
  protected:
    void SetUp() override { set_command_byte(0x47); }  // translation on: must not touch aux data
    Bytes move(int dx, int dy, int dz, uint8_t buttons) {
        EXPECT_TRUE(kbc.mouse_move(dx, dy, dz, buttons));
        return drain();
    }
};

TEST_F(MouseTest, ResetAndId) {
    EXPECT_EQ(to_mouse({0xFF}), (Bytes{0xFA, 0xAA, 0x00}));
    EXPECT_EQ(to_mouse({0xF2}), (Bytes{0xFA, 0x00}));
    EXPECT_EQ(to_mouse({0x01}), (Bytes{0xFE}));
}

TEST_F(MouseTest, AuxDataSetsAuxbAndIrq12) {
    to_mouse({0xF2});
    command(0xD4, 0xF2);
    EXPECT_EQ(bus.read8(0x64) & 0x21, 0x21);
    EXPECT_TRUE(sink.levels[12]);
    EXPECT_FALSE(sink.levels[1]);
    EXPECT_EQ(bus.read8(0x60), 0xFA);
    EXPECT_EQ(sink.rising[12], 4);  // each of the four bytes was its own edge
    EXPECT_EQ(bus.read8(0x60), 0x00);
    EXPECT_FALSE(sink.levels[12]);
    command(0xA7);  // aux port disabled: bytes wait
    command(0xD4, 0xF2);
    EXPECT_EQ(bus.read8(0x64) & 0x01, 0);
    command(0xA8);
    EXPECT_EQ(drain(), (Bytes{0xFA, 0x00}));
}

TEST_F(MouseTest, StandardPacketsWithSignAndOverflow) {
    EXPECT_EQ(move(5, 5, 0, 0), Bytes{});  // reporting off by default
    EXPECT_EQ(to_mouse({0xF4}), (Bytes{0xFA}));
    EXPECT_EQ(move(-1, 2, 0, 0x04), (Bytes{0x1C, 0xFF, 0x02}));
    EXPECT_EQ(move(3, -4, 0, 0x01), (Bytes{0x29, 0x03, 0xFC}));
    EXPECT_EQ(move(300, -300, 0, 0x02), (Bytes{0xEA, 0xFF, 0x00}));
    EXPECT_EQ(move(0, 0, 0, 0x02), Bytes{});                    // nothing changed
    EXPECT_EQ(move(0, 0, 0, 0x00), (Bytes{0x08, 0x00, 0x00}));  // button released
    EXPECT_EQ(to_mouse({0xF5}), (Bytes{0xFA}));
    EXPECT_EQ(move(1, 1, 0, 0), Bytes{});
}

TEST_F(MouseTest, IntelliMouseSequenceGivesWheelPackets) {
    EXPECT_EQ(to_mouse({0xF3, 200, 0xF3, 100, 0xF3, 80}), Bytes(6, 0xFA));
    EXPECT_EQ(to_mouse({0xF2}), (Bytes{0xFA, 0x03}));
    to_mouse({0xF4});
    EXPECT_EQ(move(5, -3, 1, 0x01), (Bytes{0x29, 0x05, 0xFD, 0x01}));
    EXPECT_EQ(move(0, 0, -20, 0x01), (Bytes{0x09, 0x00, 0x00, 0xF8}));  // clamped to -8
    // Explorer: 200, 200, 80 next gives ID 4 with buttons 4/5 in byte 4.
    to_mouse({0xF3, 200, 0xF3, 200, 0xF3, 80});
    EXPECT_EQ(to_mouse({0xF2}), (Bytes{0xFA, 0x04}));
    EXPECT_EQ(move(0, 0, -1, 0x18), (Bytes{0x08, 0x00, 0x00, 0x3F}));
    EXPECT_EQ(to_mouse({0xFF}), (Bytes{0xFA, 0xAA, 0x00}));
    EXPECT_EQ(to_mouse({0xF2}), (Bytes{0xFA, 0x00}));
}

TEST_F(MouseTest, WrongOrderDoesNotUnlockWheel) {
    to_mouse({0xF3, 100, 0xF3, 200, 0xF3, 80});
    EXPECT_EQ(to_mouse({0xF2}), (Bytes{0xFA, 0x00}));
    EXPECT_EQ(to_mouse({0xF3, 7}), (Bytes{0xFA, 0xFE}));  // not a valid rate
}

TEST_F(MouseTest, StatusResolutionAndScaling) {
    EXPECT_EQ(to_mouse({0xE9}), (Bytes{0xFA, 0x00, 0x02, 100}));
    to_mouse({0xF3, 40, 0xE8, 3, 0xE7, 0xF4});
    kbc.mouse_move(0, 0, 0, 0x05);  // left + middle
    drain();
    EXPECT_EQ(to_mouse({0xE9}), (Bytes{0xFA, 0x36, 0x03, 40}));
    EXPECT_EQ(to_mouse({0xE8, 4}), (Bytes{0xFA, 0xFE}));
    // 2:1 scaling: 1->1, 2->1, 3->3, 4->6, 5->9, n->2n.
    EXPECT_EQ(move(4, 5, 0, 0x05), (Bytes{0x0D, 0x06, 0x09}));
    EXPECT_EQ(move(-2, 10, 0, 0x05), (Bytes{0x1D, 0xFF, 0x14}));
    to_mouse({0xE6});
    EXPECT_EQ(move(4, 5, 0, 0x05), (Bytes{0x0D, 0x04, 0x05}));
    EXPECT_EQ(to_mouse({0xF6, 0xE9}),
              (Bytes{0xFA, 0xFA, 0x06, 0x02, 100}));  // bit 2 left, 1 middle
}

TEST_F(MouseTest, RemoteModeReportsOnReadData) {
    to_mouse({0xF4, 0xF0});
    EXPECT_EQ(move(10, 0, 0, 0), Bytes{});
    EXPECT_EQ(move(5, -2, 0, 0), Bytes{});
    EXPECT_EQ(to_mouse({0xEB}), (Bytes{0xFA, 0x28, 0x0F, 0xFE}));
    EXPECT_EQ(to_mouse({0xEB}), (Bytes{0xFA, 0x08, 0x00, 0x00}));  // counters cleared
    EXPECT_EQ(to_mouse({0xE9}).at(1) & 0x40, 0x40);
    to_mouse({0xEA});
    EXPECT_EQ(move(1, 1, 0, 0), (Bytes{0x08, 0x01, 0x01}));
}

TEST_F(MouseTest, WrapModeEchoes) {
    EXPECT_EQ(to_mouse({0xEE}), (Bytes{0xFA}));
    EXPECT_EQ(to_mouse({0x12, 0xF2, 0xE9}), (Bytes{0x12, 0xF2, 0xE9}));
    EXPECT_EQ(to_mouse({0xEC}), (Bytes{0xFA}));
    EXPECT_EQ(to_mouse({0xF2}), (Bytes{0xFA, 0x00}));
}

TEST_F(MouseTest, SaveLoadKeepsModeAndPendingBytes) {
    to_mouse({0xF3, 200, 0xF3, 100, 0xF3, 80, 0xF4});
    kbc.mouse_move(7, 7, 2, 0x01);  // four bytes, the first in the buffer
    StateWriter w;
    kbc.save(w);
    I8042Fixture other;
    StateReader r(w.data());
    other.kbc.load(r);
    EXPECT_TRUE(other.sink.levels[12]);
    EXPECT_EQ(other.drain(), drain());
    EXPECT_EQ(other.kbc.mouse().id(), 3);
    EXPECT_EQ(other.to_mouse({0xE9}), to_mouse({0xE9}));
}

}  // namespace
}  // namespace sandpc::test
