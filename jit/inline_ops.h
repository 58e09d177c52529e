// Native translations of single instructions, emitted into a block's code.
// Each has exactly the effect of the interpreter's handler on registers and
// lazy flags, and none can fault, so the instructions around them need no
// EIP bookkeeping.
#pragma once

#include <xbyak/xbyak.h>

#include "cpu/block_compiler.h"
#include "cpu/insn.h"

namespace sandpc {

// Emits `in` inline (with rbx holding the Cpu*) and returns true, or returns
// false when it has no native translation and must call its handler.
// Clobbers rax, rcx, rdx.
bool emit_inline(Xbyak::CodeGenerator& g, const NativeLayout& layout, const Insn& in);

}  // namespace sandpc
