// The BIOS's view of the standard video modes: text geometry, the CPU
// window, page size and how graphics pixels are laid out in memory. The
// register values themselves come from devices/vga/vga_modes.h.
#pragma once
#include <cstdint>

namespace sandpc {

enum class PixelLayout : uint8_t {
    kText,
    kCga2,    // modes 04h/05h: 2 bits per pixel, even lines at +0, odd at +2000h
    kCga1,    // mode 06h: 1 bit per pixel, interleaved like kCga2
    kPlanar,  // modes 0Dh-12h: four planes, one bit per pixel per plane
    kLinear,  // mode 13h: one byte per pixel
};

struct BiosVideoMode {
    uint8_t mode;
    PixelLayout layout;
    uint8_t columns;
    uint8_t rows;
    uint8_t char_height;
    uint32_t window;     // physical base of the video window
    uint16_t page_size;  // bytes per page
    bool text() const { return layout == PixelLayout::kText; }
    // Bytes one character cell covers on one scan line (graphics modes).
    unsigned cell_bytes() const {
        switch (layout) {
            case PixelLayout::kCga2: return 2;
            case PixelLayout::kLinear: return 8;
            default: return 1;
        }
    }
    // Bytes per scan line (graphics modes).
    unsigned line_bytes() const { return columns * cell_bytes(); }
};

inline constexpr BiosVideoMode kBiosVideoModes[] = {
    {0x00, PixelLayout::kText, 40, 25, 16, 0xB8000, 0x0800},
    {0x01, PixelLayout::kText, 40, 25, 16, 0xB8000, 0x0800},
    {0x02, PixelLayout::kText, 80, 25, 16, 0xB8000, 0x1000},
    {0x03, PixelLayout::kText, 80, 25, 16, 0xB8000, 0x1000},
    {0x04, PixelLayout::kCga2, 40, 25, 8, 0xB8000, 0x4000},
    {0x05, PixelLayout::kCga2, 40, 25, 8, 0xB8000, 0x4000},
    {0x06, PixelLayout::kCga1, 80, 25, 8, 0xB8000, 0x4000},
    {0x07, PixelLayout::kText, 80, 25, 16, 0xB0000, 0x1000},
    {0x0D, PixelLayout::kPlanar, 40, 25, 8, 0xA0000, 0x2000},
    {0x0E, PixelLayout::kPlanar, 80, 25, 8, 0xA0000, 0x4000},
    {0x0F, PixelLayout::kPlanar, 80, 25, 14, 0xA0000, 0x8000},
    {0x10, PixelLayout::kPlanar, 80, 25, 14, 0xA0000, 0x8000},
    {0x11, PixelLayout::kPlanar, 80, 30, 16, 0xA0000, 0xA000},
    {0x12, PixelLayout::kPlanar, 80, 30, 16, 0xA0000, 0xA000},
    {0x13, PixelLayout::kLinear, 40, 25, 8, 0xA0000, 0xFA00},
};

inline const BiosVideoMode* find_bios_video_mode(uint8_t mode) {
    for (const BiosVideoMode& m : kBiosVideoModes)
        if (m.mode == mode) return &m;
    return nullptr;
}

}  // namespace sandpc
