// Random x87 and MMX sequences for the differential test: instructions from
// the table's escape (D8-DF), WAIT, MMX and FXSAVE/FXRSTOR rows with random
// ModRM, memory operands written just before use with values chosen to hit
// zeros, denormals, infinities, NaNs, unsupported encodings and rounding
// boundaries, and a starting x87 state (registers, control word with every
// rounding and precision mode, tags) loaded through the request's FXSAVE
// image. Each sequence ends with FNSTENV so the full tag word is compared.
#pragma once

#include <array>
#include <cstdint>
#include <random>

#include "tests/diff/sequence_generator.h"

namespace sandpc {

// Bytes of guest memory whose final contents are not compared (FPU
// instruction/data pointers in stored images, XMM areas of FXSAVE images).
struct IgnoredRange {
    uint32_t addr;
    uint32_t len;
};

struct X87Sequence {
    Sequence seq;
    std::array<uint8_t, 512> fxsave_in{};
    std::vector<IgnoredRange> ignored;
};

class X87SequenceGenerator {
  public:
    explicit X87SequenceGenerator(uint64_t seed);
    X87Sequence next();
    const std::vector<const InsnInfo*>& rows() const { return rows_; }

    // Address of the final FNSTENV image.
    static constexpr uint32_t kEnvImage = 0x00200F80;

  private:
    void emit_x87(const InsnInfo& row, X87Sequence& out);
    void emit_mmx(const InsnInfo& row, X87Sequence& out);
    void emit_fxsr(const InsnInfo& row, X87Sequence& out);
    void store(Sequence& seq, uint32_t addr, const uint8_t* bytes, unsigned len);
    void special_f80(uint8_t* p);
    uint16_t control_word();
    uint32_t operand_address(unsigned align);
    uint32_t rnd() { return static_cast<uint32_t>(rng_()); }
    uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

    std::mt19937_64 rng_;
    std::vector<const InsnInfo*> rows_;
    // Bytes the current sequence's FSAVE/FXSAVE images may change: kept
    // under the native runner's limit of reported changes.
    unsigned image_bytes_ = 0;
    static constexpr unsigned kImageBudget = 700;
};

}  // namespace sandpc
