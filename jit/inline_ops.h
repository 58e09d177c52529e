// Native translations of single instructions, emitted into a block's code.
// Each has exactly the effect of the interpreter's handler on registers,
// memory and lazy flags.
#pragma once

#include <xbyak/xbyak.h>

#include "cpu/block_compiler.h"
#include "cpu/cpu_state.h"
#include "cpu/insn.h"

namespace sandpc {

enum class InlineKind {
    kNone,     // no translation: call the handler
    kExact,    // emitted; cannot fault, needs no EIP bookkeeping
    kGuarded,  // emitted fast path (memory through the TLB) that jumps to
               // `slow` when it cannot finish (segment or TLB miss, page
               // crossing, alignment check) before changing any state; the
               // caller emits the handler call there
};

// Emits `in` (rbx holds the Cpu*). Clobbers the caller-saved registers.
// Neither kind counts the instruction.
// The lazy-flag record as far as the compiler knows it at a point in a
// block: which operation wrote it and at what size (op == kNone: unknown).
struct KnownFlags {
    FlagOp op = FlagOp::kNone;
    unsigned size = 4;
};

// `known` describes the record before `in`; on return it describes it after
// (unchanged when the translation leaves the flags alone), so later
// instructions can read the flags natively.
InlineKind emit_inline(Xbyak::CodeGenerator& g, const NativeLayout& layout, const Insn& in,
                       Xbyak::Label& slow, KnownFlags& known);

}  // namespace sandpc
