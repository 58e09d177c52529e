#include "devices/vga/vga_render.h"

#include "devices/vga/vga_planar.h"

namespace sandpc {

namespace {

uint8_t expand5(unsigned v) {
    return static_cast<uint8_t>((v & 0x1F) << 3 | (v & 0x1F) >> 2);
}
uint8_t expand6(unsigned v) {
    return static_cast<uint8_t>((v & 0x3F) << 2 | (v & 0x3F) >> 4);
}

void put(RgbImage& img, unsigned x, unsigned y, Rgb c) {
    img.set(x, y, c.r, c.g, c.b);
}

RgbImage render_vbe(const VgaView& v) {
    const VbeDispi& vbe = v.vbe;
    RgbImage img(vbe.xres(), vbe.yres());
    unsigned bpp = vbe.bytes_per_pixel();
    for (unsigned y = 0; y < img.height; ++y) {
        for (unsigned x = 0; x < img.width; ++x) {
            uint64_t at = vbe.display_start() + uint64_t{y} * vbe.line_bytes() + uint64_t{x} * bpp;
            if (at + bpp > v.vram.size()) continue;  // stays black
            const uint8_t* p = &v.vram[at];
            switch (vbe.bpp()) {
                case 8: put(img, x, y, v.dac.color(p[0], vbe.dac_8bit())); break;
                case 15: {
                    unsigned w = p[0] | p[1] << 8;
                    img.set(x, y, expand5(w >> 10), expand5(w >> 5), expand5(w));
                    break;
                }
                case 16: {
                    unsigned w = p[0] | p[1] << 8;
                    img.set(x, y, expand5(w >> 11), expand6(w >> 5), expand5(w));
                    break;
                }
                default: img.set(x, y, p[2], p[1], p[0]); break;  // 24 and 32: B, G, R(, X)
            }
        }
    }
    return img;
}

struct GraphicsLayout {
    unsigned width, height;
    unsigned repeat;  // scan lines per pixel row
};

GraphicsLayout graphics_layout(const VgaRegisters& r, bool eight_bit) {
    unsigned dots = r.horizontal_chars() * 8;
    unsigned repeat = (r.max_scan_line() + 1) * (r.double_scan() ? 2 : 1);
    return {eight_bit ? dots / 2 : dots, r.vertical_display_lines() / repeat, repeat};
}

void render_planar(const VgaView& v, RgbImage& img, bool eight_bit) {
    const VgaRegisters& r = v.regs;
    unsigned size = r.address_size();
    for (unsigned y = 0; y < img.height; ++y) {
        uint32_t line = r.crtc_start() * size + y * r.line_pitch();
        for (unsigned x = 0; x < img.width; ++x) {
            uint8_t index;
            if (eight_bit) {
                // Four pixels per address, one per plane.
                index = plane_byte(v.vram, x & 3, line + (x / 4) * size);
            } else {
                uint32_t addr = line + (x / 8) * size;
                unsigned bit = 7 - (x & 7);
                uint8_t nibble = 0;
                for (unsigned p = 0; p < 4; ++p)
                    nibble |= ((plane_byte(v.vram, p, addr) >> bit) & 1) << p;
                index = attribute_to_dac_index(r, nibble);
            }
            put(img, x, y, v.dac.color(index, v.vbe.dac_8bit()));
        }
    }
}

}  // namespace

uint8_t attribute_to_dac_index(const VgaRegisters& r, uint8_t value) {
    uint8_t v = r.attr[value & r.attr[0x12] & 0x0F] & 0x3F;
    uint8_t select = r.attr[0x14];
    if (r.attr[0x10] & 0x80) v = static_cast<uint8_t>((v & 0x0F) | (select & 0x03) << 4);
    return static_cast<uint8_t>(v | (select & 0x0C) << 4);
}

RgbImage render_vga(const VgaView& v) {
    if (v.vbe.enabled()) return render_vbe(v);
    const VgaRegisters& r = v.regs;
    RgbImage img;
    bool eight_bit = r.gc[5] & 0x40;
    if (!r.graphics_mode()) {
        TextGeometry g = vga_text_geometry(r);
        img = RgbImage(g.columns * g.char_width, g.rows * g.char_height);
    } else {
        GraphicsLayout l = graphics_layout(r, eight_bit);
        img = RgbImage(l.width, l.height);
    }
    // A cleared palette address source bit or the screen-off bit blank the display.
    if (!r.palette_enabled() || r.screen_off()) return img;
    if (!r.graphics_mode()) {
        render_vga_text(v, img);
    } else {
        render_planar(v, img, eight_bit);
    }
    return img;
}

}  // namespace sandpc
