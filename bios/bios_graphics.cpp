// INT 10h in the graphics modes: characters drawn from the graphics font
// (INT 43h; INT 1Fh for characters 80h-FFh in the CGA modes), pixels and
// scrolling. The planar modes go through the VGA's write modes the way the
// IBM BIOS does: write mode 2 with the bit mask for pixels and glyphs, write
// mode 1 (latch copy) for scrolling.
#include <algorithm>

#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/video_mode_table.h"

namespace sandpc {

namespace {

constexpr uint8_t kXorBit = 0x80;  // colour bit 7: XOR the pixels in

void write_gc(IoBus& io, uint8_t index, uint8_t value) {
    io.write8(0x3CE, index);
    io.write8(0x3CF, value);
}

// Back to the graphics controller's power-on drawing state: write mode 0,
// replace, all bits, read map 0 (what every standard mode table sets).
void reset_gc(IoBus& io) {
    write_gc(io, 0x03, 0x00);
    write_gc(io, 0x04, 0x00);
    write_gc(io, 0x05, 0x00);
    write_gc(io, 0x08, 0xFF);
}

uint32_t page_base(BiosCall& c, const BiosVideoMode& m, uint8_t page) {
    // The CGA modes have one page.
    if (m.layout == PixelLayout::kCga1 || m.layout == PixelLayout::kCga2) return m.window;
    (void)c;
    return m.window + uint32_t(page) * m.page_size;
}

// Address of scan line y in a page: the CGA modes keep odd lines in a second
// bank at +2000h.
uint32_t line_address(const BiosVideoMode& m, uint32_t base, unsigned y) {
    if (m.layout == PixelLayout::kCga1 || m.layout == PixelLayout::kCga2)
        return base + (y & 1) * 0x2000u + (y >> 1) * m.line_bytes();
    return base + y * m.line_bytes();
}

}  // namespace

bool Bios::graphics_mode(BiosCall& c, const BiosVideoMode*& out) {
    out = find_bios_video_mode(c.read8(bda::kVideoMode));
    return out && !out->text();
}

uint32_t Bios::glyph_address(BiosCall& c, const BiosVideoMode& m, uint8_t ch, unsigned& height) {
    bool cga = m.layout == PixelLayout::kCga1 || m.layout == PixelLayout::kCga2;
    if (cga) {
        height = 8;
        uint32_t vector = ch >= 0x80 ? 0x1F * 4 : 0x43 * 4;
        uint32_t table = BiosCall::real_linear(c.read16(vector + 2), c.read16(vector));
        return table + (ch & 0x7Fu) * 8;
    }
    height = std::clamp<unsigned>(c.read16(bda::kCharHeight), 1, 32);
    uint32_t table = BiosCall::real_linear(c.read16(0x43 * 4 + 2), c.read16(0x43 * 4));
    return table + ch * height;
}

void Bios::draw_char(BiosCall& c, uint8_t page, unsigned row, unsigned col, uint8_t ch,
                     uint8_t color) {
    const BiosVideoMode* m = nullptr;
    if (!graphics_mode(c, m) || col >= m->columns) return;
    unsigned height = 0;
    uint32_t glyph = glyph_address(c, *m, ch, height);
    uint32_t base = page_base(c, *m, page);
    bool xor_in = (color & kXorBit) && m->layout != PixelLayout::kLinear;
    IoBus& io = host_.io();
    if (m->layout == PixelLayout::kPlanar) write_gc(io, 0x05, 0x02);
    for (unsigned line = 0; line < height; ++line) {
        uint8_t bits = c.read8(glyph + line);
        uint32_t at = line_address(*m, base, row * height + line) + col * m->cell_bytes();
        switch (m->layout) {
            case PixelLayout::kLinear:
                for (unsigned dot = 0; dot < 8; ++dot)
                    c.write8(at + dot, (bits >> (7 - dot)) & 1 ? color : 0);
                break;
            case PixelLayout::kPlanar:
                if (xor_in) {
                    write_gc(io, 0x03, 0x18);
                    write_gc(io, 0x08, bits);
                    c.read8(at);  // load the latches
                    c.write8(at, color & 0x0F);
                } else {
                    write_gc(io, 0x08, 0xFF);  // background first, all eight dots
                    c.write8(at, 0x00);
                    write_gc(io, 0x08, bits);
                    c.read8(at);
                    c.write8(at, color & 0x0F);
                }
                break;
            case PixelLayout::kCga2: {
                uint16_t wide = 0;  // each dot becomes two bits of colour
                for (unsigned dot = 0; dot < 8; ++dot)
                    if ((bits >> (7 - dot)) & 1) wide |= uint16_t((color & 3) << (14 - 2 * dot));
                uint8_t hi = uint8_t(wide >> 8), lo = uint8_t(wide);
                if (xor_in) {
                    hi ^= c.read8(at);
                    lo ^= c.read8(at + 1);
                }
                c.write8(at, hi);
                c.write8(at + 1, lo);
                break;
            }
            case PixelLayout::kCga1: {
                uint8_t v = (color & 1) ? bits : 0;
                c.write8(at, xor_in ? uint8_t(v ^ c.read8(at)) : v);
                break;
            }
            case PixelLayout::kText: break;
        }
    }
    if (m->layout == PixelLayout::kPlanar) reset_gc(io);
}

int Bios::read_graphics_char(BiosCall& c, uint8_t page, unsigned row, unsigned col) {
    const BiosVideoMode* m = nullptr;
    if (!graphics_mode(c, m) || col >= m->columns) return 0;
    unsigned height = 0;
    glyph_address(c, *m, 0, height);
    uint8_t rows[32] = {};
    for (unsigned line = 0; line < height; ++line) {
        unsigned y = row * height + line;
        unsigned x0 = col * 8;
        for (unsigned dot = 0; dot < 8; ++dot)
            if (read_pixel(c, page, x0 + dot, y) != 0) rows[line] |= uint8_t(0x80 >> dot);
    }
    for (unsigned ch = 0; ch < 256; ++ch) {
        unsigned h = 0;
        uint32_t glyph = glyph_address(c, *m, uint8_t(ch), h);
        bool same = true;
        for (unsigned line = 0; line < h && same; ++line)
            same = c.read8(glyph + line) == rows[line];
        if (same) return int(ch);
    }
    return 0;
}

void Bios::write_pixel(BiosCall& c, uint8_t page, unsigned x, unsigned y, uint8_t color) {
    const BiosVideoMode* m = nullptr;
    if (!graphics_mode(c, m)) return;
    unsigned width = m->columns * 8u, height = m->rows * unsigned(m->char_height);
    if (x >= width || y >= height) return;
    uint32_t line = line_address(*m, page_base(c, *m, page), y);
    bool xor_in = color & kXorBit;
    switch (m->layout) {
        case PixelLayout::kLinear: c.write8(line + x, color); break;
        case PixelLayout::kPlanar: {
            IoBus& io = host_.io();
            uint32_t at = line + x / 8;
            write_gc(io, 0x05, 0x02);
            write_gc(io, 0x03, xor_in ? 0x18 : 0x00);
            write_gc(io, 0x08, uint8_t(0x80 >> (x & 7)));
            c.read8(at);  // load the latches so the other seven dots stay
            c.write8(at, color & 0x0F);
            reset_gc(io);
            break;
        }
        case PixelLayout::kCga2: {
            uint32_t at = line + x / 4;
            unsigned shift = (3 - (x & 3)) * 2;
            uint8_t v = c.read8(at);
            uint8_t bits = uint8_t((color & 3) << shift);
            c.write8(at, xor_in ? uint8_t(v ^ bits) : uint8_t((v & ~(3 << shift)) | bits));
            break;
        }
        case PixelLayout::kCga1: {
            uint32_t at = line + x / 8;
            unsigned shift = 7 - (x & 7);
            uint8_t v = c.read8(at);
            uint8_t bits = uint8_t((color & 1) << shift);
            c.write8(at, xor_in ? uint8_t(v ^ bits) : uint8_t((v & ~(1 << shift)) | bits));
            break;
        }
        case PixelLayout::kText: break;
    }
}

uint8_t Bios::read_pixel(BiosCall& c, uint8_t page, unsigned x, unsigned y) {
    const BiosVideoMode* m = nullptr;
    if (!graphics_mode(c, m)) return 0;
    unsigned width = m->columns * 8u, height = m->rows * unsigned(m->char_height);
    if (x >= width || y >= height) return 0;
    uint32_t line = line_address(*m, page_base(c, *m, page), y);
    switch (m->layout) {
        case PixelLayout::kLinear: return c.read8(line + x);
        case PixelLayout::kPlanar: {
            IoBus& io = host_.io();
            uint8_t color = 0;
            for (uint8_t plane = 0; plane < 4; ++plane) {
                write_gc(io, 0x04, plane);
                if ((c.read8(line + x / 8) >> (7 - (x & 7))) & 1) color |= uint8_t(1 << plane);
            }
            write_gc(io, 0x04, 0x00);
            return color;
        }
        case PixelLayout::kCga2: return uint8_t((c.read8(line + x / 4) >> ((3 - (x & 3)) * 2)) & 3);
        case PixelLayout::kCga1: return uint8_t((c.read8(line + x / 8) >> (7 - (x & 7))) & 1);
        case PixelLayout::kText: return 0;
    }
    return 0;
}

void Bios::scroll_graphics(BiosCall& c, const BiosVideoMode& m, int lines, uint8_t color,
                           unsigned top, unsigned left, unsigned bottom, unsigned right,
                           uint8_t page) {
    unsigned height = 0;
    glyph_address(c, m, 0, height);
    if (m.layout == PixelLayout::kCga1 || m.layout == PixelLayout::kCga2) height = 8;
    unsigned rows = c.read8(bda::kVideoRows) + 1u;
    if (right >= m.columns) right = m.columns - 1u;
    if (bottom >= rows) bottom = rows - 1;
    if (top > bottom || left > right) return;
    unsigned span = bottom - top + 1;
    if (lines == 0 || unsigned(lines < 0 ? -lines : lines) >= span) lines = int(span);
    uint32_t base = page_base(c, m, page);
    unsigned first_byte = left * m.cell_bytes();
    unsigned bytes = (right - left + 1) * m.cell_bytes();
    IoBus& io = host_.io();
    uint8_t fill = 0;
    switch (m.layout) {
        case PixelLayout::kLinear: fill = color; break;
        case PixelLayout::kCga2: fill = uint8_t((color & 3) * 0x55); break;
        case PixelLayout::kCga1: fill = (color & 1) ? 0xFF : 0x00; break;
        default: fill = color & 0x0F; break;
    }
    auto copy_row = [&](unsigned to, unsigned from) {
        if (m.layout == PixelLayout::kPlanar) write_gc(io, 0x05, 0x01);  // latch copy
        for (unsigned line = 0; line < height; ++line) {
            uint32_t dst = line_address(m, base, to * height + line) + first_byte;
            uint32_t src = line_address(m, base, from * height + line) + first_byte;
            for (unsigned i = 0; i < bytes; ++i) c.write8(dst + i, c.read8(src + i));
        }
    };
    auto blank_row = [&](unsigned r) {
        if (m.layout == PixelLayout::kPlanar) write_gc(io, 0x05, 0x02);  // colour to all dots
        for (unsigned line = 0; line < height; ++line) {
            uint32_t dst = line_address(m, base, r * height + line) + first_byte;
            for (unsigned i = 0; i < bytes; ++i) c.write8(dst + i, fill);
        }
    };
    if (lines > 0) {
        for (unsigned r = top; r <= bottom; ++r) {
            if (r + unsigned(lines) <= bottom)
                copy_row(r, r + unsigned(lines));
            else
                blank_row(r);
        }
    } else {
        unsigned n = unsigned(-lines);
        for (unsigned r = bottom + 1; r-- > top;) {
            if (r >= top + n)
                copy_row(r, r - n);
            else
                blank_row(r);
        }
    }
    if (m.layout == PixelLayout::kPlanar) reset_gc(io);
}

}  // namespace sandpc
