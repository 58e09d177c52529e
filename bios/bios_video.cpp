// INT 10h video services for the standard VGA modes. Text is written to the
// video window through the CPU's memory path, the cursor through the CRTC.
// Graphics-mode drawing is in bios_graphics.cpp, fonts in bios_font.cpp,
// VBE in bios_vbe.cpp.
#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/video_mode_table.h"
#include "devices/vga/vbe_dispi.h"
#include "devices/vga/vga_modes.h"

namespace sandpc {

namespace {

// Writes a standard mode's registers and default palette in the order the
// VGA needs (see vga_modes.h).
void program_vga(IoBus& io, const VgaMode& m) {
    io.write8(0x3C4, 0x00);
    io.write8(0x3C5, 0x01);
    io.write8(0x3C2, m.misc);
    for (uint8_t i = 1; i < 5; ++i) {
        io.write8(0x3C4, i);
        io.write8(0x3C5, m.sequencer[i]);
    }
    io.write8(0x3C4, 0x00);
    io.write8(0x3C5, 0x03);
    uint16_t crtc = (m.misc & 0x01) ? 0x3D4 : 0x3B4;
    io.write8(crtc, 0x11);
    io.write8(crtc + 1, m.crtc[0x11] & 0x7F);
    for (uint8_t i = 0; i < m.crtc.size(); ++i) {
        io.write8(crtc, i);
        io.write8(crtc + 1, m.crtc[i]);
    }
    for (uint8_t i = 0; i < m.graphics.size(); ++i) {
        io.write8(0x3CE, i);
        io.write8(0x3CF, m.graphics[i]);
    }
    io.read8(crtc + 6);  // reset the attribute flip-flop
    for (uint8_t i = 0; i < m.attribute.size(); ++i) {
        io.write8(0x3C0, i);
        io.write8(0x3C0, m.attribute[i]);
    }
    io.write8(0x3C0, 0x20);
    io.write8(0x3C6, 0xFF);
    io.write8(0x3C8, 0x00);
    for (unsigned i = 0; i < 256; ++i) {
        Rgb c = default_dac_color(m.palette, i);
        io.write8(0x3C9, c.r);
        io.write8(0x3C9, c.g);
        io.write8(0x3C9, c.b);
    }
}

}  // namespace

uint32_t Bios::text_base(BiosCall& c, uint8_t page) {
    const BiosVideoMode* m = find_bios_video_mode(c.read8(bda::kVideoMode));
    uint32_t window = m ? m->window : 0xB8000;
    return window + uint32_t(page) * c.read16(bda::kVideoPageSize);
}

void Bios::update_hw_cursor(BiosCall& c) {
    uint8_t page = c.read8(bda::kVideoPage);
    uint16_t pos = c.read16(bda::kCursorPos + 2 * page);
    uint16_t cols = c.read16(bda::kVideoColumns);
    uint16_t crtc = c.read16(bda::kCrtcBase);
    uint32_t offset = c.read16(bda::kVideoPageStart) / 2 + (pos >> 8) * cols + (pos & 0xFF);
    IoBus& io = host_.io();
    io.write8(crtc, 0x0E);
    io.write8(crtc + 1, uint8_t(offset >> 8));
    io.write8(crtc, 0x0F);
    io.write8(crtc + 1, uint8_t(offset));
}

void Bios::set_cursor(BiosCall& c, uint8_t page, uint8_t row, uint8_t col) {
    if (page > 7) return;
    c.write16(bda::kCursorPos + 2 * page, uint16_t(row << 8 | col));
    if (page == c.read8(bda::kVideoPage)) update_hw_cursor(c);
}

void Bios::write_cell(BiosCall& c, uint8_t page, uint8_t row, uint8_t col, uint8_t ch, int attr) {
    const BiosVideoMode* m = find_bios_video_mode(c.read8(bda::kVideoMode));
    if (!m) return;
    if (!m->text()) {
        draw_char(c, page, row, col, ch, attr >= 0 ? uint8_t(attr) : 0x0F);
        return;
    }
    uint32_t at = text_base(c, page) + (uint32_t(row) * c.read16(bda::kVideoColumns) + col) * 2;
    c.write8(at, ch);
    if (attr >= 0) c.write8(at + 1, uint8_t(attr));
}

void Bios::scroll(BiosCall& c, int lines, uint8_t attr, unsigned top, unsigned left,
                  unsigned bottom, unsigned right, uint8_t page) {
    const BiosVideoMode* m = find_bios_video_mode(c.read8(bda::kVideoMode));
    if (!m) return;
    if (!m->text()) {
        scroll_graphics(c, *m, lines, attr, top, left, bottom, right, page);
        return;
    }
    unsigned cols = c.read16(bda::kVideoColumns);
    unsigned rows = c.read8(bda::kVideoRows) + 1u;
    if (right >= cols) right = cols - 1;
    if (bottom >= rows) bottom = rows - 1;
    if (top > bottom || left > right) return;
    unsigned height = bottom - top + 1;
    if (lines == 0 || unsigned(lines < 0 ? -lines : lines) >= height) lines = int(height);
    uint32_t base = text_base(c, page);
    auto cell = [&](unsigned r, unsigned col) { return base + (r * cols + col) * 2; };
    auto copy_row = [&](unsigned to, unsigned from) {
        for (unsigned col = left; col <= right; ++col)
            c.write16(cell(to, col), c.read16(cell(from, col)));
    };
    auto blank_row = [&](unsigned r) {
        for (unsigned col = left; col <= right; ++col)
            c.write16(cell(r, col), uint16_t(attr << 8 | ' '));
    };
    if (lines > 0) {  // up
        for (unsigned r = top; r <= bottom; ++r) {
            if (r + unsigned(lines) <= bottom)
                copy_row(r, r + unsigned(lines));
            else
                blank_row(r);
        }
    } else {  // down
        unsigned n = unsigned(-lines);
        for (unsigned r = bottom + 1; r-- > top;) {
            if (r >= top + n)
                copy_row(r, r - n);
            else
                blank_row(r);
        }
    }
}

void Bios::teletype(BiosCall& c, uint8_t ch, uint8_t page, uint8_t color) {
    uint16_t pos = c.read16(bda::kCursorPos + 2 * (page & 7));
    unsigned row = pos >> 8, col = pos & 0xFF;
    unsigned cols = c.read16(bda::kVideoColumns);
    unsigned rows = c.read8(bda::kVideoRows) + 1u;
    switch (ch) {
        case 0x07: break;  // bell
        case 0x08:
            if (col > 0) --col;
            break;
        case 0x0A: ++row; break;
        case 0x0D: col = 0; break;
        default:
            if (const BiosVideoMode* m = find_bios_video_mode(c.read8(bda::kVideoMode));
                m && !m->text())
                draw_char(c, page, row, col, ch, color);  // graphics: colour in BL
            else
                write_cell(c, page, uint8_t(row), uint8_t(col), ch, -1);
            if (++col >= cols) {
                col = 0;
                ++row;
            }
            break;
    }
    if (row >= rows) {
        // The new line takes the attribute of the cell at the cursor.
        uint32_t at = text_base(c, page) + ((rows - 1) * cols + col) * 2 + 1;
        const BiosVideoMode* m = find_bios_video_mode(c.read8(bda::kVideoMode));
        uint8_t attr = (m && m->text()) ? c.read8(at) : 0;
        scroll(c, 1, attr, 0, 0, rows - 1, cols - 1, page);
        row = rows - 1;
    }
    set_cursor(c, page, uint8_t(row), uint8_t(col));
}

void Bios::set_video_mode(BiosCall& c, uint8_t request) {
    uint8_t mode = request & 0x7F;
    const BiosVideoMode* m = find_bios_video_mode(mode);
    const VgaMode* regs = find_vga_mode(mode);
    if (!m || !regs) return;
    // Leave any VBE mode first: the dispi display overrides the VGA.
    dispi_write(VbeDispi::kEnable, 0);
    c.write16(bda::kEbdaVbeMode, 0);
    program_vga(host_.io(), *regs);
    c.write8(bda::kVideoMode, mode);
    c.write16(bda::kVideoColumns, m->columns);
    c.write16(bda::kVideoPageSize, m->page_size);
    c.write16(bda::kVideoPageStart, 0);
    for (unsigned p = 0; p < 8; ++p) c.write16(bda::kCursorPos + 2 * p, 0);
    c.write16(bda::kCursorShape, m->text() ? 0x0D0E : 0x0000);
    c.write8(bda::kVideoPage, 0);
    c.write16(bda::kCrtcBase, mode == 0x07 ? 0x3B4 : 0x3D4);
    c.write8(bda::kVideoRows, uint8_t(m->rows - 1));
    c.write16(bda::kCharHeight, m->char_height);
    c.write8(bda::kVideoCtl, uint8_t(0x60 | (request & 0x80)));
    c.write8(bda::kVideoSwitches, 0x09);
    c.write8(bda::kVideoFlags, 0x51);
    uint16_t equipment = c.read16(bda::kEquipment) & ~0x0030;
    c.write16(bda::kEquipment, uint16_t(equipment | (mode == 0x07 ? 0x0030 : 0x0020)));
    // Text modes get the 8x16 ROM font in plane 2, block 0; graphics modes
    // draw from INT 43h, which points at the ROM font of the mode's cell.
    if (m->text()) load_font(c, 0, rom_font(16), 0, 256, 16);
    unsigned graphics_height = m->text() ? 8 : m->char_height;
    set_graphics_font(c, rom_font(graphics_height), graphics_height);
    c.write16(bda::kCharHeight, m->char_height);
    if (!(request & 0x80)) {
        if (m->text()) {
            for (uint32_t a = 0; a < 0x8000; a += 2) c.write16(m->window + a, 0x0720);
        } else {
            uint32_t bytes = m->window == 0xA0000 ? 0x10000 : 0x8000;
            for (uint32_t a = 0; a < bytes; a += 4) c.write32(m->window + a, 0);
        }
    }
    update_hw_cursor(c);
}

void Bios::video(BiosCall& c) {
    uint8_t page = c.bh() & 7;
    uint8_t mode = c.read8(bda::kVideoMode);
    const BiosVideoMode* m = find_bios_video_mode(mode);
    IoBus& io = host_.io();
    switch (c.ah()) {
        case 0x00: set_video_mode(c, c.al()); break;
        case 0x01: {
            c.write16(bda::kCursorShape, c.cx());
            uint16_t crtc = c.read16(bda::kCrtcBase);
            io.write8(crtc, 0x0A);
            io.write8(crtc + 1, c.ch());
            io.write8(crtc, 0x0B);
            io.write8(crtc + 1, c.cl());
            break;
        }
        case 0x02: set_cursor(c, page, c.dh(), c.dl()); break;
        case 0x03:
            c.set_cx(c.read16(bda::kCursorShape));
            c.set_dx(c.read16(bda::kCursorPos + 2 * page));
            break;
        case 0x04: c.set_ah(0); break;  // no light pen
        case 0x05: {
            uint8_t p = c.al() & 7;
            c.write8(bda::kVideoPage, p);
            uint16_t start = uint16_t(p * c.read16(bda::kVideoPageSize));
            c.write16(bda::kVideoPageStart, start);
            uint16_t crtc = c.read16(bda::kCrtcBase);
            uint16_t words = m && m->text() ? start / 2 : start;
            io.write8(crtc, 0x0C);
            io.write8(crtc + 1, uint8_t(words >> 8));
            io.write8(crtc, 0x0D);
            io.write8(crtc + 1, uint8_t(words));
            update_hw_cursor(c);
            break;
        }
        case 0x06:
        case 0x07: {
            int lines = c.al();
            scroll(c, c.ah() == 0x06 ? lines : -lines, c.bh(), c.ch(), c.cl(), c.dh(), c.dl(),
                   c.read8(bda::kVideoPage));
            break;
        }
        case 0x08: {
            uint16_t pos = c.read16(bda::kCursorPos + 2 * page);
            uint32_t at = text_base(c, page) +
                          (uint32_t(pos >> 8) * c.read16(bda::kVideoColumns) + (pos & 0xFF)) * 2;
            if (m && m->text())
                c.set_ax(c.read16(at));
            else
                c.set_ax(uint16_t(read_graphics_char(c, page, pos >> 8, pos & 0xFF)));
            break;
        }
        case 0x09:
        case 0x0A: {
            uint16_t pos = c.read16(bda::kCursorPos + 2 * page);
            unsigned cols = c.read16(bda::kVideoColumns);
            unsigned cell = (pos >> 8) * cols + (pos & 0xFF);
            unsigned end =
                std::min<unsigned>(cell + c.cx(), cols * (c.read8(bda::kVideoRows) + 1u));
            for (unsigned i = cell; i < end; ++i)
                write_cell(c, page, uint8_t(i / cols), uint8_t(i % cols), c.al(),
                           c.ah() == 0x09 || (m && !m->text()) ? c.bl() : -1);
            break;
        }
        case 0x0C: write_pixel(c, page, c.cx(), c.dx(), c.al()); break;
        case 0x0D: c.set_al(read_pixel(c, page, c.cx(), c.dx())); break;
        case 0x0E: teletype(c, c.al(), c.read8(bda::kVideoPage), c.bl()); break;
        case 0x0F:
            c.set_al(mode | (c.read8(bda::kVideoCtl) & 0x80));
            c.set_ah(uint8_t(c.read16(bda::kVideoColumns)));
            c.set_bh(c.read8(bda::kVideoPage));
            break;
        case 0x10:
            switch (c.al()) {
                case 0x00:  // one attribute palette register
                    io.read8(0x3DA);
                    io.write8(0x3C0, c.bl() & 0x1F);
                    io.write8(0x3C0, c.bh());
                    io.write8(0x3C0, 0x20);
                    break;
                case 0x10:  // one DAC register
                    io.write8(0x3C8, c.bl());
                    io.write8(0x3C9, c.dh());
                    io.write8(0x3C9, c.ch());
                    io.write8(0x3C9, c.cl());
                    break;
                case 0x12: {  // block of DAC registers from ES:DX
                    uint32_t src = c.linear(ES, c.dx());
                    io.write8(0x3C8, c.bl());
                    for (unsigned i = 0; i < c.cx() * 3u && i < 768; ++i)
                        io.write8(0x3C9, c.read8(src + i));
                    break;
                }
                case 0x15:
                    io.write8(0x3C7, c.bl());
                    c.set_dh(io.read8(0x3C9));
                    c.set_ch(io.read8(0x3C9));
                    c.set_cl(io.read8(0x3C9));
                    break;
                case 0x17: {
                    uint32_t dst = c.linear(ES, c.dx());
                    io.write8(0x3C7, c.bl());
                    for (unsigned i = 0; i < c.cx() * 3u && i < 768; ++i)
                        c.write8(dst + i, io.read8(0x3C9));
                    break;
                }
                default: break;
            }
            break;
        case 0x11: video_font(c); break;
        case 0x12:
            if (c.bl() == 0x10) {
                c.set_bh(0x00);  // colour
                c.set_bl(0x03);  // 256 KiB
                c.set_cx(0x0009);
            }
            break;
        case 0x13: {
            uint32_t src = c.linear(ES, c.bp());
            bool attrs = c.al() & 0x02;
            uint16_t saved = c.read16(bda::kCursorPos + 2 * page);
            set_cursor(c, page, c.dh(), c.dl());
            for (unsigned i = 0; i < c.cx(); ++i) {
                uint8_t ch = c.read8(src + (attrs ? 2 * i : i));
                if (attrs) {
                    uint16_t pos = c.read16(bda::kCursorPos + 2 * page);
                    write_cell(c, page, uint8_t(pos >> 8), uint8_t(pos), ch,
                               c.read8(src + 2 * i + 1));
                    // advance like teletype without rewriting the character
                    uint16_t cols = c.read16(bda::kVideoColumns);
                    unsigned col = (pos & 0xFF) + 1, row = pos >> 8;
                    if (col >= cols) {
                        col = 0;
                        ++row;
                    }
                    if (row > c.read8(bda::kVideoRows)) {
                        scroll(c, 1, 0x07, 0, 0, c.read8(bda::kVideoRows), cols - 1u, page);
                        row = c.read8(bda::kVideoRows);
                    }
                    set_cursor(c, page, uint8_t(row), uint8_t(col));
                } else {
                    uint16_t pos = c.read16(bda::kCursorPos + 2 * page);
                    if (ch >= 0x20)
                        write_cell(c, page, uint8_t(pos >> 8), uint8_t(pos), ch, c.bl());
                    teletype(c, ch, page, c.bl());
                }
            }
            if (!(c.al() & 0x01)) set_cursor(c, page, uint8_t(saved >> 8), uint8_t(saved));
            break;
        }
        case 0x1A:
            if (c.al() == 0x00) {
                c.set_al(0x1A);
                c.set_bx(0x0008);  // VGA with colour display
            }
            break;
        case 0x4F: vbe(c); break;
        default: break;  // unsupported functions return registers unchanged
    }
}

}  // namespace sandpc
