// VBE 2.0 (INT 10h AH=4Fh) against the VESA BIOS Extension 2.0/3.0 layouts
// of VbeInfoBlock and ModeInfoBlock, and the dispi registers it programs.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/bios/bios_guest.h"

namespace sandpc {
namespace {

using test::far_pointer;
using test::peek16;
using test::peek32;
using test::peek8;

std::string c_string(Machine& m, uint32_t paddr) {
    std::string s;
    for (uint8_t ch; (ch = peek8(m, paddr + s.size())) != 0 && s.size() < 256;) s += char(ch);
    return s;
}

TEST(Vbe, ControllerAndModeInformation) {
    Machine m(test::guest_config("vbe_info"));
    ASSERT_EQ(test::run_guest(m), 0);
    EXPECT_EQ(peek16(m, 0x0FF0), 0x004Fu);
    EXPECT_EQ(peek16(m, 0x0FF2), 0x004Fu);

    const uint32_t info = 0x1000;
    EXPECT_EQ(peek32(m, info), 0x41534556u);  // "VESA"
    EXPECT_EQ(peek16(m, info + 4), 0x0200u);
    EXPECT_FALSE(c_string(m, far_pointer(m, info + 0x06)).empty());
    EXPECT_EQ(peek16(m, info + 0x12), m.vga().linear_framebuffer().size() / 65536);
    EXPECT_FALSE(c_string(m, far_pointer(m, info + 0x16)).empty());  // vendor (VBE 2.0)
    EXPECT_FALSE(c_string(m, far_pointer(m, info + 0x1A)).empty());  // product
    EXPECT_FALSE(c_string(m, far_pointer(m, info + 0x1E)).empty());  // revision
    std::set<uint16_t> modes;
    uint32_t list = far_pointer(m, info + 0x0E);
    for (unsigned i = 0; i < 200; ++i) {
        uint16_t mode = peek16(m, list + 2 * i);
        if (mode == 0xFFFF) break;
        modes.insert(mode);
    }
    for (uint16_t expected : {0x101, 0x103, 0x105, 0x111, 0x112, 0x114, 0x117})
        EXPECT_TRUE(modes.count(expected)) << std::hex << expected;

    const uint32_t mi = 0x1400;  // mode 112h: 640x480, 24 bits per pixel
    uint16_t attributes = peek16(m, mi);
    EXPECT_EQ(attributes & 0x0001, 0x0001) << "supported";
    EXPECT_EQ(attributes & 0x0010, 0x0010) << "graphics";
    EXPECT_EQ(attributes & 0x0080, 0x0080) << "linear framebuffer";
    EXPECT_EQ(peek8(m, mi + 0x02) & 0x07, 0x07);  // window A readable and writable
    EXPECT_EQ(peek16(m, mi + 0x04), 64u);         // granularity, KiB
    EXPECT_EQ(peek16(m, mi + 0x06), 64u);
    EXPECT_EQ(peek16(m, mi + 0x08), 0xA000u);
    EXPECT_NE(peek32(m, mi + 0x0C), 0u);  // window function
    EXPECT_EQ(peek16(m, mi + 0x10), 640u * 3);
    EXPECT_EQ(peek16(m, mi + 0x12), 640u);
    EXPECT_EQ(peek16(m, mi + 0x14), 480u);
    EXPECT_EQ(peek8(m, mi + 0x18), 1u);  // planes
    EXPECT_EQ(peek8(m, mi + 0x19), 24u);
    EXPECT_EQ(peek8(m, mi + 0x1B), 6u);  // direct colour
    EXPECT_EQ(peek8(m, mi + 0x1F), 8u);
    EXPECT_EQ(peek8(m, mi + 0x20), 16u);
    EXPECT_EQ(peek8(m, mi + 0x21), 8u);
    EXPECT_EQ(peek8(m, mi + 0x22), 8u);
    EXPECT_EQ(peek8(m, mi + 0x23), 8u);
    EXPECT_EQ(peek8(m, mi + 0x24), 0u);
    EXPECT_EQ(peek32(m, mi + 0x28), m.vga().lfb_base());
}

TEST(Vbe, SetModeProgramsDispiAndTheFramebufferIsShown) {
    Machine m(test::guest_config("vbe_lfb"));
    ASSERT_EQ(test::run_guest(m), 0);  // INT 15h AH=87h copy succeeded
    EXPECT_EQ(peek16(m, 0x0FF0), 0x004Fu);
    EXPECT_EQ(peek16(m, 0x0FF2), 0x004Fu);
    EXPECT_EQ(peek16(m, 0x0FF4), 0x4142u);  // 4F03h: mode with the LFB bit

    auto dispi = [&](uint16_t index) {
        m.io().write16(0x1CE, index);
        return m.io().read16(0x1CF);
    };
    EXPECT_EQ(dispi(1), 640u);         // XRES
    EXPECT_EQ(dispi(2), 480u);         // YRES
    EXPECT_EQ(dispi(3), 32u);          // BPP
    EXPECT_EQ(dispi(4) & 0x41, 0x41);  // enabled, LFB

    RgbImage img = m.vga().render();
    ASSERT_EQ(img.width, 640u);
    ASSERT_EQ(img.height, 480u);
    const uint8_t* p = img.at(20, 10);
    EXPECT_EQ(p[0], 0xFF);
    EXPECT_EQ(p[1], 0x80);
    EXPECT_EQ(p[2], 0x40);
    EXPECT_TRUE(test::is_black(img, 21, 10));
    EXPECT_TRUE(test::is_black(img, 20, 11));
}

}  // namespace
}  // namespace sandpc
