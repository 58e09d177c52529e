#include "devices/vga/png_writer.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace sandpc {
namespace {

uint32_t be32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

std::filesystem::path temp_path(const char* name) {
    return std::filesystem::temp_directory_path() /
           (std::string("sandpc_vga_") + std::to_string(::getpid()) + "_" + name);
}

TEST(PngWriter, HeaderChunksAndPixelsRoundTrip) {
    RgbImage img(3, 2);
    for (unsigned y = 0; y < 2; ++y)
        for (unsigned x = 0; x < 3; ++x)
            img.set(x, y, static_cast<uint8_t>(x * 80), static_cast<uint8_t>(y * 200), 7);
    auto path = temp_path("a.png");
    write_png(path, img);
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(path);
    ASSERT_GT(f.size(), 8u + 25 + 12 + 12);
    const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    ASSERT_EQ(0, memcmp(f.data(), sig, 8));
    // IHDR: length 13, then width, height, depth 8, colour type 2, 0, 0, 0.
    const uint8_t* ihdr = f.data() + 8;
    EXPECT_EQ(be32(ihdr), 13u);
    EXPECT_EQ(0, memcmp(ihdr + 4, "IHDR", 4));
    EXPECT_EQ(be32(ihdr + 8), 3u);
    EXPECT_EQ(be32(ihdr + 12), 2u);
    EXPECT_EQ(ihdr[16], 8);
    EXPECT_EQ(ihdr[17], 2);
    EXPECT_EQ(ihdr[18] | ihdr[19] | ihdr[20], 0);
    EXPECT_EQ(be32(ihdr + 21), static_cast<uint32_t>(crc32(0, ihdr + 4, 17)));
    // Walk the chunks, collect IDAT, check every CRC, end with IEND.
    std::vector<uint8_t> idat;
    size_t pos = 8;
    std::string last;
    while (pos + 12 <= f.size()) {
        uint32_t len = be32(&f[pos]);
        ASSERT_LE(pos + 12 + len, f.size());
        last.assign(reinterpret_cast<const char*>(&f[pos + 4]), 4);
        EXPECT_EQ(be32(&f[pos + 8 + len]), static_cast<uint32_t>(crc32(0, &f[pos + 4], len + 4)))
            << last;
        if (last == "IDAT") idat.insert(idat.end(), &f[pos + 8], &f[pos + 8 + len]);
        pos += 12 + len;
    }
    EXPECT_EQ(pos, f.size());
    EXPECT_EQ(last, "IEND");
    std::vector<uint8_t> raw(64);
    uLongf raw_size = raw.size();
    ASSERT_EQ(uncompress(raw.data(), &raw_size, idat.data(), idat.size()), Z_OK);
    ASSERT_EQ(raw_size, 2u * (1 + 9));
    for (unsigned y = 0; y < 2; ++y) {
        EXPECT_EQ(raw[y * 10], 0);  // filter None
        for (unsigned x = 0; x < 3; ++x) {
            EXPECT_EQ(raw[y * 10 + 1 + x * 3], x * 80);
            EXPECT_EQ(raw[y * 10 + 2 + x * 3], y * 200);
            EXPECT_EQ(raw[y * 10 + 3 + x * 3], 7);
        }
    }
}

TEST(PngWriter, FailuresAreReportedAndLeaveNoFile) {
    RgbImage img(2, 2);
    auto dir = temp_path("no_such_dir");
    EXPECT_THROW(write_png(dir / "x.png", img), PngError);
    EXPECT_FALSE(std::filesystem::exists(dir));
    RgbImage empty;
    auto path = temp_path("empty.png");
    EXPECT_THROW(write_png(path, empty), PngError);
    EXPECT_FALSE(std::filesystem::exists(path));
    RgbImage wrong(2, 2);
    wrong.pixels.pop_back();
    EXPECT_THROW(write_png(path, wrong), PngError);
    try {
        write_png(dir / "x.png", img);
    } catch (const PngError& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_dir"), std::string::npos);
    }
}

}  // namespace
}  // namespace sandpc
