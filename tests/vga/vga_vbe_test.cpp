#include <cstring>

#include "vga_test_util.h"

namespace sandpc {
namespace {

class VgaVbe : public test::VgaFixture {
  protected:
    uint16_t vbe_read(uint16_t index) {
        outw(0x1CE, index);
        return io.read16(0x1CF);
    }
    void vbe_write(uint16_t index, uint16_t value) {
        outw(0x1CE, index);
        outw(0x1CF, value);
    }
    void set_vbe_mode(uint16_t x, uint16_t y, uint16_t bpp, uint16_t flags) {
        vbe_write(VbeDispi::kEnable, 0);
        vbe_write(VbeDispi::kXres, x);
        vbe_write(VbeDispi::kYres, y);
        vbe_write(VbeDispi::kBpp, bpp);
        vbe_write(VbeDispi::kEnable, flags);
    }
};

TEST_F(VgaVbe, IdHandshake) {
    EXPECT_EQ(vbe_read(VbeDispi::kId), 0xB0C5);
    vbe_write(VbeDispi::kId, 0xB0C0);
    EXPECT_EQ(vbe_read(VbeDispi::kId), 0xB0C0);  // a supported version reads back
    vbe_write(VbeDispi::kId, 0xB0C6);            // unsupported: unchanged
    EXPECT_EQ(vbe_read(VbeDispi::kId), 0xB0C0);
    vbe_write(VbeDispi::kId, 0xB0C5);
    EXPECT_EQ(vbe_read(VbeDispi::kId), 0xB0C5);
    EXPECT_EQ(vbe_read(VbeDispi::kVideoMemory64k), 256);  // 16 MiB
}

TEST_F(VgaVbe, GetCapsReportsMaxima) {
    vbe_write(VbeDispi::kEnable, VbeDispi::kGetCaps);
    EXPECT_EQ(vbe_read(VbeDispi::kXres), VbeDispi::kMaxXres);
    EXPECT_EQ(vbe_read(VbeDispi::kYres), VbeDispi::kMaxYres);
    EXPECT_EQ(vbe_read(VbeDispi::kBpp), 32);
    vbe_write(VbeDispi::kEnable, 0);
    EXPECT_EQ(vbe_read(VbeDispi::kXres), 640);
}

TEST_F(VgaVbe, LinearFramebuffer32Bpp) {
    set_vbe_mode(640, 480, 32, VbeDispi::kEnabled | VbeDispi::kLfbEnabled);
    EXPECT_EQ(vbe_read(VbeDispi::kEnable), VbeDispi::kEnabled | VbeDispi::kLfbEnabled);
    EXPECT_EQ(vbe_read(VbeDispi::kVirtWidth), 640);
    EXPECT_EQ(vbe_read(VbeDispi::kVirtHeight), 16 * 1024 * 1024 / (640 * 4));
    EXPECT_FALSE(vga.is_text_mode());
    // Through the MMIO mapping at the default base, and through the host span.
    mmio.write(0xE0000000 + (10 * 640 + 20) * 4, 4, 0x00112233);
    auto fb = vga.linear_framebuffer();
    ASSERT_EQ(fb.size(), 16u * 1024 * 1024);
    const uint8_t bgrx[4] = {0xCC, 0xBB, 0xAA, 0x00};
    std::memcpy(&fb[(479 * 640 + 639) * 4], bgrx, 4);
    RgbImage img = vga.render();
    ASSERT_EQ(img.width, 640u);
    ASSERT_EQ(img.height, 480u);
    EXPECT_EQ(img.at(20, 10)[0], 0x11);
    EXPECT_EQ(img.at(20, 10)[1], 0x22);
    EXPECT_EQ(img.at(20, 10)[2], 0x33);
    EXPECT_EQ(img.at(639, 479)[0], 0xAA);
    EXPECT_EQ(img.at(639, 479)[2], 0xCC);
    EXPECT_EQ(img.at(0, 0)[0], 0x00);
    // Panning: Y_OFFSET moves the display start.
    vbe_write(VbeDispi::kYOffset, 10);
    EXPECT_EQ(vga.render().at(20, 0)[0], 0x11);
}

TEST_F(VgaVbe, PixelFormats) {
    set_vbe_mode(16, 2, 16, VbeDispi::kEnabled | VbeDispi::kLfbEnabled);
    auto fb = vga.linear_framebuffer();
    fb[0] = 0x00;  // RGB565 0xF800: pure red
    fb[1] = 0xF8;
    fb[2] = 0xE0;  // 0x07E0: pure green
    fb[3] = 0x07;
    RgbImage img = vga.render();
    EXPECT_EQ(img.at(0, 0)[0], 0xFF);
    EXPECT_EQ(img.at(0, 0)[1], 0x00);
    EXPECT_EQ(img.at(1, 0)[1], 0xFF);
    set_vbe_mode(16, 2, 15, VbeDispi::kEnabled | VbeDispi::kNoClearMem);
    // Same bytes as 1:5:5:5: 0xF800 -> red 0x1E, green 0; 0x07E0 -> green 0x1F, blue 0.
    img = vga.render();
    EXPECT_EQ(img.at(0, 0)[0], 0xF7);
    EXPECT_EQ(img.at(1, 0)[1], 0xFF);
    EXPECT_EQ(img.at(1, 0)[0], 0x08);            // the top green bit spills into red bit 0
    set_vbe_mode(4, 1, 24, VbeDispi::kEnabled);  // clears memory
    fb[3] = 0x10;                                // pixel 1: B=0x10, G=0x20, R=0x30
    fb[4] = 0x20;
    fb[5] = 0x30;
    img = vga.render();
    EXPECT_EQ(img.at(1, 0)[0], 0x30);
    EXPECT_EQ(img.at(1, 0)[2], 0x10);
    EXPECT_EQ(img.at(0, 0)[0], 0x00);
}

TEST_F(VgaVbe, EightBitPaletteModes) {
    set_vbe_mode(8, 1, 8, VbeDispi::kEnabled | VbeDispi::kDac8Bit);
    out(0x3C8, 5);
    out(0x3C9, 0x80);
    out(0x3C9, 0x81);
    out(0x3C9, 0xFF);
    out(0x3C7, 5);
    EXPECT_EQ(in(0x3C9), 0x80);  // all eight bits kept
    vga.linear_framebuffer()[2] = 5;
    RgbImage img = vga.render();
    EXPECT_EQ(img.at(2, 0)[0], 0x80);
    EXPECT_EQ(img.at(2, 0)[1], 0x81);
    EXPECT_EQ(img.at(2, 0)[2], 0xFF);
}

TEST_F(VgaVbe, BankedWindowAtA0000) {
    set_vbe_mode(640, 480, 8, VbeDispi::kEnabled);
    vbe_write(VbeDispi::kBank, 2);
    poke(0xA0010, 0x42);
    EXPECT_EQ(vga.linear_framebuffer()[2 * 65536 + 0x10], 0x42);
    vbe_write(VbeDispi::kBank, 1000);  // beyond video memory: ignored
    EXPECT_EQ(vbe_read(VbeDispi::kBank), 2);
    EXPECT_EQ(peek(0xA0010), 0x42);
    EXPECT_EQ(peek(0xB8000), 0xFF);
}

TEST_F(VgaVbe, ModesThatDoNotFitAreRefused) {
    vbe_write(VbeDispi::kXres, 2560);
    vbe_write(VbeDispi::kYres, 1600);
    vbe_write(VbeDispi::kBpp, 32);
    vbe_write(VbeDispi::kEnable, VbeDispi::kEnabled);  // 16 000 KiB of 16 384
    EXPECT_TRUE(vga.vbe().enabled());
    vbe_write(VbeDispi::kXres, 800);  // ignored while enabled
    EXPECT_EQ(vbe_read(VbeDispi::kXres), 2560);
    vbe_write(VbeDispi::kEnable, 0);
    vbe_write(VbeDispi::kXres, 4000);  // beyond the maximum: ignored
    vbe_write(VbeDispi::kBpp, 12);     // not a depth: ignored
    EXPECT_EQ(vbe_read(VbeDispi::kXres), 2560);
    EXPECT_EQ(vbe_read(VbeDispi::kBpp), 32);
    // Lines are 10 240 bytes: 38 lines of panning still fit, 40 do not.
    vbe_write(VbeDispi::kYOffset, 38);
    EXPECT_EQ(vbe_read(VbeDispi::kYOffset), 38);
    vbe_write(VbeDispi::kYOffset, 40);
    EXPECT_EQ(vbe_read(VbeDispi::kYOffset), 38);

    Scheduler s;
    IoBus io2;
    MmioBus mmio2;
    Vga small(io2, mmio2, s, VgaConfig{1024 * 1024, 0xF0000000, false});
    EXPECT_FALSE(mmio2.contains(0xF0000000));
    io2.write16(0x1CE, VbeDispi::kXres);
    io2.write16(0x1CF, 1024);
    io2.write16(0x1CE, VbeDispi::kYres);
    io2.write16(0x1CF, 768);
    io2.write16(0x1CE, VbeDispi::kBpp);
    io2.write16(0x1CF, 32);
    io2.write16(0x1CE, VbeDispi::kEnable);
    io2.write16(0x1CF, VbeDispi::kEnabled);
    EXPECT_FALSE(small.vbe().enabled());  // 3 MiB > 1 MiB
}

TEST_F(VgaVbe, DisablingReturnsToVgaText) {
    set_mode(0x03);
    poke(0xB8000, 'Z');
    set_vbe_mode(320, 200, 8, VbeDispi::kEnabled | VbeDispi::kNoClearMem);
    EXPECT_EQ(vga.text_screen(), "");
    vbe_write(VbeDispi::kEnable, 0);
    EXPECT_TRUE(vga.is_text_mode());
    EXPECT_EQ(vga.text_screen().substr(0, 1), "Z");
}

TEST_F(VgaVbe, LfbCanMove) {
    vga.set_lfb_base(0xFD000000);
    EXPECT_FALSE(mmio.contains(0xE0000000));
    mmio.write(0xFD000004, 1, 0x5C);
    EXPECT_EQ(vga.linear_framebuffer()[4], 0x5C);
}

}  // namespace
}  // namespace sandpc
