// A host-side picture: RGB888, rows top to bottom, no padding.
#pragma once

#include <cstdint>
#include <vector>

namespace sandpc {

struct RgbImage {
    unsigned width = 0;
    unsigned height = 0;
    std::vector<uint8_t> pixels;  // width * height * 3

    RgbImage() = default;
    RgbImage(unsigned w, unsigned h) : width(w), height(h), pixels(size_t{w} * h * 3) {}
    void set(unsigned x, unsigned y, uint8_t r, uint8_t g, uint8_t b) {
        uint8_t* p = &pixels[(size_t{y} * width + x) * 3];
        p[0] = r;
        p[1] = g;
        p[2] = b;
    }
    const uint8_t* at(unsigned x, unsigned y) const { return &pixels[(size_t{y} * width + x) * 3]; }
};

}  // namespace sandpc
