// The standard IBM VGA modes as register values (the BIOS parameter table
// contents) and geometry, for the BIOS to write through the ports.
//
// Write order for a mode set: sequencer reset (SR00 = 0x01), misc output,
// SR01-SR04, SR00 = 0x03; clear CR11 bit 7 (write protect) and then CR00-CR18
// in index order (CR11 re-locks CR00-07 only after they are written);
// GR00-GR08; read 0x3DA, AR00-AR14 through 0x3C0 and finally 0x20 to 0x3C0
// to hand the palette back to the display; then the DAC from
// default_dac_color().
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "devices/vga/vga_dac.h"

namespace sandpc {

enum class VgaPalette {
    kEga64,   // 350/400/480-line 16-colour and text modes: bits 0-2 primary, 3-5 secondary BGR
    kCga64,   // 200-line 16-colour modes: bits 0-2 BGR, bit 4 intensity, colour 6 brown
    kMono64,  // mode 7: bit 3 video, bit 4 intensity
    kVga256,  // mode 13h: 16 CGA colours, 16 greys, 9 hue rings of 24, 8 black
};

struct VgaMode {
    uint8_t number;
    bool text;
    unsigned columns, rows, char_height;
    unsigned width, height;  // pixels as displayed (text: columns x cell width)
    unsigned bits_per_pixel;
    uint32_t memory_base;  // physical start of the CPU window the mode uses
    VgaPalette palette;
    uint8_t misc;
    std::array<uint8_t, 5> sequencer;
    std::array<uint8_t, 25> crtc;
    std::array<uint8_t, 9> graphics;
    std::array<uint8_t, 21> attribute;
};

std::span<const VgaMode> vga_modes();
const VgaMode* find_vga_mode(unsigned number);  // nullptr when not a standard mode

// DAC entry (6-bit components) the BIOS loads for a palette kind; entries a
// 64-colour kind does not define are black.
Rgb default_dac_color(VgaPalette palette, unsigned index);

}  // namespace sandpc
