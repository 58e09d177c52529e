// The CPU side of the x87 escapes (D8-DF), WAIT, MMX (0F 60-7F, 0F D1-FE)
// and FXSAVE/FXRSTOR (0F AE /0 /1): availability checks (CR0.EM/TS/MP),
// pending-exception handling (#MF or FERR#), the memory operand, and the
// outcome. The unit itself is cpu/fpu/x87.h.
#include "cpu/exec_fpu.h"

namespace sandpc {

namespace {

// MXCSR bits FXRSTOR accepts (DAZ is not supported).
constexpr uint32_t kMxcsrMask = 0xFFBF;

// The unit's view of the memory operand's segment. Each access is checked
// whole (segment limits, rights, both pages) before a byte moves, and #AC
// follows the operand's natural alignment, as for integer accesses.
class OperandMemory final : public X87Memory {
  public:
    OperandMemory(Cpu& c, unsigned seg, bool op32) : c_(c), seg_(seg), op32_(op32) {}

    void read(uint32_t off, void* dst, unsigned len) override {
        uint32_t lin = check(off, len, false);
        auto* p = static_cast<uint8_t*>(dst);
        while (len) {
            unsigned n = piece(lin, len);
            if (n == 4) {
                uint32_t v = c_.read_linear<uint32_t>(lin);
                std::memcpy(p, &v, 4);
            } else if (n == 2) {
                uint16_t v = c_.read_linear<uint16_t>(lin);
                std::memcpy(p, &v, 2);
            } else {
                *p = c_.read_linear<uint8_t>(lin);
            }
            p += n;
            lin += n;
            len -= n;
        }
    }

    void write(uint32_t off, const void* src, unsigned len) override {
        uint32_t lin = check(off, len, true);
        auto* p = static_cast<const uint8_t*>(src);
        while (len) {
            unsigned n = piece(lin, len);
            if (n == 4) {
                uint32_t v;
                std::memcpy(&v, p, 4);
                c_.write_linear<uint32_t>(lin, v);
            } else if (n == 2) {
                uint16_t v;
                std::memcpy(&v, p, 2);
                c_.write_linear<uint16_t>(lin, v);
            } else {
                c_.write_linear<uint8_t>(lin, *p);
            }
            p += n;
            lin += n;
            len -= n;
        }
    }

  private:
    // Naturally aligned pieces, so no piece raises #AC of its own.
    static unsigned piece(uint32_t lin, unsigned len) {
        if (!(lin & 3) && len >= 4) return 4;
        if (!(lin & 1) && len >= 2) return 2;
        return 1;
    }

    // Checks the whole access; returns its linear address.
    uint32_t check(uint32_t off, unsigned len, bool write) {
        const SegmentCache& sc = c_.s.seg[seg_];
        uint32_t lin = sc.base + off;
        if (c_.alignment_check_active()) {
            // m16/m32/m64/m80: the data size (m80: 8); the environment and
            // save images: 2 or 4 by operand size (SDM vol. 3, table 6-7).
            unsigned align = len <= 8 ? len : len == 10 ? 8 : (op32_ ? 4 : 2);
            if (lin & (align - 1)) raise_fault(kAlignmentCheck, 0);
        }
        if ((lin & 0xFFF) + len > 0x1000) {
            // Crosses a page: both pages must be present before anything moves.
            if (write)
                c_.check_write(seg_, off, len);
            else
                c_.check_read(seg_, off, len);
        } else if (off < sc.valid_lo || uint64_t(off) + len - 1 > sc.valid_hi ||
                   !(write ? sc.writable : sc.readable)) {
            c_.segment_fault(seg_);
        }
        return lin;
    }

    Cpu& c_;
    unsigned seg_;
    bool op32_;
};

// A waiting instruction found with an unmasked exception pending: #MF when
// CR0.NE = 1. Otherwise (PC-style reporting) FERR# goes active and the
// instruction waits; it is retried after the interrupt that FERR# raises
// (IRQ 13 on a PC) and runs once the handler has cleared the exception, or
// ignores it while IGNNE# is asserted. Returns whether to execute it now.
bool take_pending_exception(Cpu& c) {
    if (!c.fpu.exception_pending()) return true;
    if (c.s.cr0 & cr0::NE) raise_fault(kFpuError);
    c.set_ferr(true);
    if (c.ignne()) return true;
    // Frozen before the instruction: HLT-like wait with EIP on it, so the
    // interrupt returns to the same instruction.
    c.next_eip = c.s.eip;
    c.halt();
    return false;
}

// FERR# follows the exception summary once it is active.
void update_ferr(Cpu& c) {
    if (c.ferr() && !c.fpu.exception_pending()) c.set_ferr(false);
}

// FCMOVcc (DA/DB C0-DF) reads CF, ZF and PF.
bool reads_eflags(const Insn& in) {
    return (in.opcode == 0xDA || in.opcode == 0xDB) && in.modrm >= 0xC0 && in.modrm < 0xE0;
}

void apply_flags(Cpu& c, const X87Outcome& out) {
    if (out.ax_valid) c.set_reg16(EAX, out.ax);
    if (out.eflags_mask) {
        uint32_t f = c.get_eflags() & eflags::kArith;
        c.set_arith_flags((f & ~out.eflags_mask) | (out.eflags & out.eflags_mask));
    }
}

}  // namespace

void fpu_escape(Cpu& c, const Insn& in) {
    if (c.s.cr0 & (cr0::EM | cr0::TS)) raise_fault(kDeviceNotAvailable);
    if (X87::is_waiting(in.opcode, in.modrm) && c.fpu.exception_pending()) {
        if (!X87::is_defined(in.opcode, in.modrm)) raise_ud();  // #UD before #MF
        if (!take_pending_exception(c)) return;
    }
    X87Instruction x;
    x.opcode = in.opcode;
    x.modrm = in.modrm;
    x.has_mem = in.has_mem;
    if (in.has_mem) {
        x.mem_offset = c.ea(in);
        x.mem_selector = c.s.seg[in.seg].selector;
        // FNSAVE writes its image in two parts: the whole of it must be
        // writable before the first byte is.
        if (in.opcode == 0xDD && in.reg == 6)
            c.check_write(in.seg, x.mem_offset, in.op32 ? 108 : 94);
    }
    x.cs = c.s.seg[CS].selector;
    x.eip = c.s.eip;
    x.op32 = in.op32;
    x.protected_mode = c.protected_mode();
    if (reads_eflags(in)) x.eflags = c.get_eflags();
    OperandMemory mem(c, in.seg, in.op32);
    X87Outcome out = c.fpu.execute(x, mem);
    if (out.fault == X87Fault::invalid_opcode) raise_ud();
    apply_flags(c, out);
    update_ferr(c);
}

void fwait(Cpu& c, const Insn&) {
    if ((c.s.cr0 & (cr0::MP | cr0::TS)) == (cr0::MP | cr0::TS)) raise_fault(kDeviceNotAvailable);
    take_pending_exception(c);
}

void mmx_insn(Cpu& c, const Insn& in) {
    if (c.s.cr0 & cr0::EM) raise_ud();
    if (c.s.cr0 & cr0::TS) raise_fault(kDeviceNotAvailable);
    if (!take_pending_exception(c)) return;
    MmxInstruction m;
    m.opcode = in.opcode;
    m.modrm = in.modrm;
    m.has_mem = in.has_mem;
    m.mem_offset = in.has_mem ? c.ea(in) : 0;
    m.imm8 = static_cast<uint8_t>(in.imm);
    OperandMemory mem(c, in.seg, in.op32);
    X87Outcome out = c.fpu.execute_mmx(m, mem, c.s.gpr);
    if (out.fault == X87Fault::invalid_opcode) raise_ud();
}

// FXSAVE/FXRSTOR. There is no SSE unit: the XMM area (bytes 160-511) is
// neither written nor read, whatever CR4.OSFXSR says, but the whole 512
// bytes must be accessible. MXCSR is kept, saved and restored as on Intel
// parts (with or without OSFXSR); reserved bits in the image are #GP(0).
void fxsave_group(Cpu& c, const Insn& in) {
    if (in.reg > 1) raise_ud();  // LDMXCSR, STMXCSR, fences: SSE
    if (c.s.cr0 & cr0::EM) raise_ud();
    if (c.s.cr0 & cr0::TS) raise_fault(kDeviceNotAvailable);
    uint32_t off = c.ea(in);
    if ((c.s.seg[in.seg].base + off) & 15) raise_gp(0);
    OperandMemory mem(c, in.seg, in.op32);
    if (in.reg == 0) {
        c.check_write(in.seg, off, 512);
        c.fpu.fxsave(mem, off, c.s.mxcsr, kMxcsrMask);
        return;
    }
    c.check_read(in.seg, off, 512);
    uint32_t mxcsr = c.s.mxcsr;
    if (c.fpu.fxrstor(mem, off, kMxcsrMask, mxcsr) != X87Fault::none) raise_gp(0);
    c.s.mxcsr = mxcsr;
    update_ferr(c);
}

}  // namespace sandpc
