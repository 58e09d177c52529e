// Writes an RgbImage as a PNG file (8-bit RGB, no interlace, filter 0). The
// file is written next to its destination and renamed into place, so a
// failure never leaves a half-written picture over an existing file.
#pragma once

#include <filesystem>
#include <stdexcept>

#include "devices/vga/rgb_image.h"

namespace sandpc {

class PngError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Throws PngError naming the path and the cause (bad image, I/O failure).
void write_png(const std::filesystem::path& path, const RgbImage& image);

}  // namespace sandpc
