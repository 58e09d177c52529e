// BCD adjustments and CMPXCHG8B (non-template arithmetic handlers).
#include "cpu/exec_alu.h"

namespace sandpc {

void daa(Cpu& c, const Insn&) {
    uint32_t f = c.get_eflags();
    uint8_t al = c.reg8(0), old_al = al;
    bool old_cf = f & eflags::CF, cf = false, af = false;
    if ((al & 0xF) > 9 || (f & eflags::AF)) {
        cf = old_cf || al > 0xF9;
        al = static_cast<uint8_t>(al + 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = static_cast<uint8_t>(al + 0x60);
        cf = true;
    }
    c.set_reg8(0, al);
    c.set_arith_flags(szp_flags<uint8_t>(al) | (cf ? eflags::CF : 0) | (af ? eflags::AF : 0) |
                      (f & eflags::OF));
}

void das(Cpu& c, const Insn&) {
    uint32_t f = c.get_eflags();
    uint8_t al = c.reg8(0), old_al = al;
    bool old_cf = f & eflags::CF, cf = false, af = false;
    if ((al & 0xF) > 9 || (f & eflags::AF)) {
        cf = old_cf || al < 6;
        al = static_cast<uint8_t>(al - 6);
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = static_cast<uint8_t>(al - 0x60);
        cf = true;
    }
    c.set_reg8(0, al);
    c.set_arith_flags(szp_flags<uint8_t>(al) | (cf ? eflags::CF : 0) | (af ? eflags::AF : 0) |
                      (f & eflags::OF));
}

void aaa(Cpu& c, const Insn&) {
    uint32_t f = c.get_eflags();
    uint16_t ax = c.reg16(EAX);
    bool adjust = (ax & 0xF) > 9 || (f & eflags::AF);
    if (adjust) ax = static_cast<uint16_t>(ax + 0x106);
    ax &= 0xFF0F;
    c.set_reg16(EAX, ax);
    c.set_arith_flags((f & ~(eflags::CF | eflags::AF)) | (adjust ? eflags::CF | eflags::AF : 0));
}

void aas(Cpu& c, const Insn&) {
    uint32_t f = c.get_eflags();
    uint16_t ax = c.reg16(EAX);
    bool adjust = (ax & 0xF) > 9 || (f & eflags::AF);
    if (adjust) {
        ax = static_cast<uint16_t>(ax - 6);
        ax = static_cast<uint16_t>(ax - 0x100);
    }
    ax &= 0xFF0F;
    c.set_reg16(EAX, ax);
    c.set_arith_flags((f & ~(eflags::CF | eflags::AF)) | (adjust ? eflags::CF | eflags::AF : 0));
}

void aam(Cpu& c, const Insn& in) {
    uint8_t base = static_cast<uint8_t>(in.imm);
    if (base == 0) raise_fault(kDivideError);
    uint8_t al = c.reg8(0);
    uint8_t q = al / base, r = al % base;
    c.set_reg16(EAX, static_cast<uint16_t>((q << 8) | r));
    c.set_arith_flags(szp_flags<uint8_t>(r));
}

void aad(Cpu& c, const Insn& in) {
    uint8_t base = static_cast<uint8_t>(in.imm);
    uint8_t al = static_cast<uint8_t>(c.reg8(0) + c.reg8(4) * base);
    c.set_reg16(EAX, al);
    c.set_arith_flags(szp_flags<uint8_t>(al));
}

void cmpxchg8b(Cpu& c, const Insn& in) {
    uint32_t ea = c.ea(in);
    // The operand is one 8-byte access: segment checks first, then the
    // 8-byte alignment check, then the reads.
    c.check_read(in.seg, ea, 8);
    if (c.alignment_check_active() && ((c.s.seg[in.seg].base + ea) & 7))
        raise_fault(kAlignmentCheck, 0);
    uint32_t lo = c.read<uint32_t>(in.seg, ea);
    uint32_t hi = c.read<uint32_t>(in.seg, ea + 4);
    c.check_write(in.seg, ea, 8);
    uint32_t f = c.get_eflags() & eflags::kArith;
    if (lo == c.s.gpr[EAX] && hi == c.s.gpr[EDX]) {
        c.write<uint32_t>(in.seg, ea, c.s.gpr[EBX]);
        c.write<uint32_t>(in.seg, ea + 4, c.s.gpr[ECX]);
        c.set_arith_flags(f | eflags::ZF);
    } else {
        // The processor writes the old value back (the access is a locked RMW).
        c.write<uint32_t>(in.seg, ea, lo);
        c.write<uint32_t>(in.seg, ea + 4, hi);
        c.s.gpr[EAX] = lo;
        c.s.gpr[EDX] = hi;
        c.set_arith_flags(f & ~eflags::ZF);
    }
}

}  // namespace sandpc
