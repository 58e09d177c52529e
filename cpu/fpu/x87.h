// The x87 floating-point unit and the MMX unit that aliases it (P6 level).
//
// The CPU decodes an escape instruction (D8-DF) and calls execute(); the x87
// unit owns all FPU state and does everything else. What the CPU does around
// each call:
//  - before: the #NM checks (CR0.EM, CR0.TS with MP for WAIT), then, for a
//    waiting instruction (X87::is_waiting(); everything except FNINIT,
//    FNCLEX, FNSTSW, FNSTCW, FNSTENV, FNSAVE), if exception_pending(): raise
//    #MF (CR0.NE=1) or assert FERR#/IRQ13 (CR0.NE=0) instead of executing.
//    WAIT/FWAIT (9B) is only that check. The 9B-prefixed forms (FINIT,
//    FCLEX, FSTSW ...) are the WAIT check followed by the FN form.
//  - the call: fill X87Instruction (memory operand offset and selector, the
//    instruction's CS:EIP, operand size, mode, EFLAGS for FCMOVcc) and an
//    X87Memory bound to the operand's segment; its read/write may throw the
//    CPU's fault exception. The unit reads every operand before it changes
//    any state, and computes a store completely before writing it, so a
//    faulting instruction can be restarted. (FSAVE/FNSAVE write the image
//    first and only then reinitialise.)
//  - after: apply the X87Outcome: raise #UD for X87Fault::invalid_opcode
//    (state untouched), #GP(0) for X87Fault::general_protection (FXRSTOR
//    with reserved MXCSR bits), write AX if ax_valid (FNSTSW AX), merge
//    `eflags` under `eflags_mask` if eflags_mask != 0 (FCOMI-type: ZF, PF,
//    CF set, OF, SF, AF cleared).
//  - an unmasked exception only sets ES/B; the fault comes at the next
//    waiting instruction through the check above.
//
// FXSAVE/FXRSTOR (0F AE /0, /1) use fxsave()/fxrstor(); they write or read
// bytes 0-159 of the 512-byte area (the XMM part belongs to the SSE unit).
// MMX instructions (0F 60-7F, D0-FF without prefix) use execute_mmx(); the CPU
// checks #NM (and CR0.EM -> #UD) and a pending x87 exception (#MF) first.
#pragma once

#include <array>
#include <cstdint>

#include "cpu/fpu/f80.h"

namespace sandpc {

class StateWriter;
class StateReader;

// Access to the memory operand's segment, implemented by the CPU.
class X87Memory {
  public:
    virtual ~X87Memory() = default;
    virtual void read(uint32_t offset, void* dst, unsigned len) = 0;
    virtual void write(uint32_t offset, const void* src, unsigned len) = 0;
};

struct X87Instruction {
    uint8_t opcode = 0xd8;  // D8..DF
    uint8_t modrm = 0;
    bool has_mem = false;       // mod != 3 (the unit decodes this from modrm itself)
    uint32_t mem_offset = 0;    // effective offset within the operand's segment
    uint16_t mem_selector = 0;  // the operand's segment selector (FDS)
    uint16_t cs = 0;            // the instruction's CS:EIP (FCS:FIP), prefixes included
    uint32_t eip = 0;
    bool op32 = true;            // operand size: FSTENV/FLDENV/FSAVE/FRSTOR layout
    bool protected_mode = true;  // false in real and V86 mode: real-mode layouts
    uint32_t eflags = 0;         // for FCMOVcc (CF, ZF, PF)
};

enum class X87Fault : uint8_t { none, invalid_opcode, general_protection };

struct X87Outcome {
    X87Fault fault = X87Fault::none;
    bool ax_valid = false;  // FNSTSW AX
    uint16_t ax = 0;
    uint32_t eflags_mask = 0;  // FCOMI-type: which EFLAGS bits `eflags` replaces
    uint32_t eflags = 0;
};

// One MMX instruction: the byte after 0F, ModRM, memory operand and imm8.
struct MmxInstruction {
    uint8_t opcode = 0;
    uint8_t modrm = 0;
    bool has_mem = false;
    uint32_t mem_offset = 0;
    uint8_t imm8 = 0;  // for 0F 71/72/73
};

class X87 {
  public:
    // Status word bits.
    static constexpr uint16_t kIE = 0x0001, kDE = 0x0002, kZE = 0x0004, kOE = 0x0008, kUE = 0x0010,
                              kPE = 0x0020, kSF = 0x0040, kES = 0x0080, kC0 = 0x0100, kC1 = 0x0200,
                              kC2 = 0x0400, kC3 = 0x4000, kB = 0x8000;

    X87() { reset(); }

    void reset();   // power-on / RESET state
    void fninit();  // FNINIT: also INIT

    X87Outcome execute(const X87Instruction& insn, X87Memory& mem);
    X87Outcome execute_mmx(const MmxInstruction& insn, X87Memory& mem, uint32_t* gpr);

    // FXSAVE/FXRSTOR at `offset` (16-byte alignment is the CPU's check).
    void fxsave(X87Memory& mem, uint32_t offset, uint32_t mxcsr, uint32_t mxcsr_mask) const;
    // Returns general_protection (state untouched) if the image's MXCSR sets
    // bits outside mxcsr_mask; otherwise loads the state and sets mxcsr.
    X87Fault fxrstor(X87Memory& mem, uint32_t offset, uint32_t mxcsr_mask, uint32_t& mxcsr);

    // An unmasked exception is waiting for the next waiting instruction.
    bool exception_pending() const { return (sw_ & kES) != 0; }
    // Whether the escape instruction is a waiting one (checks pending exceptions).
    static bool is_waiting(uint8_t opcode, uint8_t modrm);
    // Whether the escape encoding is an instruction at all (else #UD, which
    // takes precedence over a pending exception). Not for the fast path.
    static bool is_defined(uint8_t opcode, uint8_t modrm);

    uint16_t control_word() const { return cw_; }
    uint16_t status_word() const;
    uint16_t tag_word() const;  // full 2-bit tags
    uint8_t abridged_tag_word() const { return valid_; }
    uint8_t top() const { return top_; }
    const F80& st(unsigned i) const { return regs_[(top_ + i) & 7]; }
    const F80& physical(unsigned i) const { return regs_[i & 7]; }
    uint64_t mmx(unsigned i) const { return regs_[i & 7].mant; }
    uint32_t fip() const { return fip_; }
    uint16_t fcs() const { return fcs_; }
    uint16_t fop() const { return fop_; }
    uint32_t fdp() const { return fdp_; }
    uint16_t fds() const { return fds_; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    struct Env;
    bool empty(unsigned i) const { return !(valid_ >> ((top_ + i) & 7) & 1); }
    void set_st(unsigned i, const F80& v);
    void push(const F80& v);
    void pop();
    void set_c1(bool on) { sw_ = on ? (sw_ | kC1) : (sw_ & ~kC1); }
    void set_cc(uint16_t cc) { sw_ = (sw_ & ~(kC0 | kC1 | kC2 | kC3)) | cc; }
    void update_es();
    static uint16_t sanitize_cw(uint32_t cw);
    // Stack overflow (push onto a full register) or underflow (empty operand):
    // IE+SF, C1 says which. Returns whether IE is masked.
    bool stack_fault(bool overflow);
    // Merges a host outcome's flags and condition codes; returns the unmasked flags.
    uint16_t merge(uint16_t host_sw);

    X87Outcome exec_arith(const X87Instruction& insn, X87Memory& mem);
    X87Outcome exec_d9(const X87Instruction& insn, X87Memory& mem);
    X87Outcome exec_da_db(const X87Instruction& insn, X87Memory& mem);
    X87Outcome exec_dd_df(const X87Instruction& insn, X87Memory& mem);
    // sti: the guest register compared with ST(0), or -1 (memory operand / FTST).
    void compare(uint8_t host_op, uint8_t host_modrm, int sti, const uint8_t* m, int pops,
                 bool sets_eflags, X87Outcome& out);
    void load_value(uint8_t host_op, uint8_t host_modrm, const uint8_t* m, unsigned len);
    void store_value(uint8_t host_op, uint8_t host_modrm, X87Memory& mem, uint32_t offset,
                     unsigned len, bool pop_after);
    void unary(uint8_t modrm);
    void store_env(const X87Instruction& insn, X87Memory& mem) const;
    void load_env_image(const X87Instruction& insn, const uint8_t* img);
    unsigned env_size(const X87Instruction& insn) const { return insn.op32 ? 28 : 14; }

    std::array<F80, 8> regs_{};  // physical registers R0-R7
    uint16_t cw_ = 0;
    uint16_t sw_ = 0;  // without TOP (kept in top_) and B (mirrors ES)
    uint8_t top_ = 0;
    uint8_t valid_ = 0;  // bit i: physical register i is not empty
    uint32_t fip_ = 0;
    uint16_t fcs_ = 0;
    uint16_t fop_ = 0;
    uint32_t fdp_ = 0;
    uint16_t fds_ = 0;
};

}  // namespace sandpc
