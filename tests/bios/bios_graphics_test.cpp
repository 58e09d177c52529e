// INT 10h text and pixels in the VGA graphics modes, checked in the picture
// the VGA shows.
#include <gtest/gtest.h>

#include "bios/font/rom_font.h"
#include "tests/bios/bios_guest.h"

namespace sandpc {
namespace {

using test::is_black;

TEST(BiosGraphics, Mode13TeletypeDrawsTheGlyphAndScrollMovesIt) {
    Machine m(test::guest_config("mode13_text"));
    ASSERT_EQ(test::run_guest(m), 1);  // cursor column after one character
    RgbImage img = m.vga().render();
    ASSERT_EQ(img.width % 320, 0u);
    unsigned sx = img.width / 320, sy = img.height / 200;
    ASSERT_GT(sx, 0u);
    ASSERT_GT(sy, 0u);
    const uint8_t* a = kRomFont8x8 + 'A' * 8;
    // Written on row 1, scrolled up to row 0; row 1 is blank again.
    for (unsigned line = 0; line < 8; ++line) {
        for (unsigned dot = 0; dot < 8; ++dot) {
            bool on = (a[line] >> (7 - dot)) & 1;
            EXPECT_EQ(!is_black(img, dot * sx, line * sy), on) << dot << "," << line;
            EXPECT_TRUE(is_black(img, dot * sx, (8 + line) * sy)) << dot << "," << line;
        }
    }
}

TEST(BiosGraphics, Mode12TextAndPixelsGoThroughThePlanes) {
    Machine m(test::guest_config("mode12_text"));
    ASSERT_EQ(test::run_guest(m), 5);  // INT 10h AH=0Dh read colour 5 back
    RgbImage img = m.vga().render();
    ASSERT_EQ(img.width, 640u);
    ASSERT_EQ(img.height, 480u);
    const uint8_t* a = kRomFont8x16 + 'A' * 16;
    const uint8_t* yellow = nullptr;
    for (unsigned line = 0; line < 16; ++line) {
        for (unsigned dot = 0; dot < 8; ++dot) {
            bool on = (a[line] >> (7 - dot)) & 1;
            EXPECT_EQ(!is_black(img, dot, line), on) << dot << "," << line;
            if (on && !yellow) yellow = img.at(dot, line);
        }
    }
    ASSERT_NE(yellow, nullptr);
    // Colour 14 in the default EGA palette is yellow: red and green, no blue.
    EXPECT_GT(yellow[0], 0x80);
    EXPECT_GT(yellow[1], 0x80);
    EXPECT_LT(yellow[2], 0x80);
    // The pixel, and only it: colour 5 is magenta.
    const uint8_t* p = img.at(100, 101);
    EXPECT_GT(p[0], 0x40);
    EXPECT_EQ(p[1], 0);
    EXPECT_GT(p[2], 0x40);
    EXPECT_TRUE(is_black(img, 99, 101));
    EXPECT_TRUE(is_black(img, 101, 101));
    EXPECT_TRUE(is_black(img, 100, 100));
}

}  // namespace
}  // namespace sandpc
