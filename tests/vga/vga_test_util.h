// A VGA on its own buses, programmed the way a BIOS does it: mode registers
// from the tables through the ports, font bytes through plane 2.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "devices/vga/vga.h"
#include "devices/vga/vga_modes.h"

namespace sandpc::test {

class VgaFixture : public ::testing::Test {
  protected:
    uint8_t in(uint16_t port) { return io.read8(port); }
    void out(uint16_t port, uint8_t v) { io.write8(port, v); }
    void outw(uint16_t port, uint16_t v) { io.write16(port, v); }
    uint8_t peek(uint64_t addr) { return static_cast<uint8_t>(mmio.read(addr, 1)); }
    void poke(uint64_t addr, uint8_t v) { mmio.write(addr, 1, v); }

    void set_seq(uint8_t i, uint8_t v) { outw(0x3C4, static_cast<uint16_t>(v << 8 | i)); }
    void set_gc(uint8_t i, uint8_t v) { outw(0x3CE, static_cast<uint16_t>(v << 8 | i)); }
    void set_crtc(uint8_t i, uint8_t v) { outw(0x3D4, static_cast<uint16_t>(v << 8 | i)); }

    void set_mode(unsigned number) {
        const VgaMode* m = find_vga_mode(number);
        ASSERT_NE(m, nullptr);
        set_seq(0, 0x01);
        out(0x3C2, m->misc);
        for (uint8_t i = 1; i < 5; ++i) set_seq(i, m->sequencer[i]);
        set_seq(0, m->sequencer[0]);
        uint16_t crtc = (m->misc & 1) ? 0x3D4 : 0x3B4;
        out(crtc, 0x11);
        out(crtc + 1, m->crtc[0x11] & 0x7F);
        for (uint8_t i = 0; i < m->crtc.size(); ++i) {
            out(crtc, i);
            out(crtc + 1, m->crtc[i]);
        }
        for (uint8_t i = 0; i < m->graphics.size(); ++i) set_gc(i, m->graphics[i]);
        in(crtc + 6);  // input status 1: flip-flop to index
        for (uint8_t i = 0; i < m->attribute.size(); ++i) {
            out(0x3C0, i);
            out(0x3C0, m->attribute[i]);
        }
        out(0x3C0, 0x20);
        out(0x3C8, 0);
        for (unsigned i = 0; i < 256; ++i) {
            Rgb c = default_dac_color(m->palette, i);
            out(0x3C9, c.r);
            out(0x3C9, c.g);
            out(0x3C9, c.b);
        }
    }

    // Writes one glyph (rows of bits) into plane 2 with the planes opened
    // sequentially, as a BIOS font loader does, then restores text access.
    void load_glyph(uint8_t ch, const uint8_t* rows, unsigned count) {
        set_seq(2, 0x04);
        set_seq(4, 0x06);
        set_gc(4, 0x02);
        set_gc(5, 0x00);
        set_gc(6, 0x04);
        for (unsigned r = 0; r < count; ++r) poke(0xA0000 + ch * 32u + r, rows[r]);
        set_seq(2, 0x03);
        set_seq(4, 0x02);
        set_gc(4, 0x00);
        set_gc(5, 0x10);
        set_gc(6, 0x0E);
    }

    Scheduler sched{1'000'000'000};
    IoBus io;
    MmioBus mmio;
    Vga vga{io, mmio, sched};
};

}  // namespace sandpc::test
