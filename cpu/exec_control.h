// Branches, calls, returns, loops and software interrupts.
#pragma once

#include "cpu/exec_common.h"

namespace sandpc {

template <class T>
void jcc(Cpu& c, const Insn& in) {
    if (c.condition(in.opcode & 15)) branch_to(c, c.next_eip + in.imm, sizeof(T) == 4);
}
template <class T>
void jmp_J(Cpu& c, const Insn& in) {
    branch_to(c, c.next_eip + in.imm, sizeof(T) == 4);
}
template <class T>
void jmp_E(Cpu& c, const Insn& in) {
    branch_to(c, read_rm<T>(c, in), sizeof(T) == 4);
}
template <class T>
void call_J(Cpu& c, const Insn& in) {
    uint32_t target = c.next_eip + in.imm;
    if (sizeof(T) == 2) target &= 0xFFFF;
    if (target > c.s.seg[CS].limit) raise_gp(0);
    c.push<T>(static_cast<T>(c.next_eip));
    c.next_eip = target;
}
template <class T>
void call_E(Cpu& c, const Insn& in) {
    uint32_t target = read_rm<T>(c, in);
    if (target > c.s.seg[CS].limit) raise_gp(0);
    c.push<T>(static_cast<T>(c.next_eip));
    c.next_eip = target;
}
template <class T>
void ret(Cpu& c, const Insn& in) {
    uint32_t mask = c.stack_pointer_mask();
    uint32_t sp = c.s.gpr[ESP] & mask;
    T target = c.read<T>(SS, sp);
    if (target > c.s.seg[CS].limit) raise_gp(0);
    sp = (sp + sizeof(T) + (in.imm & 0xFFFF)) & mask;
    c.s.gpr[ESP] = (c.s.gpr[ESP] & ~mask) | sp;
    c.next_eip = target;
}

// LOOP/LOOPE/LOOPNE/JCXZ: opcode E0-E3. The count register follows the
// address size, the target the operand size.
template <class T>
void loop(Cpu& c, const Insn& in) {
    uint32_t count = count_reg(c, in.addr32);
    bool take;
    if (in.opcode == 0xE3) {
        take = count == 0;
    } else {
        count = in.addr32 ? count - 1 : ((count - 1) & 0xFFFF);
        take = count != 0;
        if (in.opcode == 0xE0) take = take && !c.zf();
        if (in.opcode == 0xE1) take = take && c.zf();
    }
    uint32_t target = c.next_eip + in.imm;
    if (sizeof(T) == 2) target &= 0xFFFF;
    if (take && target > c.s.seg[CS].limit) raise_gp(0);
    if (in.opcode != 0xE3) set_count_reg(c, in.addr32, count);
    if (take) c.next_eip = target;
}

template <class T>
void jmp_far_A(Cpu& c, const Insn& in) {
    c.far_jump(in.imm2, in.imm, sizeof(T) == 4);
}
template <class T>
void call_far_A(Cpu& c, const Insn& in) {
    c.far_call(in.imm2, in.imm, sizeof(T) == 4);
}
template <class T>
void jmp_far_M(Cpu& c, const Insn& in) {
    uint32_t ea = c.ea(in);
    T off = c.read<T>(in.seg, ea);
    uint16_t sel = c.read<uint16_t>(in.seg, ea + sizeof(T));
    c.far_jump(sel, off, sizeof(T) == 4);
}
template <class T>
void call_far_M(Cpu& c, const Insn& in) {
    uint32_t ea = c.ea(in);
    T off = c.read<T>(in.seg, ea);
    uint16_t sel = c.read<uint16_t>(in.seg, ea + sizeof(T));
    c.far_call(sel, off, sizeof(T) == 4);
}
template <class T>
void ret_far(Cpu& c, const Insn& in) {
    c.far_return(sizeof(T) == 4, in.opcode == 0xCA ? static_cast<uint16_t>(in.imm) : 0);
}
template <class T>
void iret(Cpu& c, const Insn&) {
    c.interrupt_return(sizeof(T) == 4);
}

void int_n(Cpu& c, const Insn& in);
void int3(Cpu& c, const Insn& in);
void into(Cpu& c, const Insn& in);
void int1(Cpu& c, const Insn& in);
template <class T>
void bound(Cpu& c, const Insn& in) {
    using S = Signed<T>;
    uint32_t ea = c.ea(in);
    S lo = static_cast<S>(c.read<T>(in.seg, ea));
    S hi = static_cast<S>(c.read<T>(in.seg, ea + sizeof(T)));
    S v = static_cast<S>(c.reg<T>(in.reg));
    if (v < lo || v > hi) raise_fault(kBoundRange);
}

}  // namespace sandpc
