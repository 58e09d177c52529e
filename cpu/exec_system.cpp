#include "cpu/exec_system.h"

#include "cpu/descriptor.h"

namespace sandpc {

namespace {

// Segment register named by a PUSH/POP sreg opcode.
unsigned segment_of_opcode(const Insn& in) {
    switch (in.opcode) {
        case 0x06:
        case 0x07: return ES;
        case 0x0E: return CS;
        case 0x16:
        case 0x17: return SS;
        case 0x1E:
        case 0x1F: return DS;
        case 0xA0:
        case 0xA1: return FS;
        default: return GS;
    }
}

void require_cpl0(const Cpu& c) {
    if (c.mode() == CpuMode::kVirtual8086 || (c.protected_mode() && c.s.cpl != 0)) raise_gp(0);
}

void require_protected(const Cpu& c) {
    if (!c.protected_mode()) raise_ud();
}

}  // namespace

template <class T>
void mov_E_S(Cpu& c, const Insn& in) {
    if (in.reg > GS) raise_ud();
    uint16_t sel = c.s.seg[in.reg].selector;
    if (in.has_mem)
        c.write<uint16_t>(in.seg, c.ea(in), sel);
    else
        c.set_reg<T>(in.rm, sel);
}
template void mov_E_S<uint16_t>(Cpu&, const Insn&);
template void mov_E_S<uint32_t>(Cpu&, const Insn&);

void mov_S_E(Cpu& c, const Insn& in) {
    if (in.reg == CS || in.reg > GS) raise_ud();
    c.load_segment(in.reg, read_rm<uint16_t>(c, in));
}

template <class T>
void push_seg(Cpu& c, const Insn& in) {
    uint16_t sel = c.s.seg[segment_of_opcode(in)].selector;
    if constexpr (sizeof(T) == 4) {
        // P6: a 32-bit push of a segment register writes only the low word.
        uint32_t mask = c.stack_pointer_mask();
        uint32_t sp = (c.s.gpr[ESP] - 4) & mask;
        c.check_write(SS, sp, 4);
        c.write<uint16_t>(SS, sp, sel);
        c.s.gpr[ESP] = (c.s.gpr[ESP] & ~mask) | sp;
    } else {
        c.push<uint16_t>(sel);
    }
}
template void push_seg<uint16_t>(Cpu&, const Insn&);
template void push_seg<uint32_t>(Cpu&, const Insn&);

template <class T>
void pop_seg(Cpu& c, const Insn& in) {
    uint32_t mask = c.stack_pointer_mask();
    uint32_t sp = c.s.gpr[ESP] & mask;
    uint16_t sel = static_cast<uint16_t>(c.read<T>(SS, sp));
    c.load_segment(segment_of_opcode(in), sel);
    c.s.gpr[ESP] = (c.s.gpr[ESP] & ~mask) | ((sp + sizeof(T)) & mask);
}
template void pop_seg<uint16_t>(Cpu&, const Insn&);
template void pop_seg<uint32_t>(Cpu&, const Insn&);

template <class T>
void load_far_pointer(Cpu& c, const Insn& in) {
    unsigned seg;
    switch (in.opcode) {
        case 0xC4: seg = ES; break;
        case 0xC5: seg = DS; break;
        case 0xB2: seg = SS; break;
        case 0xB4: seg = FS; break;
        default: seg = GS; break;
    }
    uint32_t ea = c.ea(in);
    T off = c.read<T>(in.seg, ea);
    uint16_t sel = c.read<uint16_t>(in.seg, ea + sizeof(T));
    c.load_segment(seg, sel);
    c.set_reg<T>(in.reg, off);
}
template void load_far_pointer<uint16_t>(Cpu&, const Insn&);
template void load_far_pointer<uint32_t>(Cpu&, const Insn&);

template <class T>
void in_I(Cpu& c, const Insn& in) {
    uint16_t port = static_cast<uint8_t>(in.imm);
    c.check_io_permission(port, sizeof(T));
    c.set_reg<T>(EAX, static_cast<T>(c.bus().io_read(port, sizeof(T))));
}
template <class T>
void in_DX(Cpu& c, const Insn&) {
    uint16_t port = c.reg16(EDX);
    c.check_io_permission(port, sizeof(T));
    c.set_reg<T>(EAX, static_cast<T>(c.bus().io_read(port, sizeof(T))));
}
template <class T>
void out_I(Cpu& c, const Insn& in) {
    uint16_t port = static_cast<uint8_t>(in.imm);
    c.check_io_permission(port, sizeof(T));
    c.bus().io_write(port, sizeof(T), c.reg<T>(EAX));
    c.end_block();  // the device may raise an interrupt or stop the machine
}
template <class T>
void out_DX(Cpu& c, const Insn&) {
    uint16_t port = c.reg16(EDX);
    c.check_io_permission(port, sizeof(T));
    c.bus().io_write(port, sizeof(T), c.reg<T>(EAX));
    c.end_block();
}
#define SANDPC_IO_INSTANCES(fn)                    \
    template void fn<uint8_t>(Cpu&, const Insn&);  \
    template void fn<uint16_t>(Cpu&, const Insn&); \
    template void fn<uint32_t>(Cpu&, const Insn&);
SANDPC_IO_INSTANCES(in_I)
SANDPC_IO_INSTANCES(in_DX)
SANDPC_IO_INSTANCES(out_I)
SANDPC_IO_INSTANCES(out_DX)
#undef SANDPC_IO_INSTANCES

void cli(Cpu& c, const Insn&) {
    if (c.mode() != CpuMode::kReal && c.s.cpl > c.iopl()) raise_gp(0);
    c.s.eflags &= ~eflags::IF;
}

void sti(Cpu& c, const Insn&) {
    if (c.mode() != CpuMode::kReal && c.s.cpl > c.iopl()) raise_gp(0);
    if (!(c.s.eflags & eflags::IF)) {
        c.s.eflags |= eflags::IF;
        c.set_interrupt_shadow();
    }
}

void hlt(Cpu& c, const Insn&) {
    require_cpl0(c);
    c.halt();
}

void clts(Cpu& c, const Insn&) {
    require_cpl0(c);
    c.s.cr0 &= ~cr0::TS;
}

void invalid_opcode(Cpu&, const Insn&) {
    raise_ud();
}
void ud2(Cpu&, const Insn&) {
    raise_ud();
}

void lgdt_lidt(Cpu& c, const Insn& in) {
    require_cpl0(c);
    uint32_t ea = c.ea(in);
    uint16_t limit = c.read<uint16_t>(in.seg, ea);
    uint32_t base = c.read<uint32_t>(in.seg, ea + 2);
    if (!in.op32) base &= 0x00FFFFFF;
    TableRegister& t = in.reg == 2 ? c.s.gdtr : c.s.idtr;
    t.base = base;
    t.limit = limit;
}

void sgdt_sidt(Cpu& c, const Insn& in) {
    const TableRegister& t = in.reg == 0 ? c.s.gdtr : c.s.idtr;
    uint32_t ea = c.ea(in);
    c.check_write(in.seg, ea, 6);
    c.write<uint16_t>(in.seg, ea, static_cast<uint16_t>(t.limit));
    // With a 16-bit operand size the P6 stores the top base byte as 0.
    c.write<uint32_t>(in.seg, ea + 2, in.op32 ? t.base : (t.base & 0x00FFFFFF));
}

void sldt_str(Cpu& c, const Insn& in) {
    require_protected(c);
    uint16_t sel = in.reg == 0 ? c.s.ldtr.selector : c.s.tr.selector;
    if (in.has_mem)
        c.write<uint16_t>(in.seg, c.ea(in), sel);
    else if (in.op32)
        c.s.gpr[in.rm] = sel;
    else
        c.set_reg16(in.rm, sel);
}

void lldt(Cpu& c, const Insn& in) {
    require_protected(c);
    require_cpl0(c);
    c.load_ldtr(read_rm<uint16_t>(c, in));
}

void ltr(Cpu& c, const Insn& in) {
    require_protected(c);
    require_cpl0(c);
    c.load_tr(read_rm<uint16_t>(c, in));
}

void smsw(Cpu& c, const Insn& in) {
    if (in.has_mem)
        c.write<uint16_t>(in.seg, c.ea(in), static_cast<uint16_t>(c.s.cr0));
    else if (in.op32)
        c.s.gpr[in.rm] = c.s.cr0;
    else
        c.set_reg16(in.rm, static_cast<uint16_t>(c.s.cr0));
}

void lmsw(Cpu& c, const Insn& in) {
    require_cpl0(c);
    uint16_t v = read_rm<uint16_t>(c, in);
    // LMSW sets PE but never clears it, and touches only MP, EM, TS.
    uint32_t cr = (c.s.cr0 & ~0xEu) | (v & 0xFu) | (c.s.cr0 & cr0::PE);
    c.write_cr0(cr);
}

void invlpg(Cpu& c, const Insn& in) {
    require_cpl0(c);
    c.invlpg(c.s.seg[in.seg].base + c.ea(in));
}

void invd_wbinvd(Cpu& c, const Insn&) {
    require_cpl0(c);
}

void mov_R_C(Cpu& c, const Insn& in) {
    require_cpl0(c);
    uint32_t v;
    switch (in.reg) {
        case 0: v = c.s.cr0; break;
        case 2: v = c.s.cr2; break;
        case 3: v = c.s.cr3; break;
        case 4: v = c.s.cr4; break;
        default: raise_ud();
    }
    c.s.gpr[in.rm] = v;
}

void mov_C_R(Cpu& c, const Insn& in) {
    require_cpl0(c);
    uint32_t v = c.s.gpr[in.rm];
    switch (in.reg) {
        case 0: c.write_cr0(v); break;
        case 2: c.s.cr2 = v; break;
        case 3: c.write_cr3(v); break;
        case 4: c.write_cr4(v); break;
        default: raise_ud();
    }
}

void mov_R_D(Cpu& c, const Insn& in) {
    require_cpl0(c);
    unsigned r = in.reg;
    if ((r == 4 || r == 5) && (c.s.cr4 & cr4::DE)) raise_ud();
    if (r == 4) r = 6;
    if (r == 5) r = 7;
    c.s.gpr[in.rm] = c.s.dr[r];
}

void mov_D_R(Cpu& c, const Insn& in) {
    require_cpl0(c);
    unsigned r = in.reg;
    if ((r == 4 || r == 5) && (c.s.cr4 & cr4::DE)) raise_ud();
    if (r == 4) r = 6;
    if (r == 5) r = 7;
    uint32_t v = c.s.gpr[in.rm];
    if (r == 6) v = (v & 0x0000E00F) | 0xFFFF0FF0;
    if (r == 7) v = (v & 0xFFFF2BFF) | 0x400;
    c.s.dr[r] = v;
}

void rdmsr(Cpu& c, const Insn&) {
    require_cpl0(c);
    uint64_t v = c.read_msr(c.s.gpr[ECX]);
    c.s.gpr[EAX] = static_cast<uint32_t>(v);
    c.s.gpr[EDX] = static_cast<uint32_t>(v >> 32);
}

void wrmsr(Cpu& c, const Insn&) {
    require_cpl0(c);
    c.write_msr(c.s.gpr[ECX], (uint64_t(c.s.gpr[EDX]) << 32) | c.s.gpr[EAX]);
}

void rdtsc(Cpu& c, const Insn&) {
    if ((c.s.cr4 & cr4::TSD) && c.protected_mode() && c.s.cpl != 0) raise_gp(0);
    if ((c.s.cr4 & cr4::TSD) && c.mode() == CpuMode::kVirtual8086) raise_gp(0);
    uint64_t t = c.tsc();
    c.s.gpr[EAX] = static_cast<uint32_t>(t);
    c.s.gpr[EDX] = static_cast<uint32_t>(t >> 32);
}

void rdpmc(Cpu& c, const Insn&) {
    if (!(c.s.cr4 & cr4::PCE) && (c.mode() != CpuMode::kReal && c.s.cpl != 0)) raise_gp(0);
    uint64_t v = c.s.perf.read_counter(c.s.gpr[ECX]);
    c.s.gpr[EAX] = static_cast<uint32_t>(v);
    c.s.gpr[EDX] = static_cast<uint32_t>(v >> 32);
}

void cpuid_insn(Cpu& c, const Insn&) {
    c.cpuid();
}
void sysenter(Cpu& c, const Insn&) {
    c.sysenter();
}
void sysexit(Cpu& c, const Insn&) {
    c.sysexit();
}

namespace {
// Shared by LAR/LSL/VERR/VERW: the descriptor if the selector is visible at
// the current privilege, else nothing (ZF cleared by the caller).
bool visible_descriptor(Cpu& c, uint16_t sel, Descriptor& d) {
    if ((sel & 0xFFFC) == 0) return false;
    uint64_t raw;
    if (!c.fetch_descriptor(sel, raw)) return false;
    d = Descriptor{raw};
    if (d.conforming()) return true;
    return d.dpl() >= c.s.cpl && d.dpl() >= (sel & 3u);
}
void set_zf(Cpu& c, bool z) {
    uint32_t f = c.get_eflags() & eflags::kArith;
    c.set_arith_flags(z ? (f | eflags::ZF) : (f & ~eflags::ZF));
}
}  // namespace

template <class T>
void lar(Cpu& c, const Insn& in) {
    require_protected(c);
    uint16_t sel = read_rm<uint16_t>(c, in);
    Descriptor d{0};
    bool ok = visible_descriptor(c, sel, d);
    if (ok && d.system()) {
        unsigned t = d.type();
        ok = t == 1 || t == 2 || t == 3 || t == 4 || t == 5 || t == 9 || t == 11 || t == 12;
    }
    if (ok) c.set_reg<T>(in.reg, static_cast<T>((d.raw >> 32) & 0x00F0FF00));
    set_zf(c, ok);
}
template <class T>
void lsl(Cpu& c, const Insn& in) {
    require_protected(c);
    uint16_t sel = read_rm<uint16_t>(c, in);
    Descriptor d{0};
    bool ok = visible_descriptor(c, sel, d);
    if (ok && d.system()) {
        unsigned t = d.type();
        ok = t == 1 || t == 2 || t == 3 || t == 9 || t == 11;
    }
    if (ok) c.set_reg<T>(in.reg, static_cast<T>(d.limit()));
    set_zf(c, ok);
}
template void lar<uint16_t>(Cpu&, const Insn&);
template void lar<uint32_t>(Cpu&, const Insn&);
template void lsl<uint16_t>(Cpu&, const Insn&);
template void lsl<uint32_t>(Cpu&, const Insn&);

void verr(Cpu& c, const Insn& in) {
    require_protected(c);
    Descriptor d{0};
    bool ok = visible_descriptor(c, read_rm<uint16_t>(c, in), d) && !d.system() && d.readable();
    set_zf(c, ok);
}

void verw(Cpu& c, const Insn& in) {
    require_protected(c);
    Descriptor d{0};
    bool ok = visible_descriptor(c, read_rm<uint16_t>(c, in), d) && d.writable();
    set_zf(c, ok);
}

void arpl(Cpu& c, const Insn& in) {
    require_protected(c);
    uint16_t src = c.reg16(in.reg);
    bool adjusted = false;
    modify_rm<uint16_t>(c, in, [&](uint16_t dst) {
        if ((dst & 3) < (src & 3)) {
            adjusted = true;
            return static_cast<uint16_t>((dst & ~3u) | (src & 3));
        }
        return dst;
    });
    set_zf(c, adjusted);
}

}  // namespace sandpc
