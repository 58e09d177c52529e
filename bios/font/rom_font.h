// The BIOS ROM fonts: code page 437 in 8x16, 8x14 and 8x8 cells, one byte
// per row (bit 7 = leftmost dot), 256 characters in order. Generated at
// build time from GNU Unifont by bios/font/font_gen.cpp, which documents how
// the shorter cells are derived.
#pragma once
#include <cstdint>

namespace sandpc {

extern const uint8_t kRomFont8x16[256 * 16];
extern const uint8_t kRomFont8x14[256 * 14];
extern const uint8_t kRomFont8x8[256 * 8];

}  // namespace sandpc
