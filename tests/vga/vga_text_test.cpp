#include <string>

#include "vga_test_util.h"

namespace sandpc {
namespace {

class VgaText : public test::VgaFixture {
  protected:
    void SetUp() override { set_mode(0x03); }
    void put(unsigned row, unsigned col, uint8_t ch, uint8_t attr) {
        uint64_t a = 0xB8000 + (row * 80 + col) * 2;
        poke(a, ch);
        poke(a + 1, attr);
    }
    void clear() {
        for (unsigned i = 0; i < 80 * 25; ++i) put(i / 80, i % 80, ' ', 0x07);
    }
    const uint8_t* pixel(const RgbImage& img, unsigned x, unsigned y) { return img.at(x, y); }
};

TEST_F(VgaText, ScreenTextFromMemory) {
    clear();
    std::string hello = "Hello, VGA";
    for (unsigned i = 0; i < hello.size(); ++i) put(0, i, static_cast<uint8_t>(hello[i]), 0x1F);
    put(1, 2, 0xC9, 0x07);  // box corner
    put(1, 3, 0xCD, 0x07);
    put(24, 79, 0x01, 0x07);  // smiley in the last cell
    ASSERT_TRUE(vga.is_text_mode());
    std::string screen = vga.text_screen();
    std::string expect = "Hello, VGA\n  ╔═" + std::string(23, '\n') + std::string(79, ' ') + "☺";
    EXPECT_EQ(screen, expect);
}

TEST_F(VgaText, StartAddressScrollsThePage) {
    clear();
    put(0, 0, 'A', 0x07);
    put(1, 0, 'B', 0x07);
    set_crtc(0x0C, 0x00);
    set_crtc(0x0D, 80);  // start one row down
    EXPECT_EQ(vga.text_screen().substr(0, 2), "B\n");
}

TEST_F(VgaText, CursorPositionAndShape) {
    set_crtc(0x0E, 0x00);
    set_crtc(0x0F, 0xA5);  // 165 = row 2, column 5
    TextCursor c = vga.cursor();
    EXPECT_TRUE(c.visible);
    EXPECT_EQ(c.row, 2u);
    EXPECT_EQ(c.column, 5u);
    set_crtc(0x0A, 0x20);  // cursor off
    EXPECT_FALSE(vga.cursor().visible);
}

TEST_F(VgaText, GraphicsModeHasNoText) {
    set_mode(0x13);
    EXPECT_FALSE(vga.is_text_mode());
    EXPECT_EQ(vga.text_screen(), "");
}

TEST_F(VgaText, RenderUsesFontInPlaneTwoAndAttributeColours) {
    const uint8_t glyph[16] = {0x81, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80};
    load_glyph('X', glyph, 16);
    const uint8_t line[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
    load_glyph(0xC4, line, 16);
    clear();
    put(0, 0, 'X', 0x1E);  // yellow on blue
    put(0, 1, 0xC4, 0x07);
    set_crtc(0x0A, 0x20);  // cursor off, so cell (0,0) is not overdrawn
    RgbImage img = vga.render();
    ASSERT_EQ(img.width, 720u);
    ASSERT_EQ(img.height, 400u);
    // Colour 0x0E -> palette 0x3E -> DAC 0x3E = (0x3F, 0x3F, 0x15) -> 8-bit.
    const uint8_t yellow[3] = {0xFF, 0xFF, 0x55};
    const uint8_t blue[3] = {0x00, 0x00, 0xAA};
    EXPECT_EQ(0, memcmp(pixel(img, 0, 0), yellow, 3));
    EXPECT_EQ(0, memcmp(pixel(img, 1, 0), blue, 3));
    EXPECT_EQ(0, memcmp(pixel(img, 7, 0), yellow, 3));
    EXPECT_EQ(0, memcmp(pixel(img, 8, 0), blue, 3));  // ninth dot: background for 'X'
    EXPECT_EQ(0, memcmp(pixel(img, 3, 1), yellow, 3));
    EXPECT_EQ(0, memcmp(pixel(img, 0, 15), yellow, 3));
    EXPECT_EQ(0, memcmp(pixel(img, 1, 15), blue, 3));
    // 0xC4 is a line-drawing character: the ninth dot repeats the eighth.
    const uint8_t grey[3] = {0xAA, 0xAA, 0xAA};
    EXPECT_EQ(0, memcmp(pixel(img, 9 + 7, 15), grey, 3));
    EXPECT_EQ(0, memcmp(pixel(img, 9 + 8, 15), grey, 3));
    EXPECT_EQ(pixel(img, 9 + 6, 15)[0], 0x00);
}

TEST_F(VgaText, CursorDrawnOnItsScanLines) {
    clear();
    set_crtc(0x0A, 0x0D);
    set_crtc(0x0B, 0x0E);
    set_crtc(0x0E, 0x00);
    set_crtc(0x0F, 81);           // row 1, column 1
    RgbImage img = vga.render();  // virtual time 0: cursor phase on
    EXPECT_EQ(img.at(9 + 4, 16 + 13)[0], 0xAA);
    EXPECT_EQ(img.at(9 + 4, 16 + 14)[0], 0xAA);
    EXPECT_EQ(img.at(9 + 4, 16 + 12)[0], 0x00);
    EXPECT_EQ(img.at(9 + 4, 16 + 15)[0], 0x00);
    sched.advance(16 * Vga::kFrameNs);  // blink phase off
    EXPECT_EQ(vga.render().at(9 + 4, 16 + 13)[0], 0x00);
}

TEST_F(VgaText, MonochromeModeSevenAtB0000) {
    set_mode(0x07);
    poke(0xB0000, 'M');
    poke(0xB0001, 0x07);
    poke(0xB0002, 'D');
    poke(0xB0003, 0x07);
    EXPECT_EQ(vga.text_screen().substr(0, 3), "MD\n");
}

}  // namespace
}  // namespace sandpc
