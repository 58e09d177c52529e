// Data movement, stack and flag-register handlers.
#pragma once

#include "cpu/exec_common.h"

namespace sandpc {

template <class T>
void mov_EG(Cpu& c, const Insn& in) {
    write_rm<T>(c, in, c.reg<T>(in.reg));
}
template <class T>
void mov_GE(Cpu& c, const Insn& in) {
    c.set_reg<T>(in.reg, read_rm<T>(c, in));
}
template <class T>
void mov_EI(Cpu& c, const Insn& in) {
    write_rm<T>(c, in, static_cast<T>(in.imm));
}
template <class T>
void mov_ZI(Cpu& c, const Insn& in) {
    c.set_reg<T>(in.reg, static_cast<T>(in.imm));
}
template <class T>
void mov_AO(Cpu& c, const Insn& in) {
    c.set_reg<T>(EAX, c.read<T>(in.seg, in.disp));
}
template <class T>
void mov_OA(Cpu& c, const Insn& in) {
    c.write<T>(in.seg, in.disp, c.reg<T>(EAX));
}

template <class T, class S, bool sign>
void movx_GE(Cpu& c, const Insn& in) {
    S v = read_rm<S>(c, in);
    T r = sign ? static_cast<T>(static_cast<std::make_signed_t<T>>(static_cast<Signed<S>>(v)))
               : static_cast<T>(v);
    c.set_reg<T>(in.reg, r);
}

template <class T>
void lea_GM(Cpu& c, const Insn& in) {
    c.set_reg<T>(in.reg, static_cast<T>(c.ea(in)));
}

template <class T>
void push_Z(Cpu& c, const Insn& in) {
    c.push<T>(c.reg<T>(in.reg));
}
template <class T>
void pop_Z(Cpu& c, const Insn& in) {
    T v = c.pop<T>();
    c.set_reg<T>(in.reg, v);
}
template <class T>
void push_I(Cpu& c, const Insn& in) {
    c.push<T>(static_cast<T>(in.imm));
}
template <class T>
void push_E(Cpu& c, const Insn& in) {
    c.push<T>(read_rm<T>(c, in));
}
template <class T>
void pop_E(Cpu& c, const Insn& in) {
    // The value is popped first; an ESP-based address uses the new ESP.
    uint32_t old_esp = c.s.gpr[ESP];
    T v = c.pop<T>();
    try {
        write_rm<T>(c, in, v);
    } catch (...) {
        c.s.gpr[ESP] = old_esp;
        throw;
    }
}

template <class T>
void pusha(Cpu& c, const Insn&) {
    uint32_t mask = c.stack_pointer_mask();
    uint32_t sp = c.s.gpr[ESP] & mask;
    c.check_write(SS, (sp - 8 * sizeof(T)) & mask, 8 * sizeof(T));
    T saved_sp = c.reg<T>(ESP);
    for (unsigned r = 0; r < 8; ++r) c.push<T>(r == ESP ? saved_sp : c.reg<T>(r));
}
template <class T>
void popa(Cpu& c, const Insn&) {
    uint32_t mask = c.stack_pointer_mask();
    c.check_read(SS, c.s.gpr[ESP] & mask, 8 * sizeof(T));
    for (int r = 7; r >= 0; --r) {
        T v = c.pop<T>();
        if (r != ESP) c.set_reg<T>(static_cast<unsigned>(r), v);
    }
}

template <class T>
void enter(Cpu& c, const Insn& in) {
    uint16_t size = static_cast<uint16_t>(in.imm);
    unsigned level = in.imm2 & 31;
    uint32_t mask = c.stack_pointer_mask();
    uint32_t old_esp = c.s.gpr[ESP];
    uint32_t old_ebp = c.s.gpr[EBP];
    try {
        c.push<T>(c.reg<T>(EBP));
        T frame = static_cast<T>(c.s.gpr[ESP] & mask);
        if (level > 0) {
            uint32_t bp = c.s.gpr[EBP];
            for (unsigned i = 1; i < level; ++i) {
                bp = (bp & ~mask) | ((bp - sizeof(T)) & mask);
                c.push<T>(c.read<T>(SS, bp & mask));
            }
            c.push<T>(frame);
        }
        uint32_t sp = (c.s.gpr[ESP] - size) & mask;
        c.check_write(SS, sp, 1);
        c.set_reg<T>(EBP, frame);
        c.s.gpr[ESP] = (c.s.gpr[ESP] & ~mask) | sp;
    } catch (...) {
        c.s.gpr[ESP] = old_esp;
        c.s.gpr[EBP] = old_ebp;
        throw;
    }
}
template <class T>
void leave(Cpu& c, const Insn&) {
    uint32_t mask = c.stack_pointer_mask();
    uint32_t old_esp = c.s.gpr[ESP];
    c.s.gpr[ESP] = (c.s.gpr[ESP] & ~mask) | (c.s.gpr[EBP] & mask);
    try {
        T v = c.pop<T>();
        c.set_reg<T>(EBP, v);
    } catch (...) {
        c.s.gpr[ESP] = old_esp;
        throw;
    }
}

template <class T>
void cbw(Cpu& c, const Insn&) {
    if constexpr (sizeof(T) == 2)
        c.set_reg16(EAX, uint16_t(int16_t(int8_t(c.reg8(0)))));
    else
        c.s.gpr[EAX] = uint32_t(int32_t(int16_t(c.reg16(EAX))));
}
template <class T>
void cwd(Cpu& c, const Insn&) {
    if constexpr (sizeof(T) == 2)
        c.set_reg16(EDX, (c.reg16(EAX) & 0x8000) ? 0xFFFF : 0);
    else
        c.s.gpr[EDX] = (c.s.gpr[EAX] & 0x80000000u) ? 0xFFFFFFFFu : 0;
}

template <class T>
void cmov_GE(Cpu& c, const Insn& in) {
    T v = read_rm<T>(c, in);  // read (and fault) even when the condition is false
    if (c.condition(in.opcode & 15)) c.set_reg<T>(in.reg, v);
}
void setcc_E(Cpu& c, const Insn& in);
void bswap_Z(Cpu& c, const Insn& in);
void xlat(Cpu& c, const Insn& in);
void lahf(Cpu& c, const Insn& in);
void sahf(Cpu& c, const Insn& in);
void salc(Cpu& c, const Insn& in);
void cmc(Cpu& c, const Insn& in);
void clc(Cpu& c, const Insn& in);
void stc(Cpu& c, const Insn& in);
void cld(Cpu& c, const Insn& in);
void std_(Cpu& c, const Insn& in);
void nop(Cpu& c, const Insn& in);
template <class T>
void pushf(Cpu& c, const Insn& in);
template <class T>
void popf(Cpu& c, const Insn& in);

}  // namespace sandpc
