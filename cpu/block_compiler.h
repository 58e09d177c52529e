// The interface between the CPU and a block compiler (jit/): the CPU hands
// a hot decoded block to the compiler and runs the native code it returns in
// place of the interpreter loop. Native code has the same effect on the CPU
// as interpreting the block: instruction for instruction the same registers,
// lazy flags, EIP and instruction count, stopping where the interpreter
// would stop. The CPU depends only on this header; jit/ implements it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sandpc {

class Cpu;
struct DecodedBlock;
struct Insn;

// What native code returns to the CPU.
enum NativeExit : uint32_t {
    kNativeDone = 0,   // ran to the block's end or stopped after an instruction
    kNativeFault = 1,  // an instruction faulted: the CPU rethrows its fault
};

// Native code for one block: `uint32_t code(Cpu*)` returning a NativeExit.
using NativeCode = uint32_t (*)(Cpu*);

// Byte offsets from a Cpu object of the fields native code reads and
// writes, and the entry points it calls. Computed by the CPU at run time.
struct NativeLayout {
    int32_t gpr = 0;         // uint32_t[9]; gpr[8] is always zero
    int32_t eip = 0;         // uint32_t
    int32_t next_eip = 0;    // uint32_t: EIP after the executing instruction
    int32_t lazy = 0;        // LazyFlags (cpu/cpu_state.h)
    int32_t icount = 0;      // uint64_t instruction counter
    int32_t stop_block = 0;  // bool: end the block after this instruction
    int32_t seg = 0;         // SegmentCache[6] (cpu/cpu_state.h)
    int32_t tlb = 0;         // TlbEntry[kTlbSize] (cpu/tlb.h)
    int32_t user_bit = 0;    // uint32_t: 1 at CPL 3 (the TLB tag's low bit)
    int32_t align_mask = 0;  // uint32_t: ~0 when alignment checking is active
    // Runs one instruction through its interpreter handler with EIP and
    // next_eip already set; returns kNativeFault after recording a fault.
    uint32_t (*run_insn)(Cpu*, const Insn*) = nullptr;
    // Flag reads that cannot fault: a Jcc/SETcc condition (0-15) and CF.
    bool (*condition)(const Cpu*, unsigned cc) = nullptr;
    bool (*carry)(const Cpu*) = nullptr;
};

class BlockCompiler {
  public:
    virtual ~BlockCompiler() = default;
    // Native code for `block` (whose address and instructions stay valid
    // until the CPU discards the block), or nullptr when the code space is
    // full: the CPU then calls flush() and forgets every NativeCode it holds.
    virtual NativeCode compile(const DecodedBlock& block, const NativeLayout& layout) = 0;
    virtual void flush() = 0;
};

}  // namespace sandpc
