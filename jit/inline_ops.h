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
// `known` is the kind of operation the lazy-flag record holds at this point
// if an earlier translation in the block set it (else FlagOp::kNone);
// `flags` is set to the operation this translation records (kNone when it
// leaves the flags alone), so later instructions can read them natively.
InlineKind emit_inline(Xbyak::CodeGenerator& g, const NativeLayout& layout, const Insn& in,
                       Xbyak::Label& slow, FlagOp known, FlagOp& flags);

}  // namespace sandpc
