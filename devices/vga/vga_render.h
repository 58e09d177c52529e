// Turning video memory into pictures and text for the host. Everything here
// reads only; guest register values are bounded by their bit widths and
// every memory fetch is masked into the planes or checked against the size.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "devices/vga/rgb_image.h"
#include "devices/vga/vbe_dispi.h"
#include "devices/vga/vga_dac.h"
#include "devices/vga/vga_registers.h"

namespace sandpc {

struct TextCursor;

struct VgaView {
    const VgaRegisters& regs;
    const VgaDac& dac;
    const VbeDispi& vbe;
    std::span<const uint8_t> vram;
    uint64_t frame;  // frame counter, for blinking
};

struct TextGeometry {
    unsigned columns;
    unsigned rows;
    unsigned char_width;   // 8 or 9 dots
    unsigned char_height;  // scan lines
    uint32_t start;        // CRTC address of the top-left character
    uint32_t row_pitch;    // CRTC addresses per character row
};

TextGeometry vga_text_geometry(const VgaRegisters& regs);
std::string vga_text_screen(const VgaRegisters& regs, std::span<const uint8_t> vram);
TextCursor vga_text_cursor(const VgaRegisters& regs);
void render_vga_text(const VgaView& view, RgbImage& image);

// Attribute controller: 4-bit pixel value -> 8-bit DAC index.
uint8_t attribute_to_dac_index(const VgaRegisters& regs, uint8_t value);

RgbImage render_vga(const VgaView& view);

}  // namespace sandpc
