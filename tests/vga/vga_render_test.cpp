#include "devices/vga/vga_render.h"

#include "vga_test_util.h"

namespace sandpc {
namespace {

using VgaRender = test::VgaFixture;

TEST_F(VgaRender, Mode13hPixelsThroughTheDac) {
    set_mode(0x13);
    poke(0xA0000 + 320 * 199 + 319, 40);  // default palette 40: bright red
    poke(0xA0000 + 5, 0x1F);              // last grey: white
    RgbImage img = vga.render();
    ASSERT_EQ(img.width, 320u);
    ASSERT_EQ(img.height, 200u);
    EXPECT_EQ(img.at(319, 199)[0], 0xFF);
    EXPECT_EQ(img.at(319, 199)[1], 0x00);
    EXPECT_EQ(img.at(5, 0)[1], 0xFF);
    EXPECT_EQ(img.at(4, 0)[0], 0x00);
    // The PEL mask is applied to every pixel value.
    out(0x3C6, 0x0F);
    EXPECT_EQ(vga.render().at(5, 0)[1], 0xFF);  // 0x1F & 0x0F = 15: white too
    out(0x3C6, 0x07);
    EXPECT_EQ(vga.render().at(5, 0)[1], 0xAA);  // 7: light grey
}

TEST_F(VgaRender, Mode12hPlanarPixels) {
    set_mode(0x12);
    // Write mode 2: colour 12 (light red) in the leftmost pixel of line 479.
    set_gc(5, 0x02);
    set_gc(8, 0x80);
    uint32_t offset = 479 * 80;
    peek(0xA0000 + offset);
    poke(0xA0000 + offset, 12);
    set_gc(8, 0x01);
    poke(0xA0000 + 1, 1);  // pixel 15 of line 0: blue
    RgbImage img = vga.render();
    ASSERT_EQ(img.width, 640u);
    ASSERT_EQ(img.height, 480u);
    // 12 -> palette 0x3C -> (0x3F, 0x15, 0x15)
    EXPECT_EQ(img.at(0, 479)[0], 0xFF);
    EXPECT_EQ(img.at(0, 479)[1], 0x55);
    EXPECT_EQ(img.at(1, 479)[0], 0x00);
    EXPECT_EQ(img.at(15, 0)[2], 0xAA);
    EXPECT_EQ(img.at(14, 0)[2], 0x00);
    // Colour plane enable masks planes before the palette.
    in(0x3DA);
    out(0x3C0, 0x32);
    out(0x3C0, 0x03);
    EXPECT_EQ(vga.render().at(0, 479)[0], 0x00);  // 12 & 3 = 0
}

TEST_F(VgaRender, UnchainedModeXUsesAllPlanes) {
    set_mode(0x13);
    set_seq(4, 0x06);      // chain-4 off
    set_crtc(0x14, 0x00);  // dword mode off
    set_crtc(0x17, 0xE3);  // byte mode
    set_seq(2, 0x04);      // plane 2 = pixel 2 of each group of four
    poke(0xA0000 + 80, 40);
    RgbImage img = vga.render();
    EXPECT_EQ(img.at(2, 1)[0], 0xFF);
    EXPECT_EQ(img.at(1, 1)[0], 0x00);
}

TEST_F(VgaRender, PaletteSourceClearedBlanksTheScreen) {
    set_mode(0x13);
    poke(0xA0000, 15);
    EXPECT_EQ(vga.render().at(0, 0)[0], 0xFF);
    in(0x3DA);
    out(0x3C0, 0x00);  // palette source 0: palette owned by the CPU, display blank
    RgbImage img = vga.render();
    EXPECT_EQ(img.width, 320u);
    EXPECT_EQ(img.at(0, 0)[0], 0x00);
}

TEST(VgaAttribute, ColourSelectAndP54S) {
    VgaRegisters r;
    r.attr[0x12] = 0x0F;
    r.attr[5] = 0x1D;
    r.attr[0x14] = 0x0E;  // bits 3-2 -> DAC bits 7-6, bits 1-0 -> bits 5-4 with P54S
    EXPECT_EQ(attribute_to_dac_index(r, 5), 0xC0 | 0x1D);
    r.attr[0x10] = 0x80;
    EXPECT_EQ(attribute_to_dac_index(r, 5), 0xC0 | 0x20 | 0x0D);
}

}  // namespace
}  // namespace sandpc
