#include <cstring>

#include "cpu/fpu/x87.h"

#include "cpu/fpu/host_x87.h"

namespace sandpc {
namespace {

constexpr uint16_t kCcMask = X87::kC0 | X87::kC1 | X87::kC2 | X87::kC3;
constexpr uint32_t kFlagCF = 0x01, kFlagPF = 0x04, kFlagAF = 0x10, kFlagZF = 0x40, kFlagSF = 0x80,
                   kFlagOF = 0x800;
constexpr uint32_t kComiFlags = kFlagCF | kFlagPF | kFlagAF | kFlagZF | kFlagSF | kFlagOF;

unsigned reg_of(uint8_t modrm) {
    return (modrm >> 3) & 7;
}
unsigned rm_of(uint8_t modrm) {
    return modrm & 7;
}
// The host runs register forms on ST(0)/ST(1): ST(i) of the guest becomes ST(1).
uint8_t host_reg_form(uint8_t modrm) {
    return static_cast<uint8_t>((modrm & 0xf8) | (rm_of(modrm) ? 1 : 0));
}

// Memory operand length of the arithmetic/compare forms, by escape opcode.
unsigned arith_mem_len(uint8_t opcode) {
    switch (opcode) {
        case 0xd8: return 4;  // m32 real
        case 0xda: return 4;  // m32 int
        case 0xdc: return 8;  // m64 real
        default: return 2;    // DE: m16 int
    }
}

}  // namespace

void X87::reset() {
    for (auto& r : regs_) r = F80{};
    cw_ = 0x0040;
    sw_ = 0;
    top_ = 0;
    valid_ = 0xff;  // tag word 5555h: every register holds +0.0
    fip_ = fdp_ = 0;
    fcs_ = fds_ = fop_ = 0;
}

void X87::fninit() {
    cw_ = 0x037f;
    sw_ = 0;
    top_ = 0;
    valid_ = 0;
    fip_ = fdp_ = 0;
    fcs_ = fds_ = fop_ = 0;
}

uint16_t X87::status_word() const {
    uint16_t sw = static_cast<uint16_t>((sw_ & ~(0x3800 | kB)) | (top_ << 11));
    if (sw & kES) sw |= kB;
    return sw;
}

uint16_t X87::tag_word() const {
    uint16_t tw = 0;
    for (unsigned i = 0; i < 8; ++i) {
        Tag t = (valid_ >> i & 1) ? tag_of(regs_[i]) : Tag::empty;
        tw |= static_cast<uint16_t>(static_cast<unsigned>(t) << (2 * i));
    }
    return tw;
}

uint16_t X87::sanitize_cw(uint32_t cw) {
    // Bits 6 (reads as one), 7 and 13-15 are not stored.
    return static_cast<uint16_t>((cw & 0x1f3f) | 0x0040);
}

bool X87::is_waiting(uint8_t opcode, uint8_t modrm) {
    bool mem = modrm < 0xc0;
    switch (opcode) {
        case 0xd9: return !(mem && (reg_of(modrm) == 6 || reg_of(modrm) == 7));
        case 0xdb: return !(modrm >= 0xe0 && modrm <= 0xe4);  // FNENI FNDISI FNCLEX FNINIT FNSETPM
        case 0xdd: return !(mem && (reg_of(modrm) == 6 || reg_of(modrm) == 7));
        case 0xdf: return modrm != 0xe0;
        default: return true;
    }
}

namespace {
// Memory for probing an encoding: reads zeros, drops writes.
class NullMemory final : public X87Memory {
  public:
    void read(uint32_t, void* dst, unsigned len) override { std::memset(dst, 0, len); }
    void write(uint32_t, const void*, unsigned) override {}
};
}  // namespace

bool X87::is_defined(uint8_t opcode, uint8_t modrm) {
    // The unit's decoder is the one authority: run the encoding on a
    // scratch unit and see whether it is refused.
    X87 probe;
    probe.fninit();
    NullMemory mem;
    X87Instruction insn;
    insn.opcode = opcode;
    insn.modrm = modrm;
    insn.has_mem = modrm < 0xc0;
    return probe.execute(insn, mem).fault != X87Fault::invalid_opcode;
}

void X87::set_st(unsigned i, const F80& v) {
    unsigned p = (top_ + i) & 7;
    regs_[p] = v;
    valid_ |= static_cast<uint8_t>(1u << p);
}

void X87::push(const F80& v) {
    top_ = (top_ - 1) & 7;
    set_st(0, v);
}

void X87::pop() {
    valid_ &= static_cast<uint8_t>(~(1u << top_));
    top_ = (top_ + 1) & 7;
}

void X87::update_es() {
    if (sw_ & 0x3f & ~cw_)
        sw_ |= kES;
    else
        sw_ &= ~kES;
}

bool X87::stack_fault(bool overflow) {
    sw_ |= kIE | kSF;
    set_c1(overflow);
    return (cw_ & kIE) != 0;
}

uint16_t X87::merge(uint16_t host_sw) {
    sw_ = static_cast<uint16_t>((sw_ & ~kCcMask) | (host_sw & kCcMask) | (host_sw & 0x3f));
    return host_sw & 0x3f & ~cw_;
}

X87Outcome X87::execute(const X87Instruction& insn, X87Memory& mem) {
    X87Outcome out;
    if (insn.opcode < 0xd8 || insn.opcode > 0xdf) return {X87Fault::invalid_opcode};
    const uint8_t modrm = insn.modrm;
    const bool has_mem = modrm < 0xc0;
    const unsigned r = reg_of(modrm);
    // Control instructions leave the last-instruction pointers alone.
    bool control = false;
    switch (insn.opcode) {
        case 0xd9: control = has_mem && r >= 4; break;
        case 0xdb: control = modrm >= 0xe0 && modrm <= 0xe4; break;
        case 0xdd: control = has_mem && (r == 4 || r == 6 || r == 7); break;
        case 0xdf: control = modrm == 0xe0; break;
        default: break;
    }

    switch (insn.opcode & 7) {
        case 0:
        case 2:
        case 4:
        case 6:
            if (insn.opcode == 0xda && !has_mem)
                out = exec_da_db(insn, mem);
            else
                out = exec_arith(insn, mem);
            break;
        case 1: out = exec_d9(insn, mem); break;
        case 3: out = exec_da_db(insn, mem); break;
        default: out = exec_dd_df(insn, mem); break;
    }
    if (out.fault != X87Fault::none) return out;

    if (!control) {
        fip_ = insn.eip;
        fcs_ = insn.cs;
        fop_ = static_cast<uint16_t>(((insn.opcode & 7) << 8) | modrm);
        if (has_mem) {
            fdp_ = insn.mem_offset;
            fds_ = insn.mem_selector;
        }
    }
    return out;
}

// D8 (m32 / ST(i)), DA (m32int), DC (m64 / ST(i) reversed), DE (m16int / pop).
X87Outcome X87::exec_arith(const X87Instruction& insn, X87Memory& mem) {
    X87Outcome out;
    const uint8_t op = insn.opcode, modrm = insn.modrm;
    const bool has_mem = modrm < 0xc0;
    const unsigned r = reg_of(modrm), i = rm_of(modrm);
    uint8_t m[10] = {};
    if (has_mem) mem.read(insn.mem_offset, m, arith_mem_len(op));

    if (r == 2 || r == 3) {  // FCOM, FCOMP (and the register aliases)
        if (has_mem) {
            compare(op, modrm, -1, m, r == 3 ? 1 : 0, false, out);
        } else if (op == 0xde && r == 3) {  // DE D9: FCOMPP
            if (i != 1) return {X87Fault::invalid_opcode};
            compare(0xde, 0xd9, 1, nullptr, 2, false, out);
        } else {
            // DC D0/D8 and DE D0 are aliases of FCOM/FCOMP ST(i).
            unsigned pops = (r == 3 || op == 0xde) ? 1 : 0;
            uint8_t host = static_cast<uint8_t>((pops ? 0xd8 : 0xd0) | (i ? 1 : 0));
            compare(0xd8, host, static_cast<int>(i), nullptr, static_cast<int>(pops), false, out);
        }
        update_es();
        return out;
    }

    const bool pops = op == 0xde && !has_mem;
    const bool dest_sti = !has_mem && op != 0xd8;
    const unsigned dest = dest_sti ? i : 0;
    if (empty(0) || (!has_mem && empty(i))) {
        if (stack_fault(false)) {
            set_st(dest, kIndefinite);
            if (pops) pop();
        }
        update_es();
        return out;
    }
    HostX87Operands ops;
    ops.st0 = st(0);
    ops.sti = has_mem ? F80{} : st(i);
    ops.cw = cw_;
    ops.cc = sw_ & kCcMask;
    std::copy(m, m + 10, ops.mem);
    // FxxxP runs as the equivalent DC form; the pop is ours.
    uint8_t host_op = pops ? 0xdc : op;
    uint8_t host_modrm = has_mem ? modrm : host_reg_form(modrm);
    HostX87Outcome h = host_x87_execute(host_op, host_modrm, ops);
    uint16_t unmasked = merge(h.sw);
    if (!(unmasked & (kIE | kDE | kZE))) {
        set_st(dest, (dest_sti && i) ? h.st1 : h.st0);
        if (pops) pop();
    }
    update_es();
    return out;
}

void X87::compare(uint8_t host_op, uint8_t host_modrm, int sti, const uint8_t* m, int pops,
                  bool sets_eflags, X87Outcome& out) {
    if (empty(0) || (sti >= 0 && empty(static_cast<unsigned>(sti)))) {
        // "Unordered" is reported whether IE is masked or not.
        if (sets_eflags) {
            out.eflags_mask = kComiFlags;
            out.eflags = kFlagZF | kFlagPF | kFlagCF;
        } else {
            sw_ |= kC0 | kC2 | kC3;
        }
        if (stack_fault(false))
            for (int k = 0; k < pops; ++k) pop();
        return;
    }
    HostX87Operands ops;
    ops.st0 = st(0);
    if (sti >= 0) ops.sti = st(static_cast<unsigned>(sti));
    ops.cw = cw_;
    ops.cc = sw_ & kCcMask;
    if (m) std::copy(m, m + 10, ops.mem);
    HostX87Outcome h = host_x87_execute(host_op, host_modrm, ops);
    uint16_t unmasked = merge(h.sw);
    if (sets_eflags) {
        out.eflags_mask = kComiFlags;
        out.eflags = h.eflags;
    }
    if (unmasked & (kIE | kDE)) return;
    for (int k = 0; k < pops; ++k) pop();
}

void X87::load_value(uint8_t host_op, uint8_t host_modrm, const uint8_t* m, unsigned len) {
    if (!empty(7)) {
        if (stack_fault(true)) push(kIndefinite);
        return;
    }
    HostX87Operands ops;
    ops.cw = cw_;
    ops.cc = sw_ & kCcMask;
    std::copy(m, m + len, ops.mem);
    HostX87Outcome h = host_x87_execute(host_op, host_modrm, ops);
    // An unmasked denormal-operand exception still loads the value.
    uint16_t unmasked = merge(h.sw);
    if (unmasked & kIE) return;
    push(h.st0);
}

void X87::store_value(uint8_t host_op, uint8_t host_modrm, X87Memory& mem, uint32_t offset,
                      unsigned len, bool pop_after) {
    const uint16_t old_sw = sw_;
    HostX87Operands ops;
    ops.cc = sw_ & kCcMask;
    if (empty(0)) {
        if (!stack_fault(false)) return;
        // Masked underflow stores what the conversion makes of the indefinite.
        ops.st0 = kIndefinite;
        ops.cw = cw_ | kIE;
        HostX87Outcome h = host_x87_execute(host_op, host_modrm, ops);
        sw_ |= h.sw & kIE;
    } else {
        ops.st0 = st(0);
        ops.cw = cw_;
        HostX87Outcome h = host_x87_execute(host_op, host_modrm, ops);
        uint16_t unmasked = merge(h.sw);
        if (unmasked & (kIE | kDE | kZE | kOE | kUE)) return;
    }
    try {
        mem.write(offset, ops.mem, len);
    } catch (...) {
        sw_ = old_sw;
        throw;
    }
    if (pop_after) pop();
}

void X87::unary(uint8_t modrm) {
    enum Shape { kSt0, kPush, kSt1Pop, kSt0St1 };
    Shape shape;
    switch (modrm) {
        case 0xf2:
        case 0xf4:
        case 0xfb: shape = kPush; break;
        case 0xf1:
        case 0xf3:
        case 0xf9: shape = kSt1Pop; break;
        case 0xf5:
        case 0xf8:
        case 0xfd: shape = kSt0St1; break;
        default: shape = kSt0; break;
    }
    const bool two = shape == kSt1Pop || shape == kSt0St1;
    // On a stack fault the instructions that report "incomplete" or "out of
    // range" in C2 clear it.
    const bool c2_result = modrm == 0xf2 || modrm == 0xf5 || modrm == 0xf8 || modrm == 0xfb ||
                           modrm == 0xfe || modrm == 0xff;
    if (empty(0) || (two && empty(1))) {
        if (c2_result) sw_ &= ~kC2;
        if (stack_fault(false)) {
            switch (shape) {
                case kSt0:
                case kSt0St1: set_st(0, kIndefinite); break;
                case kSt1Pop:
                    set_st(1, kIndefinite);
                    pop();
                    break;
                case kPush:
                    set_st(0, kIndefinite);
                    push(kIndefinite);
                    break;
            }
        }
        return;
    }
    if (shape == kPush && !empty(7)) {
        if (c2_result) sw_ &= ~kC2;
        if (stack_fault(true)) {
            set_st(0, kIndefinite);
            push(kIndefinite);
        }
        return;
    }
    HostX87Operands ops;
    ops.st0 = st(0);
    ops.sti = st(1);
    ops.cw = cw_;
    ops.cc = sw_ & kCcMask;
    HostX87Outcome h = host_x87_execute(0xd9, modrm, ops);
    uint16_t unmasked = merge(h.sw);
    if (unmasked & (kIE | kDE | kZE)) return;
    switch (shape) {
        case kSt0:
        case kSt0St1: set_st(0, h.st0); break;
        case kSt1Pop:
            set_st(1, h.st0);
            pop();
            break;
        case kPush:
            if (h.pushes > 0) {
                set_st(0, h.st1);
                push(h.st0);
            } else {
                set_st(0, h.st0);
            }
            break;
    }
}

X87Outcome X87::exec_d9(const X87Instruction& insn, X87Memory& mem) {
    X87Outcome out;
    const uint8_t modrm = insn.modrm;
    const unsigned r = reg_of(modrm), i = rm_of(modrm);
    if (modrm < 0xc0) {
        switch (r) {
            case 0: {  // FLD m32
                uint8_t m[4];
                mem.read(insn.mem_offset, m, 4);
                load_value(0xd9, modrm, m, 4);
                break;
            }
            case 2:
            case 3:  // FST/FSTP m32
                store_value(0xd9, modrm, mem, insn.mem_offset, 4, r == 3);
                break;
            case 4: {  // FLDENV
                uint8_t img[28];
                mem.read(insn.mem_offset, img, env_size(insn));
                load_env_image(insn, img);
                break;
            }
            case 5: {  // FLDCW
                uint16_t cw;
                mem.read(insn.mem_offset, &cw, 2);
                cw_ = sanitize_cw(cw);
                break;
            }
            case 6:  // FNSTENV, then mask all exceptions
                store_env(insn, mem);
                cw_ |= 0x3f;
                break;
            case 7: {  // FNSTCW
                uint16_t cw = cw_;
                mem.write(insn.mem_offset, &cw, 2);
                return out;
            }
            default: return {X87Fault::invalid_opcode};
        }
        update_es();
        return out;
    }
    switch (modrm) {
        case 0xc0:
        case 0xc1:
        case 0xc2:
        case 0xc3:
        case 0xc4:
        case 0xc5:
        case 0xc6:
        case 0xc7: {  // FLD ST(i)
            F80 v = st(i);
            bool src_empty = empty(i);
            if (src_empty) {
                if (stack_fault(false)) push(kIndefinite);
            } else if (!empty(7)) {
                if (stack_fault(true)) push(kIndefinite);
            } else {
                set_c1(false);
                push(v);
            }
            break;
        }
        case 0xc8:
        case 0xc9:
        case 0xca:
        case 0xcb:
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xcf: {  // FXCH ST(i)
            if (empty(0) || empty(i)) {
                if (!stack_fault(false)) break;
                if (empty(0)) set_st(0, kIndefinite);
                if (empty(i)) set_st(i, kIndefinite);
            } else {
                set_c1(false);
            }
            F80 a = st(0);
            set_st(0, st(i));
            set_st(i, a);
            break;
        }
        case 0xd0: break;  // FNOP
        case 0xd8:
        case 0xd9:
        case 0xda:
        case 0xdb:
        case 0xdc:
        case 0xdd:
        case 0xde:
        case 0xdf:  // FSTP1: FSTP ST(i), no stack fault
            set_c1(false);
            if (!empty(0)) set_st(i, st(0));
            pop();
            break;
        case 0xe4:  // FTST
            compare(0xd9, 0xe4, -1, nullptr, 0, false, out);
            break;
        case 0xe5: {  // FXAM
            if (empty(0)) {
                uint16_t cc = kC3 | kC0 | (st(0).sign() ? kC1 : 0);
                sw_ = static_cast<uint16_t>((sw_ & ~kCcMask) | cc);
                break;
            }
            HostX87Operands ops;
            ops.st0 = st(0);
            ops.cw = cw_;
            ops.cc = sw_ & kCcMask;
            merge(host_x87_execute(0xd9, 0xe5, ops).sw);
            break;
        }
        case 0xe8:
        case 0xe9:
        case 0xea:
        case 0xeb:
        case 0xec:
        case 0xed:
        case 0xee: {  // FLD1 ... FLDZ
            if (!empty(7)) {
                if (stack_fault(true)) push(kIndefinite);
                break;
            }
            HostX87Operands ops;
            ops.cw = cw_;
            ops.cc = sw_ & kCcMask;
            HostX87Outcome h = host_x87_execute(0xd9, modrm, ops);
            merge(h.sw);
            push(h.st0);
            break;
        }
        case 0xf6:  // FDECSTP
            set_c1(false);
            top_ = (top_ - 1) & 7;
            break;
        case 0xf7:  // FINCSTP
            set_c1(false);
            top_ = (top_ + 1) & 7;
            break;
        case 0xe0:
        case 0xe1:
        case 0xf0:
        case 0xf1:
        case 0xf2:
        case 0xf3:
        case 0xf4:
        case 0xf5:
        case 0xf8:
        case 0xf9:
        case 0xfa:
        case 0xfb:
        case 0xfc:
        case 0xfd:
        case 0xfe:
        case 0xff: unary(modrm); break;
        default: return {X87Fault::invalid_opcode};
    }
    update_es();
    return out;
}

X87Outcome X87::exec_da_db(const X87Instruction& insn, X87Memory& mem) {
    X87Outcome out;
    const uint8_t modrm = insn.modrm;
    const unsigned r = reg_of(modrm), i = rm_of(modrm);
    if (insn.opcode == 0xdb && modrm < 0xc0) {
        switch (r) {
            case 0: {  // FILD m32
                uint8_t m[4];
                mem.read(insn.mem_offset, m, 4);
                load_value(0xdb, modrm, m, 4);
                break;
            }
            case 2:
            case 3:  // FIST/FISTP m32
                store_value(0xdb, modrm, mem, insn.mem_offset, 4, r == 3);
                break;
            case 5: {  // FLD m80
                uint8_t m[10];
                mem.read(insn.mem_offset, m, 10);
                load_value(0xdb, modrm, m, 10);
                break;
            }
            case 7:  // FSTP m80
                store_value(0xdb, modrm, mem, insn.mem_offset, 10, true);
                break;
            default: return {X87Fault::invalid_opcode};  // incl. FISTTP (SSE3)
        }
        update_es();
        return out;
    }
    if (modrm < 0xe0) {  // FCMOVcc: DA = B, E, BE, U; DB = the negations
        const uint32_t f = insn.eflags;
        bool cond;
        switch (r) {
            case 0: cond = f & kFlagCF; break;
            case 1: cond = f & kFlagZF; break;
            case 2: cond = f & (kFlagCF | kFlagZF); break;
            default: cond = f & kFlagPF; break;
        }
        if (insn.opcode == 0xdb) cond = !cond;
        if (empty(0) || empty(i)) {
            if (stack_fault(false)) set_st(0, kIndefinite);  // whatever the condition
        } else if (cond) {
            set_st(0, st(i));
        }
        update_es();
        return out;
    }
    if (insn.opcode == 0xda) {
        if (modrm != 0xe9) return {X87Fault::invalid_opcode};
        compare(0xda, 0xe9, 1, nullptr, 2, false, out);  // FUCOMPP
        update_es();
        return out;
    }
    switch (modrm) {
        case 0xe0:
        case 0xe1:
        case 0xe4: break;  // FENI, FDISI, FSETPM: no-ops since the 387
        case 0xe2:         // FNCLEX
            sw_ &= ~(0x3f | kSF | kES);
            return out;
        case 0xe3: fninit(); return out;
        default:
            if (modrm >= 0xe8 && modrm < 0xf8) {  // FUCOMI, FCOMI
                compare(0xdb, host_reg_form(modrm), static_cast<int>(i), nullptr, 0, true, out);
                break;
            }
            return {X87Fault::invalid_opcode};
    }
    update_es();
    return out;
}

X87Outcome X87::exec_dd_df(const X87Instruction& insn, X87Memory& mem) {
    X87Outcome out;
    const uint8_t op = insn.opcode, modrm = insn.modrm;
    const unsigned r = reg_of(modrm), i = rm_of(modrm);
    if (modrm < 0xc0) {
        uint8_t m[10];
        if (op == 0xdd) {
            switch (r) {
                case 0:  // FLD m64
                    mem.read(insn.mem_offset, m, 8);
                    load_value(0xdd, modrm, m, 8);
                    break;
                case 2:
                case 3:  // FST/FSTP m64
                    store_value(0xdd, modrm, mem, insn.mem_offset, 8, r == 3);
                    break;
                case 4: {  // FRSTOR
                    uint8_t img[108];
                    const unsigned env = env_size(insn);
                    mem.read(insn.mem_offset, img, env + 80);
                    load_env_image(insn, img);
                    for (unsigned k = 0; k < 8; ++k)
                        regs_[(top_ + k) & 7] = F80::from_bytes(img + env + 10 * k);
                    break;
                }
                case 6: {  // FNSAVE
                    uint8_t regs[80];
                    for (unsigned k = 0; k < 8; ++k) st(k).to_bytes(regs + 10 * k);
                    store_env(insn, mem);
                    mem.write(insn.mem_offset + env_size(insn), regs, 80);
                    fninit();
                    return out;
                }
                case 7: {  // FNSTSW m16
                    uint16_t sw = status_word();
                    mem.write(insn.mem_offset, &sw, 2);
                    return out;
                }
                default: return {X87Fault::invalid_opcode};
            }
        } else {
            switch (r) {
                case 0:  // FILD m16
                    mem.read(insn.mem_offset, m, 2);
                    load_value(0xdf, modrm, m, 2);
                    break;
                case 2:
                case 3:  // FIST/FISTP m16
                    store_value(0xdf, modrm, mem, insn.mem_offset, 2, r == 3);
                    break;
                case 4:  // FBLD
                    mem.read(insn.mem_offset, m, 10);
                    load_value(0xdf, modrm, m, 10);
                    break;
                case 5:  // FILD m64
                    mem.read(insn.mem_offset, m, 8);
                    load_value(0xdf, modrm, m, 8);
                    break;
                case 6:  // FBSTP
                    store_value(0xdf, modrm, mem, insn.mem_offset, 10, true);
                    break;
                case 7:  // FISTP m64
                    store_value(0xdf, modrm, mem, insn.mem_offset, 8, true);
                    break;
                default: return {X87Fault::invalid_opcode};  // FISTTP (SSE3)
            }
        }
        update_es();
        return out;
    }
    switch (r) {
        case 0:  // DD: FFREE ST(i); DF: FFREEP ST(i)
            valid_ &= static_cast<uint8_t>(~(1u << ((top_ + i) & 7)));
            set_c1(false);
            if (op == 0xdf) pop();
            break;
        case 1: {  // FXCH4 / FXCH7 aliases
            X87Instruction alias = insn;
            alias.opcode = 0xd9;
            return exec_d9(alias, mem);
        }
        case 2:
        case 3: {  // FST/FSTP ST(i); DF D0/D8: FSTP8/FSTP9 aliases
            const bool pops = r == 3 || op == 0xdf;
            if (empty(0)) {
                if (!stack_fault(false)) break;
                set_st(i, kIndefinite);
            } else {
                set_c1(false);
                set_st(i, st(0));
            }
            if (pops) pop();
            break;
        }
        case 4:
            if (op == 0xdd) {  // FUCOM ST(i)
                compare(0xdd, host_reg_form(modrm), static_cast<int>(i), nullptr, 0, false, out);
                break;
            }
            if (modrm != 0xe0) return {X87Fault::invalid_opcode};
            out.ax_valid = true;  // FNSTSW AX
            out.ax = status_word();
            return out;
        case 5:
            if (op == 0xdd) {  // FUCOMP ST(i)
                compare(0xdd, host_reg_form(modrm), static_cast<int>(i), nullptr, 1, false, out);
            } else {  // FUCOMIP
                compare(0xdb, host_reg_form(modrm), static_cast<int>(i), nullptr, 1, true, out);
            }
            break;
        case 6:
            if (op == 0xdd) return {X87Fault::invalid_opcode};
            compare(0xdb, host_reg_form(modrm), static_cast<int>(i), nullptr, 1, true,
                    out);  // FCOMIP
            break;
        default: return {X87Fault::invalid_opcode};
    }
    update_es();
    return out;
}

}  // namespace sandpc
