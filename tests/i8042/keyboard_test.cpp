#include <gtest/gtest.h>

#include "devices/i8042/scancodes.h"
#include "tests/i8042/i8042_test_util.h"

namespace sandpc::test {
namespace {

constexpr uint8_t kCtrlTranslate = 0x40;
constexpr uint16_t kKeyA = 0x1E;
constexpr uint16_t kKeyRightCtrl = 0xE01D;
constexpr uint16_t kKeyF7 = 0x41;

class KeyboardTest : public I8042Fixture, public ::testing::Test {
  protected:
    Bytes press(uint16_t key) {
        EXPECT_TRUE(kbc.press_key(key));
        return drain();
    }
    Bytes release(uint16_t key) {
        EXPECT_TRUE(kbc.release_key(key));
        return drain();
    }
};

TEST_F(KeyboardTest, ResetIdentifyAndEcho) {
    set_command_byte(0x00);
    EXPECT_EQ(to_keyboard({0xFF}), (Bytes{0xFA, 0xAA}));
    EXPECT_EQ(to_keyboard({0xF2}), (Bytes{0xFA, 0xAB, 0x83}));
    EXPECT_EQ(to_keyboard({0xEE}), (Bytes{0xEE}));
    EXPECT_EQ(to_keyboard({0x42}), (Bytes{0xFE}));  // not a command
    EXPECT_EQ(to_keyboard({0xFE}), (Bytes{0xFE}));  // resend repeats the last byte
    set_command_byte(kCtrlTranslate);
    EXPECT_EQ(to_keyboard({0xF2}), (Bytes{0xFA, 0xAB, 0x41}));  // as on real PCs
}

TEST_F(KeyboardTest, LedsTypematicAndInterruptedParameter) {
    set_command_byte(0x00);
    EXPECT_EQ(to_keyboard({0xED, 0x05}), (Bytes{0xFA, 0xFA}));
    EXPECT_EQ(kbc.keyboard().leds(), 5);
    EXPECT_EQ(to_keyboard({0xF3, 0x20}), (Bytes{0xFA, 0xFA}));
    EXPECT_EQ(kbc.keyboard().typematic(), 0x20);
    // A command instead of the expected LED byte is executed as a command.
    EXPECT_EQ(to_keyboard({0xED, 0xF2}), (Bytes{0xFA, 0xFA, 0xAB, 0x83}));
    EXPECT_EQ(kbc.keyboard().leds(), 5);
    EXPECT_EQ(to_keyboard({0xF6}), (Bytes{0xFA}));
    EXPECT_EQ(kbc.keyboard().leds(), 0);
    EXPECT_EQ(kbc.keyboard().typematic(), 0x2B);
}

TEST_F(KeyboardTest, GetAndSetScanCodeSet) {
    set_command_byte(0x00);
    EXPECT_EQ(to_keyboard({0xF0, 0x00}), (Bytes{0xFA, 0xFA, 0x02}));
    EXPECT_EQ(to_keyboard({0xF0, 0x03}), (Bytes{0xFA, 0xFA}));
    EXPECT_EQ(to_keyboard({0xF0, 0x00}), (Bytes{0xFA, 0xFA, 0x03}));
    EXPECT_EQ(to_keyboard({0xF0, 0x04}), (Bytes{0xFA, 0xFE}));
    set_command_byte(kCtrlTranslate);
    EXPECT_EQ(to_keyboard({0xF0, 0x01, 0xF0, 0x00}), (Bytes{0xFA, 0xFA, 0xFA, 0xFA, 0x43}));
    EXPECT_EQ(to_keyboard({0xF0, 0x02, 0xF0, 0x00}), (Bytes{0xFA, 0xFA, 0xFA, 0xFA, 0x41}));
    EXPECT_EQ(to_keyboard({0xFF}), (Bytes{0xFA, 0xAA}));
    EXPECT_EQ(kbc.keyboard().scan_code_set(), 2);
}

TEST_F(KeyboardTest, Set2Untranslated) {
    set_command_byte(0x00);
    EXPECT_EQ(press(kKeyA), (Bytes{0x1C}));
    EXPECT_EQ(release(kKeyA), (Bytes{0xF0, 0x1C}));
    EXPECT_EQ(press(kKeyRightCtrl), (Bytes{0xE0, 0x14}));
    EXPECT_EQ(release(kKeyRightCtrl), (Bytes{0xE0, 0xF0, 0x14}));
    EXPECT_EQ(press(kKeyF7), (Bytes{0x83}));
    EXPECT_EQ(press(0x1C), (Bytes{0x5A}));          // Enter
    EXPECT_EQ(press(0xE01C), (Bytes{0xE0, 0x5A}));  // keypad Enter
    EXPECT_EQ(press(kKeyPrintScreen), (Bytes{0xE0, 0x12, 0xE0, 0x7C}));
    EXPECT_EQ(release(kKeyPrintScreen), (Bytes{0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12}));
    EXPECT_EQ(press(kKeyPause), (Bytes{0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77}));
    EXPECT_TRUE(kbc.release_key(kKeyPause));  // Pause has no break code
    EXPECT_EQ(drain(), Bytes{});
}

TEST_F(KeyboardTest, Set2TranslatedToSet1) {
    set_command_byte(kCtrlTranslate);
    EXPECT_EQ(press(kKeyA), (Bytes{0x1E}));
    EXPECT_EQ(release(kKeyA), (Bytes{0x9E}));
    EXPECT_EQ(press(kKeyRightCtrl), (Bytes{0xE0, 0x1D}));
    EXPECT_EQ(release(kKeyRightCtrl), (Bytes{0xE0, 0x9D}));
    EXPECT_EQ(press(kKeyF7), (Bytes{0x41}));
    EXPECT_EQ(release(0x58), (Bytes{0xD8}));        // F12 break
    EXPECT_EQ(press(0xE05B), (Bytes{0xE0, 0x5B}));  // Left Windows
    EXPECT_EQ(press(kKeyPrintScreen), (Bytes{0xE0, 0x2A, 0xE0, 0x37}));
    EXPECT_EQ(release(kKeyPrintScreen), (Bytes{0xE0, 0xB7, 0xE0, 0xAA}));
    EXPECT_EQ(press(kKeyPause), (Bytes{0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5}));
}

TEST_F(KeyboardTest, EveryKeyTranslatesBackToItsSet1Code) {
    set_command_byte(kCtrlTranslate);
    for (uint16_t key = 1; key <= 0x58; ++key) {
        if (!find_key(key)) continue;
        Bytes want_make{static_cast<uint8_t>(key)};
        Bytes want_break{static_cast<uint8_t>(key | 0x80)};
        EXPECT_EQ(press(key), want_make) << "key " << key;
        EXPECT_EQ(release(key), want_break) << "key " << key;
    }
}

TEST_F(KeyboardTest, Set1AndSet3FromTheKeyboard) {
    set_command_byte(0x00);
    to_keyboard({0xF0, 0x01});
    EXPECT_EQ(press(kKeyA), (Bytes{0x1E}));
    EXPECT_EQ(release(kKeyRightCtrl), (Bytes{0xE0, 0x9D}));
    to_keyboard({0xF0, 0x03});
    EXPECT_EQ(press(kKeyA), (Bytes{0x1C}));
    EXPECT_EQ(release(kKeyA), (Bytes{0xF0, 0x1C}));
    EXPECT_EQ(press(kKeyRightCtrl), (Bytes{0x58}));
    EXPECT_EQ(press(0x3B), (Bytes{0x07}));          // F1
    EXPECT_EQ(release(0x01), (Bytes{0xF0, 0x08}));  // Esc
}

TEST_F(KeyboardTest, DisabledScanningDropsKeys) {
    set_command_byte(0x00);
    EXPECT_EQ(to_keyboard({0xF5}), (Bytes{0xFA}));
    EXPECT_FALSE(kbc.press_key(kKeyA));
    EXPECT_FALSE(kbc.type_text("x"));
    EXPECT_EQ(drain(), Bytes{});
    EXPECT_EQ(to_keyboard({0xF4}), (Bytes{0xFA}));
    EXPECT_EQ(press(kKeyA), (Bytes{0x1C}));
    EXPECT_FALSE(kbc.press_key(0x55));  // no such key
}

TEST_F(KeyboardTest, TypedTextOrderAndShift) {
    set_command_byte(kCtrlTranslate);
    EXPECT_TRUE(kbc.type_text("Hi!\n"));
    EXPECT_FALSE(kbc.idle());
    EXPECT_EQ(drain(), (Bytes{0x2A, 0x23, 0xA3, 0xAA,  // H
                              0x17, 0x97,              // i
                              0x2A, 0x02, 0x82, 0xAA,  // !
                              0x1C, 0x9C}));           // Enter
    EXPECT_TRUE(kbc.idle());
    set_command_byte(0x00);
    EXPECT_TRUE(kbc.type_text("a B"));
    EXPECT_EQ(drain(),
              (Bytes{0x1C, 0xF0, 0x1C, 0x29, 0xF0, 0x29, 0x12, 0x32, 0xF0, 0x32, 0xF0, 0x12}));
    EXPECT_FALSE(kbc.type_text("ok\x01"));  // nothing queued for a bad string
    EXPECT_TRUE(kbc.idle());
}

TEST_F(KeyboardTest, TypingIsPacedByTheGuest) {
    set_command_byte(0x01 | kCtrlTranslate);
    EXPECT_TRUE(kbc.type_text("`~"));
    int reads = 0;
    Bytes got;
    while (!kbc.idle()) {
        ASSERT_TRUE(sink.levels[1]);
        got.push_back(bus.read8(0x60));
        ++reads;
    }
    EXPECT_EQ(got, (Bytes{0x29, 0xA9, 0x2A, 0x29, 0xA9, 0xAA}));
    EXPECT_EQ(sink.rising[1], reads);
}

TEST_F(KeyboardTest, QueueLimitDropsWholeEvents) {
    set_command_byte(0x00);
    size_t accepted = 0;
    while (kbc.press_key(kKeyRightCtrl)) ++accepted;
    // One byte sits in the output buffer, the rest in the keyboard.
    EXPECT_EQ(accepted, (Ps2Keyboard::kQueueLimit + 1) / 2);
    EXPECT_EQ(drain().size(), accepted * 2);
}

}  // namespace
}  // namespace sandpc::test
