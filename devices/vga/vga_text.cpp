#include <algorithm>

#include "devices/vga/cp437.h"
#include "devices/vga/vga.h"
#include "devices/vga/vga_planar.h"
#include "devices/vga/vga_render.h"

namespace sandpc {

namespace {

// Plane 2 offset of a character map number from the character map select register.
uint32_t font_offset(unsigned map) {
    return (map & 3) * 0x4000 + ((map & 4) ? 0x2000 : 0);
}

struct Cell {
    uint8_t ch, attr;
};

Cell cell_at(const VgaRegisters& r, std::span<const uint8_t> vram, const TextGeometry& g,
             unsigned row, unsigned col) {
    uint32_t addr = (g.start + row * g.row_pitch + col) * r.address_size();
    return {plane_byte(vram, 0, addr), plane_byte(vram, 1, addr)};
}

}  // namespace

TextGeometry vga_text_geometry(const VgaRegisters& r) {
    TextGeometry g{};
    g.columns = r.horizontal_chars();
    g.char_height = r.max_scan_line() + 1;
    g.rows = r.vertical_display_lines() / (g.char_height * (r.double_scan() ? 2 : 1));
    g.char_width = r.eight_dot_chars() ? 8 : 9;
    g.start = r.crtc_start();
    g.row_pitch = r.crtc[0x13] * 2u;
    return g;
}

std::string vga_text_screen(const VgaRegisters& r, std::span<const uint8_t> vram) {
    TextGeometry g = vga_text_geometry(r);
    std::string out;
    for (unsigned row = 0; row < g.rows; ++row) {
        std::string line;
        for (unsigned col = 0; col < g.columns; ++col)
            line += cp437_to_utf8(cell_at(r, vram, g, row, col).ch);
        line.erase(line.find_last_not_of(' ') + 1);
        if (row) out += '\n';
        out += line;
    }
    return out;
}

TextCursor vga_text_cursor(const VgaRegisters& r) {
    TextGeometry g = vga_text_geometry(r);
    TextCursor c;
    unsigned loc = r.cursor_location();
    if (loc < g.start || g.row_pitch == 0) return c;
    c.row = (loc - g.start) / g.row_pitch;
    c.column = (loc - g.start) % g.row_pitch;
    unsigned first = r.crtc[0x0A] & 0x1F, last = r.crtc[0x0B] & 0x1F;
    c.visible = !(r.crtc[0x0A] & 0x20) && c.row < g.rows && c.column < g.columns && first <= last &&
                first < g.char_height;
    return c;
}

void render_vga_text(const VgaView& v, RgbImage& img) {
    const VgaRegisters& r = v.regs;
    TextGeometry g = vga_text_geometry(r);
    uint8_t sr3 = r.seq[3];
    uint32_t map_a = font_offset(((sr3 >> 2) & 3) | ((sr3 >> 3) & 4));
    uint32_t map_b = font_offset((sr3 & 3) | ((sr3 >> 2) & 4));
    bool blink_enabled = r.attr[0x10] & 0x08;
    bool line_graphics = r.attr[0x10] & 0x04;
    bool blink_on = ((v.frame >> 5) & 1) == 0;
    bool cursor_on = ((v.frame >> 4) & 1) == 0;
    unsigned underline = r.crtc[0x14] & 0x1F;
    TextCursor cursor = vga_text_cursor(r);
    unsigned cursor_first = r.crtc[0x0A] & 0x1F, cursor_last = r.crtc[0x0B] & 0x1F;
    bool dac8 = v.vbe.dac_8bit();
    auto color = [&](uint8_t index) { return v.dac.color(attribute_to_dac_index(r, index), dac8); };

    for (unsigned row = 0; row < g.rows; ++row) {
        for (unsigned col = 0; col < g.columns; ++col) {
            Cell cell = cell_at(r, v.vram, g, row, col);
            Rgb fg = color(cell.attr & 0x0F);
            Rgb bg = color(blink_enabled ? (cell.attr >> 4) & 7 : cell.attr >> 4);
            if (blink_enabled && (cell.attr & 0x80) && !blink_on) fg = bg;
            uint32_t glyph = ((cell.attr & 0x08) ? map_a : map_b) + cell.ch * 32u;
            bool is_cursor =
                cursor.visible && cursor_on && cursor.row == row && cursor.column == col;
            for (unsigned line = 0; line < g.char_height; ++line) {
                unsigned bits = plane_byte(v.vram, 2, glyph + line) << 1;
                if (g.char_width == 9 && line_graphics && cell.ch >= 0xC0 && cell.ch <= 0xDF)
                    bits |= (bits >> 1) & 1;
                if ((cell.attr & 0x77) == 0x01 && line == underline) bits = 0x1FF;
                if (is_cursor && line >= cursor_first && line <= cursor_last) bits = 0x1FF;
                unsigned y = row * g.char_height + line;
                for (unsigned dot = 0; dot < g.char_width; ++dot) {
                    bool on = (bits >> (8 - dot)) & 1;
                    const Rgb& c = on ? fg : bg;
                    img.set(col * g.char_width + dot, y, c.r, c.g, c.b);
                }
            }
        }
    }
}

}  // namespace sandpc
