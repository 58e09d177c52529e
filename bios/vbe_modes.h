// The VESA modes the BIOS offers over the Bochs dispi interface: the VBE 1.2
// standard numbers (0x100-0x11B, packed-pixel and direct-colour ones) and a
// few 32-bpp modes at 0x140 onwards (numbers outside the VESA-defined range,
// as the VBE 2.0 specification asks of new modes; Bochs uses the same).
#pragma once
#include <cstdint>
#include <span>

namespace sandpc {

struct VbeMode {
    uint16_t number;
    uint16_t width;
    uint16_t height;
    uint8_t bpp;  // 8, 15, 16, 24 or 32
};

inline constexpr VbeMode kVbeModes[] = {
    {0x100, 640, 400, 8},    {0x101, 640, 480, 8},    {0x103, 800, 600, 8},
    {0x105, 1024, 768, 8},   {0x107, 1280, 1024, 8},  {0x10D, 320, 200, 15},
    {0x10E, 320, 200, 16},   {0x10F, 320, 200, 24},   {0x110, 640, 480, 15},
    {0x111, 640, 480, 16},   {0x112, 640, 480, 24},   {0x113, 800, 600, 15},
    {0x114, 800, 600, 16},   {0x115, 800, 600, 24},   {0x116, 1024, 768, 15},
    {0x117, 1024, 768, 16},  {0x118, 1024, 768, 24},  {0x119, 1280, 1024, 15},
    {0x11A, 1280, 1024, 16}, {0x11B, 1280, 1024, 24}, {0x140, 320, 200, 32},
    {0x141, 640, 400, 32},   {0x142, 640, 480, 32},   {0x143, 800, 600, 32},
    {0x144, 1024, 768, 32},  {0x145, 1280, 1024, 32},
};

inline const VbeMode* find_vbe_mode(uint16_t number) {
    for (const VbeMode& m : kVbeModes)
        if (m.number == number) return &m;
    return nullptr;
}

// Bytes one pixel takes in video memory.
inline constexpr unsigned vbe_bytes_per_pixel(unsigned bpp) {
    return (bpp + 7) / 8;
}

}  // namespace sandpc
