// The ROM fonts against their source, GNU Unifont, and the properties the
// derived cell heights must keep; then the fonts as the guest sees them:
// plane 2 after a text mode set, the picture, INT 10h AX=1130h.
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <map>
#include <string>

#include "bios/font/rom_font.h"
#include "devices/vga/cp437.h"
#include "devices/vga/vga_planar.h"
#include "tests/bios/bios_guest.h"

namespace sandpc {
namespace {

using test::far_pointer;
using test::is_black;
using test::peek16;
using test::peek8;

// Unifont's 8x16 glyph for a code point (empty when absent or 16 wide).
std::vector<uint8_t> unifont_glyph(uint32_t code_point) {
    std::ifstream in(SANDPC_UNIFONT_HEX);
    char key[16];
    std::snprintf(key, sizeof key, "%04X:", code_point);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) != 0) continue;
        std::string hex = line.substr(line.find(':') + 1);
        if (hex.size() != 32) return {};
        std::vector<uint8_t> rows;
        for (size_t i = 0; i < 32; i += 2)
            rows.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
        return rows;
    }
    return {};
}

const uint8_t* glyph(unsigned height, unsigned ch) {
    switch (height) {
        case 16: return kRomFont8x16 + ch * 16;
        case 14: return kRomFont8x14 + ch * 14;
        default: return kRomFont8x8 + ch * 8;
    }
}

TEST(RomFont, Font8x16IsUnifontForCodePage437) {
    // CP437 byte -> Unicode (IBM's code page table).
    const std::pair<unsigned, uint32_t> samples[] = {
        {0x41, 0x0041}, {0x01, 0x263A}, {0x80, 0x00C7}, {0xB3, 0x2502}, {0xC4, 0x2500},
        {0xC9, 0x2554}, {0xDB, 0x2588}, {0xE1, 0x00DF}, {0xFE, 0x25A0}, {0x7F, 0x2302},
    };
    for (auto [ch, cp] : samples) {
        std::vector<uint8_t> expected = unifont_glyph(cp);
        ASSERT_EQ(expected.size(), 16u) << std::hex << cp;
        for (unsigned row = 0; row < 16; ++row)
            EXPECT_EQ(glyph(16, ch)[row], expected[row]) << std::hex << ch << " row " << row;
    }
    for (unsigned row = 0; row < 16; ++row) EXPECT_EQ(glyph(16, 0)[row], 0) << "NUL is blank";
}

TEST(RomFont, BoxDrawingGlyphsConnectInEveryHeight) {
    for (unsigned height : {14u, 8u}) {
        for (unsigned ch = 0xB3; ch <= 0xDA; ++ch) {
            const uint8_t* big = glyph(16, ch);
            const uint8_t* small = glyph(height, ch);
            // Vertical strokes reach the top and bottom edges as before.
            EXPECT_EQ(small[0], big[0]) << std::hex << ch << " top, height " << height;
            EXPECT_EQ(small[height - 1], big[15]) << std::hex << ch << " bottom, height " << height;
            // Horizontal strokes (rows 6-8 of the 8x16 cell) all survive.
            for (unsigned row = 6; row <= 8; ++row) {
                bool found = false;
                for (unsigned r = 0; r < height; ++r) found |= (small[r] & big[row]) == big[row];
                EXPECT_TRUE(found) << std::hex << ch << " row " << row << ", height " << height;
            }
        }
    }
    // Double lines keep their gap: the rows of U+2550 in 8x8 are not adjacent.
    const uint8_t* dbl = glyph(8, 0xCD);
    int first = -1, second = -1;
    for (int r = 0; r < 8; ++r)
        if (dbl[r] == 0xFF) (first < 0 ? first : second) = r;
    EXPECT_GE(second - first, 2);
}

TEST(RomFont, TextModeSetLoadsThe8x16FontIntoPlane2) {
    Machine m(test::guest_config("text_cell"));
    ASSERT_EQ(test::run_guest(m), 0);
    std::span<uint8_t> vram = m.vga().linear_framebuffer();
    for (unsigned ch : {0x41u, 0xB3u, 0xDBu}) {
        for (unsigned row = 0; row < 32; ++row) {
            uint8_t expected = row < 16 ? glyph(16, ch)[row] : 0;
            EXPECT_EQ(plane_byte(vram, 2, ch * 32 + row), expected) << std::hex << ch << " " << row;
        }
    }
    // The text is still where the guest wrote it (the font load restored
    // the text-mode addressing).
    EXPECT_EQ(m.text_screen().substr(0, 1), "A");

    RgbImage img = m.vga().render();
    ASSERT_EQ(img.width, 720u);  // 80 columns of 9 dots
    const uint8_t* a = glyph(16, 'A');
    for (unsigned line = 0; line < 13; ++line) {  // the cursor may cover lines 13-14
        for (unsigned dot = 0; dot < 8; ++dot) {
            bool on = (a[line] >> (7 - dot)) & 1;
            EXPECT_EQ(!is_black(img, dot, line), on) << "dot " << dot << " line " << line;
        }
        EXPECT_TRUE(is_black(img, 8, line));
    }
}

TEST(RomFont, Int10Function1130ReturnsTheRomFonts) {
    Machine m(test::guest_config("font_info"));
    ASSERT_EQ(test::run_guest(m), 0);
    uint32_t font16 = far_pointer(m, 0x600);
    EXPECT_EQ(peek16(m, 0x604), 16u);  // bytes per character of the current (text) font
    EXPECT_EQ(peek8(m, 0x606), 24u);   // rows - 1
    uint32_t font8 = far_pointer(m, 0x608);
    EXPECT_GE(font16, 0xF0000u);
    EXPECT_GE(font8, 0xF0000u);
    for (unsigned ch : {0x00u, 0x41u, 0xC4u, 0xFFu}) {
        for (unsigned row = 0; row < 16; ++row)
            EXPECT_EQ(peek8(m, font16 + ch * 16 + row), glyph(16, ch)[row]) << std::hex << ch;
        for (unsigned row = 0; row < 8; ++row)
            EXPECT_EQ(peek8(m, font8 + ch * 8 + row), glyph(8, ch)[row]) << std::hex << ch;
    }
    // INT 1Fh and INT 43h: the vectors themselves.
    EXPECT_EQ(far_pointer(m, 0x60C), far_pointer(m, 0x43 * 4));
    EXPECT_EQ(far_pointer(m, 0x1F * 4), font8 + 128 * 8);
}

}  // namespace
}  // namespace sandpc
