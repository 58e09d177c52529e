// Handlers for the x87 escapes, WAIT, MMX and FXSAVE/FXRSTOR (exec_fpu.cpp):
// the CPU-side checks around the x87/MMX unit in cpu/fpu.
#pragma once

#include "cpu/exec_common.h"

namespace sandpc {

void fpu_escape(Cpu& c, const Insn& in);
void fwait(Cpu& c, const Insn& in);
void mmx_insn(Cpu& c, const Insn& in);
void fxsave_group(Cpu& c, const Insn& in);

}  // namespace sandpc
