// The 80-bit extended-precision register format and its classification.
#pragma once

#include <cstdint>
#include <cstring>

namespace sandpc {

// One x87 register exactly as the hardware stores it: 64-bit significand
// (bit 63 is the explicit integer bit J) and 16 bits of sign + exponent.
struct F80 {
    uint64_t mant = 0;
    uint16_t sign_exp = 0;

    uint16_t exponent() const { return sign_exp & 0x7fff; }
    bool sign() const { return (sign_exp & 0x8000) != 0; }
    bool operator==(const F80&) const = default;

    void to_bytes(uint8_t* p) const {
        std::memcpy(p, &mant, 8);
        std::memcpy(p + 8, &sign_exp, 2);
    }
    static F80 from_bytes(const uint8_t* p) {
        F80 f;
        std::memcpy(&f.mant, p, 8);
        std::memcpy(&f.sign_exp, p + 8, 2);
        return f;
    }
};
static_assert(sizeof(F80) == 16);

// The QNaN "real indefinite" the FPU delivers for masked invalid operations.
inline constexpr F80 kIndefinite{0xc000000000000000ull, 0xffff};

// Tag values of the full (2-bit) tag word.
enum class Tag : uint8_t { valid = 0, zero = 1, special = 2, empty = 3 };

// The tag FSTENV/FSAVE report for a non-empty register, derived from its
// contents: valid = normal finite, zero = true zero, special = everything
// else (NaN, infinity, denormal, pseudo-denormal, unsupported encodings).
inline Tag tag_of(const F80& f) {
    uint16_t e = f.exponent();
    if (e == 0) return f.mant == 0 ? Tag::zero : Tag::special;
    if (e == 0x7fff) return Tag::special;
    return (f.mant >> 63) ? Tag::valid : Tag::special;
}

// An MMX register aliases the significand; writes set sign+exponent to ones.
inline F80 f80_from_mmx(uint64_t v) {
    return F80{v, 0xffff};
}

}  // namespace sandpc
