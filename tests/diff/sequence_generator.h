// Random instruction sequences drawn from the instruction table, shaped so
// that every memory access lands in the differential test's mapped areas
// and nothing depends on a flag or register value the table marks undefined.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "cpu/instruction_table.h"

namespace sandpc {

struct GeneratedInsn {
    std::vector<uint8_t> bytes;
    const InsnInfo* info = nullptr;  // null for the set-up MOVs
};

struct Sequence {
    std::vector<GeneratedInsn> insns;
    uint16_t undefined_flags = 0;  // flags whose final value is not compared
    std::vector<uint8_t> code() const;
    std::string disassembly() const;
};

struct GeneratorOptions {
    unsigned max_insns = 6;
    bool low_area = false;  // 16-bit addressing allowed
};

class SequenceGenerator {
  public:
    SequenceGenerator(uint64_t seed, GeneratorOptions options);
    Sequence next();
    // Rows the generator draws from.
    const std::vector<const InsnInfo*>& rows() const { return rows_; }

  private:
    bool emit(const InsnInfo& row, Sequence& seq, uint16_t undefined);
    void set_reg(Sequence& seq, unsigned reg, uint32_t value);
    uint32_t data_address(unsigned room);
    uint32_t rnd() { return static_cast<uint32_t>(rng_()); }
    uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }

    bool alignment_check_possible_ = false;  // a POPF may have set EFLAGS.AC
    std::mt19937_64 rng_;
    GeneratorOptions options_;
    std::vector<const InsnInfo*> rows_;
};

}  // namespace sandpc
