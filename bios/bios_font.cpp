// INT 10h AH=11h: character generator. Text-mode fonts live in VGA plane 2,
// 32 bytes per character, eight blocks (see the character map select
// register); graphics modes draw from the table INT 43h points at.
#include <algorithm>

#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/video_mode_table.h"
#include "devices/vga/vga_modes.h"

namespace sandpc {

namespace {

constexpr uint32_t kInt1F = 0x1F * 4;
constexpr uint32_t kInt43 = 0x43 * 4;

// Plane 2 offset of font block 0-7 (character map select numbering).
uint32_t font_block_offset(uint8_t block) {
    return (block & 3) * 0x4000u + ((block & 4) ? 0x2000u : 0u);
}

void write_indexed(IoBus& io, uint16_t port, uint8_t index, uint8_t value) {
    io.write8(port, index);
    io.write8(port + 1, value);
}

}  // namespace

uint32_t Bios::rom_font(unsigned height) const {
    uint16_t offset = height >= 16   ? rom_.font8x16()
                      : height >= 14 ? rom_.font8x14()
                                     : rom_.font8x8();
    return BiosRom::kBase + offset;
}

void Bios::load_font(BiosCall& c, uint8_t block, uint32_t source, unsigned first, unsigned count,
                     unsigned height) {
    IoBus& io = host_.io();
    // Open plane 2 for the CPU as a flat 64 KiB at A0000h, as the IBM BIOS
    // does: map mask plane 2, sequential addressing, read map 2, write mode
    // 0 without odd/even, graphics-style window.
    write_indexed(io, 0x3C4, 0x02, 0x04);
    write_indexed(io, 0x3C4, 0x04, 0x07);
    write_indexed(io, 0x3CE, 0x04, 0x02);
    write_indexed(io, 0x3CE, 0x05, 0x00);
    write_indexed(io, 0x3CE, 0x06, 0x04);
    uint32_t base = 0xA0000 + font_block_offset(block & 7);
    height = std::min(height, 32u);
    for (unsigned i = 0; i < count && first + i < 256; ++i) {
        uint32_t glyph = base + (first + i) * 32;
        for (unsigned row = 0; row < 32; ++row)
            c.write8(glyph + row, row < height ? c.read8(source + i * height + row) : 0);
    }
    // Back to the current mode's values.
    const VgaMode* regs = find_vga_mode(c.read8(bda::kVideoMode));
    if (!regs) regs = find_vga_mode(0x03);
    write_indexed(io, 0x3C4, 0x02, regs->sequencer[2]);
    write_indexed(io, 0x3C4, 0x04, regs->sequencer[4]);
    write_indexed(io, 0x3CE, 0x04, regs->graphics[4]);
    write_indexed(io, 0x3CE, 0x05, regs->graphics[5]);
    write_indexed(io, 0x3CE, 0x06, regs->graphics[6]);
}

void Bios::set_graphics_font(BiosCall& c, uint32_t table, unsigned height) {
    c.write16(kInt43, uint16_t(table - BiosRom::kBase));
    c.write16(kInt43 + 2, BiosRom::kSegment);
    c.write16(bda::kCharHeight, uint16_t(height));
}

// A text font of another height: the character cell, the rows that fit the
// 400-line display, the cursor and the page size follow (AL=1xh).
void Bios::resize_text_cells(BiosCall& c, unsigned height) {
    const BiosVideoMode* m = find_bios_video_mode(c.read8(bda::kVideoMode));
    if (!m || !m->text() || height == 0 || height > 32) return;
    IoBus& io = host_.io();
    uint16_t crtc = c.read16(bda::kCrtcBase);
    unsigned rows = 400 / height;
    unsigned end = rows * height - 1;  // vertical display end, in scan lines
    io.write8(crtc, 0x11);
    uint8_t cr11 = io.read8(crtc + 1);
    io.write8(crtc + 1, cr11 & 0x7F);  // unlock CR07
    io.write8(crtc, 0x09);
    uint8_t cr09 = io.read8(crtc + 1);
    io.write8(crtc + 1, uint8_t((cr09 & 0xE0) | (height - 1)));
    write_indexed(io, crtc, 0x12, uint8_t(end));
    io.write8(crtc, 0x07);
    uint8_t cr07 = io.read8(crtc + 1);
    io.write8(crtc + 1, uint8_t((cr07 & ~0x42) | ((end >> 8) & 1) << 1 | ((end >> 9) & 1) << 6));
    uint8_t cursor_start = uint8_t(height > 8 ? height - 3 : height - 2);
    uint8_t cursor_end = uint8_t(height - 2);
    write_indexed(io, crtc, 0x0A, cursor_start);
    write_indexed(io, crtc, 0x0B, cursor_end);
    write_indexed(io, crtc, 0x11, cr11);
    c.write16(bda::kCursorShape, uint16_t(cursor_start << 8 | cursor_end));
    c.write16(bda::kCharHeight, uint16_t(height));
    c.write8(bda::kVideoRows, uint8_t(rows - 1));
    unsigned page = rows * c.read16(bda::kVideoColumns) * 2;
    c.write16(bda::kVideoPageSize, uint16_t((page + 0xFF) & ~0xFFu));
}

void Bios::video_font(BiosCall& c) {
    uint8_t al = c.al();
    switch (al) {
        case 0x00:
        case 0x10:  // user font from ES:BP: CX characters from DX, BH bytes each
            load_font(c, c.bl(), c.linear(ES, c.bp()), c.dx(), c.cx(), c.bh());
            if (al == 0x10) resize_text_cells(c, c.bh());
            break;
        case 0x01:
        case 0x11:
        case 0x02:
        case 0x12:
        case 0x04:
        case 0x14: {
            static constexpr unsigned kHeights[] = {0, 14, 8, 0, 16};
            unsigned height = kHeights[al & 0x0F];
            load_font(c, c.bl(), rom_font(height), 0, 256, height);
            if (al & 0x10) resize_text_cells(c, height);
            break;
        }
        case 0x03: {  // block specifier
            IoBus& io = host_.io();
            write_indexed(io, 0x3C4, 0x03, c.bl());
            break;
        }
        case 0x20:
            c.write16(kInt1F, c.bp());
            c.write16(kInt1F + 2, c.segment(ES));
            break;
        case 0x21:  // INT 43h = ES:BP, CX bytes per character, BL row code
        case 0x22:
        case 0x23:
        case 0x24: {
            unsigned height = al == 0x21 ? c.cx() : al == 0x22 ? 14 : al == 0x23 ? 8 : 16;
            if (al == 0x21) {
                c.write16(kInt43, c.bp());
                c.write16(kInt43 + 2, c.segment(ES));
                c.write16(bda::kCharHeight, uint16_t(height));
            } else {
                set_graphics_font(c, rom_font(height), height);
            }
            static constexpr uint8_t kRowCodes[] = {0, 14, 25, 43};
            uint8_t rows = c.bl() < 4 ? kRowCodes[c.bl()] : 0;
            if (c.bl() == 0) rows = uint8_t(c.dl());
            if (rows) c.write8(bda::kVideoRows, uint8_t(rows - 1));
            break;
        }
        case 0x30: {  // font information
            uint32_t pointer = 0;
            switch (c.bh()) {
                case 0x00: pointer = c.read32(kInt1F); break;
                case 0x01: pointer = c.read32(kInt43); break;
                case 0x02: pointer = uint32_t(BiosRom::kSegment) << 16 | rom_.font8x14(); break;
                case 0x03: pointer = uint32_t(BiosRom::kSegment) << 16 | rom_.font8x8(); break;
                case 0x04:
                    pointer =
                        uint32_t(BiosRom::kSegment) << 16 | uint16_t(rom_.font8x8() + 128 * 8);
                    break;
                case 0x06: pointer = uint32_t(BiosRom::kSegment) << 16 | rom_.font8x16(); break;
                case 0x05:
                case 0x07:
                    pointer = uint32_t(BiosRom::kSegment) << 16 | rom_.font_alternates();
                    break;
                default: return;
            }
            c.set_segment(ES, uint16_t(pointer >> 16));
            c.set_bp(uint16_t(pointer));
            c.set_cx(c.read16(bda::kCharHeight));
            c.set_dl(c.read8(bda::kVideoRows));
            break;
        }
        default: break;
    }
}

}  // namespace sandpc
