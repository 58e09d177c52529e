#include <gtest/gtest.h>

#include "tests/i8042/i8042_test_util.h"

namespace sandpc::test {
namespace {

class ControllerTest : public I8042Fixture, public ::testing::Test {};

TEST_F(ControllerTest, SelfTestAndInterfaceTests) {
    EXPECT_EQ(bus.read8(0x64) & 0x01, 0);
    command(0xAA);
    EXPECT_EQ(bus.read8(0x64) & 0x09, 0x09);  // OBF, last write was a command
    EXPECT_EQ(bus.read8(0x60), 0x55);
    EXPECT_EQ(bus.read8(0x64) & 0x01, 0);
    command(0xAB);
    command(0xA9);
    EXPECT_EQ(drain(), (Bytes{0x00, 0x00}));
    bus.write8(0x60, 0xEE);  // data write clears the command/data flag
    EXPECT_EQ(bus.read8(0x64) & 0x08, 0);
}

TEST_F(ControllerTest, CommandByteAndRamReadBack) {
    set_command_byte(0x47);
    EXPECT_EQ(kbc.command_byte(), 0x47);
    command(0x20);
    EXPECT_EQ(drain(), Bytes{0x47});
    EXPECT_TRUE(bus.read8(0x64) & 0x04);  // system flag from bit 2
    command(0x65, 0x9C);                  // RAM byte 5
    command(0x25);
    EXPECT_EQ(drain(), Bytes{0x9C});
    command(0xAD);
    command(0xA7);
    command(0x20);
    EXPECT_EQ(drain(), Bytes{0x77});
    command(0xAE);
    command(0xA8);
    EXPECT_EQ(kbc.command_byte(), 0x47);
    set_command_byte(0x40);
    EXPECT_FALSE(bus.read8(0x64) & 0x04);
}

TEST_F(ControllerTest, A20ThroughOutputPortAndShortcuts) {
    command(0xD0);
    uint8_t port = drain().at(0);
    EXPECT_EQ(port & 0x03, 0x01);  // reset released, A20 off
    command(0xD1, 0xDF);
    EXPECT_TRUE(a20);
    EXPECT_EQ(a20_calls, 1);
    EXPECT_TRUE(kbc.a20_enabled());
    command(0xD0);
    EXPECT_EQ(drain().at(0) & 0x03, 0x03);
    command(0xD1, 0xDF);  // no change, no call
    EXPECT_EQ(a20_calls, 1);
    command(0xDD);
    EXPECT_FALSE(a20);
    command(0xDF);
    EXPECT_TRUE(a20);
    EXPECT_EQ(a20_calls, 3);
    EXPECT_EQ(resets, 0);
}

TEST_F(ControllerTest, ResetThroughPulseAndOutputPort) {
    command(0xFF);  // pulses nothing
    EXPECT_EQ(resets, 0);
    command(0xFE);
    EXPECT_EQ(resets, 1);
    command(0xD1, 0x02);  // bit 0 low, A20 on
    EXPECT_EQ(resets, 2);
    EXPECT_TRUE(a20);
    command(0xD0);
    EXPECT_EQ(drain().at(0) & 0x01, 0x01);  // line released again
}

TEST_F(ControllerTest, OutputPortShowsWhichBufferIsFull) {
    set_command_byte(0x00);
    kbc.press_key(0x1E);  // key byte waiting in the buffer
    command(0xD0);        // its reply queues behind the key byte
    Bytes got = drain();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], 0x1C);
    EXPECT_EQ(got[1] & 0x30, 0x10);
    command(0xD3, 0x42);
    EXPECT_EQ(bus.read8(0x64) & 0x21, 0x21);
    command(0xD0);
    got = drain();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], 0x42);
    EXPECT_EQ(got[1] & 0x30, 0x20);
    command(0xD0);
    EXPECT_EQ(drain().at(0) & 0x30, 0x00);
}

TEST_F(ControllerTest, WriteOutputBuffersRaiseTheirIrqs) {
    set_command_byte(0x03);
    command(0xD2, 0x12);
    EXPECT_TRUE(sink.levels[1]);
    EXPECT_FALSE(sink.levels[12]);
    EXPECT_EQ(bus.read8(0x64) & 0x20, 0);
    EXPECT_EQ(bus.read8(0x60), 0x12);  // not translated
    EXPECT_FALSE(sink.levels[1]);
    command(0xD3, 0x34);
    EXPECT_TRUE(sink.levels[12]);
    EXPECT_FALSE(sink.levels[1]);
    EXPECT_EQ(bus.read8(0x60), 0x34);
    EXPECT_FALSE(sink.levels[12]);
}

TEST_F(ControllerTest, EveryByteIsANewEdgeAndEmptyReadRepeats) {
    set_command_byte(0x01);  // keyboard IRQ, no translation
    EXPECT_EQ(sink.rising[1], 0);
    kbc.press_key(0xE01D);  // E0 14: two bytes
    EXPECT_EQ(sink.rising[1], 1);
    EXPECT_EQ(bus.read8(0x60), 0xE0);
    EXPECT_EQ(sink.rising[1], 2);
    EXPECT_TRUE(sink.levels[1]);
    EXPECT_EQ(bus.read8(0x60), 0x14);
    EXPECT_FALSE(sink.levels[1]);
    EXPECT_EQ(sink.rising[1], 2);
    EXPECT_EQ(bus.read8(0x60), 0x14);  // nothing new: the last byte again
    EXPECT_EQ(sink.rising[1], 2);
}

TEST_F(ControllerTest, IrqEnableBitGatesTheLine) {
    set_command_byte(0x00);
    kbc.press_key(0x1E);
    EXPECT_FALSE(sink.levels[1]);
    set_command_byte(0x01);  // the reply-free write leaves the byte pending
    EXPECT_TRUE(sink.levels[1]);
    EXPECT_EQ(bus.read8(0x60), 0x1C);
}

TEST_F(ControllerTest, DisabledKeyboardPortHoldsItsBytes) {
    set_command_byte(0x00);
    command(0xAD);
    kbc.press_key(0x1E);
    EXPECT_EQ(bus.read8(0x64) & 0x01, 0);
    EXPECT_FALSE(kbc.idle());
    command(0xAE);
    EXPECT_EQ(drain(), Bytes{0x1C});
    EXPECT_TRUE(kbc.idle());
}

TEST_F(ControllerTest, InputPortReadsKeyboardNotInhibited) {
    command(0xC0);
    EXPECT_TRUE(drain().at(0) & 0x80);
    EXPECT_TRUE(bus.read8(0x64) & 0x10);
}

TEST_F(ControllerTest, SaveLoadRoundTrip) {
    set_command_byte(0x03);
    command(0xD1, 0x03);
    bus.write8(0x60, 0xF0);  // keyboard now awaits a scan code set
    drain();
    kbc.type_text("ab");
    command(0xD4, 0xF2);  // mouse ID reply queued behind the keyboard bytes
    EXPECT_EQ(bus.read8(0x60), 0x1C);
    command(0x64);  // a RAM write left half done

    StateWriter w;
    kbc.save(w);
    I8042Fixture other;
    StateReader r(w.data());
    other.kbc.load(r);
    EXPECT_TRUE(r.at_end());
    EXPECT_TRUE(other.a20);
    EXPECT_TRUE(other.sink.levels[1]);
    EXPECT_EQ(other.bus.read8(0x64), bus.read8(0x64));
    other.bus.write8(0x60, 0x5A);  // completes the RAM write in both
    bus.write8(0x60, 0x5A);
    EXPECT_EQ(other.drain(), drain());
    other.command(0x24);
    EXPECT_EQ(other.drain(), Bytes{0x5A});
    other.bus.write8(0x60, 0x01);  // the pending F0 parameter survived
    EXPECT_EQ(other.drain(), Bytes{0xFA});
    EXPECT_EQ(other.kbc.keyboard().scan_code_set(), 1);
}

TEST_F(ControllerTest, LoadRefusesBadStateAndKeepsOldState) {
    StateWriter good;
    kbc.save(good);
    auto corrupt = [&](size_t offset, uint8_t value) {
        std::vector<uint8_t> data = good.data();
        data.at(offset) = value;
        // Fix the section checksum so the device's own checks are reached.
        uint32_t name_len = data[0];
        size_t payload = 4 + name_len + 4 + 8;
        size_t len = data.size() - payload - 4;
        uint32_t crc = crc32_of(std::span(data).subspan(payload, len));
        for (int i = 0; i < 4; ++i) data[payload + len + i] = static_cast<uint8_t>(crc >> (8 * i));
        return data;
    };
    size_t payload = 4 + 5 + 4 + 8;
    // Output port with the reset line held low.
    std::vector<uint8_t> bad_port = corrupt(payload + 32, 0xCC);
    StateReader r1(bad_port);
    EXPECT_THROW(kbc.load(r1), StateError);
    // A pending command that takes no data byte.
    std::vector<uint8_t> bad_pending = corrupt(payload + 33, 0xAA);
    StateReader r2(bad_pending);
    EXPECT_THROW(kbc.load(r2), StateError);
    // Keyboard scan code set 7 (after ram, 4 bytes, 4 flags, reply count).
    size_t keyboard = payload + 32 + 4 + 4 + 4;
    std::vector<uint8_t> bad_set = corrupt(keyboard + 1, 7);
    StateReader r3(bad_set);
    EXPECT_THROW(kbc.load(r3), StateError);
    // Truncated data.
    std::vector<uint8_t> truncated(good.data().begin(), good.data().end() - 10);
    StateReader r4(truncated);
    EXPECT_THROW(kbc.load(r4), StateError);
    EXPECT_EQ(kbc.keyboard().scan_code_set(), 2);
    EXPECT_EQ(kbc.output_port() & 0x01, 0x01);
}

}  // namespace
}  // namespace sandpc::test
