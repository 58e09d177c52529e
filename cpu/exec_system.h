// Handlers for segment registers, I/O, descriptor tables, control
// registers, MSRs and other system instructions (exec_system.cpp).
#pragma once

#include "cpu/exec_common.h"

namespace sandpc {

template <class T>
void mov_E_S(Cpu& c, const Insn& in);
void mov_S_E(Cpu& c, const Insn& in);
template <class T>
void push_seg(Cpu& c, const Insn& in);
template <class T>
void pop_seg(Cpu& c, const Insn& in);
template <class T>
void load_far_pointer(Cpu& c, const Insn& in);

template <class T>
void in_I(Cpu& c, const Insn& in);
template <class T>
void in_DX(Cpu& c, const Insn& in);
template <class T>
void out_I(Cpu& c, const Insn& in);
template <class T>
void out_DX(Cpu& c, const Insn& in);

void cli(Cpu& c, const Insn& in);
void sti(Cpu& c, const Insn& in);
void hlt(Cpu& c, const Insn& in);
void clts(Cpu& c, const Insn& in);
void invalid_opcode(Cpu& c, const Insn& in);
void ud2(Cpu& c, const Insn& in);
void lgdt_lidt(Cpu& c, const Insn& in);
void sgdt_sidt(Cpu& c, const Insn& in);
void sldt_str(Cpu& c, const Insn& in);
void lldt(Cpu& c, const Insn& in);
void ltr(Cpu& c, const Insn& in);
void smsw(Cpu& c, const Insn& in);
void lmsw(Cpu& c, const Insn& in);
void invlpg(Cpu& c, const Insn& in);
void invd_wbinvd(Cpu& c, const Insn& in);
void mov_R_C(Cpu& c, const Insn& in);
void mov_C_R(Cpu& c, const Insn& in);
void mov_R_D(Cpu& c, const Insn& in);
void mov_D_R(Cpu& c, const Insn& in);
void rdmsr(Cpu& c, const Insn& in);
void wrmsr(Cpu& c, const Insn& in);
void rdtsc(Cpu& c, const Insn& in);
void rdpmc(Cpu& c, const Insn& in);
void cpuid_insn(Cpu& c, const Insn& in);
void sysenter(Cpu& c, const Insn& in);
void sysexit(Cpu& c, const Insn& in);
template <class T>
void lar(Cpu& c, const Insn& in);
template <class T>
void lsl(Cpu& c, const Insn& in);
void verr(Cpu& c, const Insn& in);
void verw(Cpu& c, const Insn& in);
void arpl(Cpu& c, const Insn& in);

}  // namespace sandpc
