// Non-template data movement and flag handlers.
#include "cpu/exec_data.h"

namespace sandpc {

void setcc_E(Cpu& c, const Insn& in) {
    write_rm<uint8_t>(c, in, c.condition(in.opcode & 15) ? 1 : 0);
}

void bswap_Z(Cpu& c, const Insn& in) {
    if (in.op32) {
        c.s.gpr[in.reg] = __builtin_bswap32(c.s.gpr[in.reg]);
    } else {
        // BSWAP r16 is undefined; P6-family processors clear the register.
        c.set_reg16(in.reg, 0);
    }
}

void xlat(Cpu& c, const Insn& in) {
    uint32_t addr = c.s.gpr[EBX] + c.reg8(0);
    if (!in.addr32) addr &= 0xFFFF;
    c.set_reg8(0, c.read<uint8_t>(in.seg, addr));
}

void lahf(Cpu& c, const Insn&) {
    c.set_reg8(4, static_cast<uint8_t>(c.get_eflags() & 0xD7) | 2);
}

void sahf(Cpu& c, const Insn&) {
    uint32_t mask = eflags::SF | eflags::ZF | eflags::AF | eflags::PF | eflags::CF;
    c.set_eflags(c.reg8(4), mask);
}

void salc(Cpu& c, const Insn&) {
    c.set_reg8(0, c.cf() ? 0xFF : 0);
}

void cmc(Cpu& c, const Insn&) {
    c.set_eflags(c.get_eflags() ^ eflags::CF, eflags::CF);
}
void clc(Cpu& c, const Insn&) {
    c.set_eflags(0, eflags::CF);
}
void stc(Cpu& c, const Insn&) {
    c.set_eflags(eflags::CF, eflags::CF);
}
void cld(Cpu& c, const Insn&) {
    c.s.eflags &= ~eflags::DF;
}
void std_(Cpu& c, const Insn&) {
    c.s.eflags |= eflags::DF;
}
void nop(Cpu&, const Insn&) {}

template <class T>
void pushf(Cpu& c, const Insn&) {
    if (c.mode() == CpuMode::kVirtual8086 && c.iopl() < 3) raise_gp(0);
    uint32_t f = c.get_eflags() & ~(eflags::VM | eflags::RF);
    c.push<T>(static_cast<T>(f));
}

template <class T>
void popf(Cpu& c, const Insn&) {
    CpuMode mode = c.mode();
    if (mode == CpuMode::kVirtual8086 && c.iopl() < 3) raise_gp(0);
    T v = c.pop<T>();
    uint32_t mask =
        eflags::kArith | eflags::TF | eflags::DF | eflags::NT | eflags::IF | eflags::IOPL;
    if (sizeof(T) == 4) mask |= eflags::AC | eflags::ID;
    if (mode == CpuMode::kVirtual8086) {
        mask &= ~eflags::IOPL;
    } else if (mode == CpuMode::kProtected) {
        if (c.s.cpl > 0) mask &= ~eflags::IOPL;
        if (c.s.cpl > c.iopl()) mask &= ~eflags::IF;
    }
    c.set_eflags(v, mask);
    c.s.eflags &= ~eflags::RF;
}

template void pushf<uint16_t>(Cpu&, const Insn&);
template void pushf<uint32_t>(Cpu&, const Insn&);
template void popf<uint16_t>(Cpu&, const Insn&);
template void popf<uint32_t>(Cpu&, const Insn&);

}  // namespace sandpc
