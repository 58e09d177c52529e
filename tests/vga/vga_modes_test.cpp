// The mode tables, checked by programming each mode through the ports and
// comparing what the chip then displays with the mode's documented geometry.
#include "devices/vga/vga_render.h"
#include "vga_test_util.h"

namespace sandpc {
namespace {

using VgaModes = test::VgaFixture;

TEST_F(VgaModes, EveryModeDisplaysItsGeometry) {
    const unsigned expected[] = {0x00, 0x01, 0x02, 0x03, 0x07, 0x0D, 0x0E, 0x10, 0x11, 0x12, 0x13};
    ASSERT_EQ(vga_modes().size(), std::size(expected));
    for (unsigned number : expected) {
        const VgaMode* m = find_vga_mode(number);
        ASSERT_NE(m, nullptr) << number;
        set_mode(number);
        RgbImage img = vga.render();
        EXPECT_EQ(img.width, m->width) << "mode " << number;
        EXPECT_EQ(img.height, m->height) << "mode " << number;
        EXPECT_EQ(vga.is_text_mode(), m->text) << "mode " << number;
        if (m->text) {
            TextGeometry g = vga_text_geometry(vga.registers());
            EXPECT_EQ(g.columns, m->columns) << "mode " << number;
            EXPECT_EQ(g.char_height, m->char_height) << "mode " << number;
            EXPECT_EQ(g.rows, m->rows) << "mode " << number;
        }
        auto window = m->memory_base;
        poke(window, 0x5A);  // the window the mode declares is the one decoded
        EXPECT_NE(peek(window), 0xFF) << "mode " << number;
    }
    EXPECT_EQ(find_vga_mode(0x14), nullptr);
}

TEST(VgaDefaultPalette, DocumentedEntries) {
    auto eq = [](Rgb c, uint8_t r, uint8_t g, uint8_t b) { return c == Rgb{r, g, b}; };
    // 256-colour palette.
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 0), 0, 0, 0));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 6), 0x2A, 0x15, 0x00));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 9), 0x15, 0x15, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 15), 0x3F, 0x3F, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 16), 0, 0, 0));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 31), 0x3F, 0x3F, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 32), 0x00, 0x00, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 36), 0x3F, 0x00, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 40), 0x3F, 0x00, 0x00));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 44), 0x3F, 0x3F, 0x00));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 48), 0x00, 0x3F, 0x00));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 52), 0x00, 0x3F, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 56), 0x1F, 0x1F, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 104), 0x00, 0x00, 0x1C));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 247), 0x0B, 0x0C, 0x10));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kVga256, 248), 0, 0, 0));
    // 64-colour EGA palette: 0x14 is brown, 0x38-0x3F the bright colours.
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kEga64, 0x14), 0x2A, 0x15, 0x00));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kEga64, 0x39), 0x15, 0x15, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kEga64, 0x3F), 0x3F, 0x3F, 0x3F));
    // 200-line modes: attribute values 0x10-0x17 are the bright colours.
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kCga64, 0x06), 0x2A, 0x15, 0x00));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kCga64, 0x14), 0x3F, 0x15, 0x15));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kMono64, 0x18), 0x3F, 0x3F, 0x3F));
    EXPECT_TRUE(eq(default_dac_color(VgaPalette::kMono64, 0x08), 0x2A, 0x2A, 0x2A));
}

}  // namespace
}  // namespace sandpc
