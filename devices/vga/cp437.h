// Code page 437 (the VGA ROM font's character set) to UTF-8. 0x00 maps to a
// space; 0x01-0x1F and 0x7F-0xFF to the glyphs the font draws for them.
#pragma once

#include <cstdint>
#include <string_view>

namespace sandpc {

std::string_view cp437_to_utf8(uint8_t ch);

}  // namespace sandpc
