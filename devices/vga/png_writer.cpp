#include "devices/vga/png_writer.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace sandpc {

namespace {

void put_be32(std::vector<uint8_t>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void put_chunk(std::vector<uint8_t>& out, const char type[4], const std::vector<uint8_t>& data) {
    put_be32(out, static_cast<uint32_t>(data.size()));
    size_t type_at = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    uLong crc = crc32(0, out.data() + type_at, static_cast<uInt>(4 + data.size()));
    put_be32(out, static_cast<uint32_t>(crc));
}

std::vector<uint8_t> encode(const RgbImage& image) {
    std::vector<uint8_t> raw;
    size_t row_bytes = size_t{image.width} * 3;
    raw.reserve((row_bytes + 1) * image.height);
    for (unsigned y = 0; y < image.height; ++y) {
        raw.push_back(0);  // filter type None
        const uint8_t* row = image.pixels.data() + y * row_bytes;
        raw.insert(raw.end(), row, row + row_bytes);
    }
    uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<uint8_t> packed(packed_size);
    if (compress2(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()), 6) !=
        Z_OK) {
        throw PngError("png: compression failed");
    }
    packed.resize(packed_size);

    std::vector<uint8_t> file = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> ihdr;
    put_be32(ihdr, image.width);
    put_be32(ihdr, image.height);
    ihdr.insert(ihdr.end(),
                {8, 2, 0, 0, 0});  // depth 8, truecolour, deflate, filter 0, no interlace
    put_chunk(file, "IHDR", ihdr);
    put_chunk(file, "IDAT", packed);
    put_chunk(file, "IEND", {});
    return file;
}

}  // namespace

void write_png(const std::filesystem::path& path, const RgbImage& image) {
    // PNG limits dimensions to 2^31 - 1; zero-sized images are not allowed.
    if (image.width == 0 || image.height == 0 || image.width > 0x7FFFFFFF ||
        image.height > 0x7FFFFFFF ||
        image.pixels.size() != size_t{image.width} * image.height * 3) {
        throw PngError("png: " + path.string() + ": image has no pixels or a wrong pixel count");
    }
    std::vector<uint8_t> file = encode(image);
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw PngError("png: cannot create " + tmp.string() + ": " + std::strerror(errno));
        out.write(reinterpret_cast<const char*>(file.data()),
                  static_cast<std::streamsize>(file.size()));
        out.flush();
        if (!out) {
            int err = errno;
            out.close();
            std::error_code ignored;
            std::filesystem::remove(tmp, ignored);
            throw PngError("png: cannot write " + tmp.string() + ": " + std::strerror(err));
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw PngError("png: cannot rename " + tmp.string() + " to " + path.string() + ": " +
                       ec.message());
    }
}

}  // namespace sandpc
