// Reference harness: runs one instruction natively on the host between an
// FRSTOR of a prepared 108-byte state and an FNSAVE, with the memory operand
// at [rsi]. Each instruction gets its own code snippet in an executable
// buffer written once and then made read-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sandpc::test {

struct HostCtx {
    uint64_t rax = 0;        // in and out (FNSTSW AX, MOVD r32 uses EAX)
    uint64_t rflags_in = 2;  // arithmetic flags for FCMOVcc
    uint64_t rflags_out = 0;
};

class HostRunner {
  public:
    HostRunner();
    ~HostRunner();
    HostRunner(const HostRunner&) = delete;
    HostRunner& operator=(const HostRunner&) = delete;

    // Adds a snippet for the instruction bytes; call before finalize().
    size_t add(const std::vector<uint8_t>& insn);
    void finalize();
    // Runs snippet idx: FRSTOR img, instruction, FNSAVE img.
    void run(size_t idx, uint8_t* img108, uint8_t* mem, HostCtx& ctx) const;
    // Address of the instruction itself (its FIP).
    uint64_t insn_address(size_t idx) const;

  private:
    uint8_t* code_ = nullptr;
    size_t size_ = 0;
    size_t used_ = 0;
    std::vector<size_t> starts_;
    std::vector<size_t> insn_offsets_;
};

}  // namespace sandpc::test
