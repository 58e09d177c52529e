#include "jit/inline_ops.h"

#include <cstddef>

#include "cpu/cpu_state.h"
#include "cpu/instruction_table.h"
#include "cpu/tlb.h"

namespace sandpc {

namespace {

using namespace Xbyak::util;

static_assert(sizeof(TlbEntry) == 32, "the TLB index below shifts by 5");

// The eight ALU operations in opcode order (ADD OR ADC SBB AND SUB XOR CMP).
enum AluOp : uint8_t { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp, kTest };

bool inline_alu_op(AluOp op) {
    return op != kAdc && op != kSbb;  // those read CF: left to the handler
}

// An operand: a register (by size: AL..BH or EAX..EDI) or an immediate.
struct Operand {
    bool is_reg;
    uint32_t value;
};
Operand reg(unsigned r) {
    return {true, r};
}
Operand imm(uint32_t v) {
    return {false, v};
}

class Emitter {
  public:
    Emitter(Xbyak::CodeGenerator& g, const NativeLayout& l, Xbyak::Label& slow, KnownFlags& flags)
        : g_(g), l_(l), slow_(slow), flags_(flags) {}

    // A guest register of `size` bytes (1: AL, CL, DL, BL, AH, CH, DH, BH).
    Xbyak::Address gpr(unsigned r, unsigned size = 4) {
        if (size == 1) return g_.byte[rbx + l_.gpr + int(r & 3) * 4 + int(r >> 2)];
        return g_.dword[rbx + l_.gpr + int(r) * 4];
    }
    // r32 = operand, zero-extended.
    void load(const Xbyak::Reg32& r, Operand o, unsigned size) {
        if (!o.is_reg)
            g_.mov(r, size == 1 ? (o.value & 0xFF) : o.value);
        else if (size == 1)
            g_.movzx(r, gpr(o.value, 1));
        else
            g_.mov(r, gpr(o.value));
    }
    void store_reg(unsigned r, const Xbyak::Reg32& v, unsigned size) {
        if (size == 1)
            g_.mov(gpr(r, 1), v.cvt8());
        else
            g_.mov(gpr(r), v);
    }
    void load_mem(const Xbyak::Reg32& r, const Xbyak::Reg64& at, unsigned size) {
        if (size == 1)
            g_.movzx(r, g_.byte[at]);
        else if (size == 2)
            g_.movzx(r, g_.word[at]);
        else
            g_.mov(r, g_.dword[at]);
    }
    void store_mem(const Xbyak::Reg64& at, const Xbyak::Reg32& v, unsigned size) {
        if (size == 1)
            g_.mov(g_.byte[at], v.cvt8());
        else
            g_.mov(g_.dword[at], v);
    }

    // ---- register forms (exact) ----
    void mov_reg(unsigned dst, Operand src, unsigned size) {
        if (!src.is_reg && size == 4) {
            g_.mov(gpr(dst), src.value);
            return;
        }
        load(eax, src, size);
        store_reg(dst, eax, size);
    }
    void lea32(const Insn& in) {
        effective_address(in);
        g_.mov(gpr(in.reg), eax);
    }
    // MOVZX r32, r8
    void movzx_reg8(unsigned dst, unsigned src) {
        g_.movzx(eax, gpr(src, 1));
        g_.mov(gpr(dst), eax);
    }

    // edx = eax OP ecx (both zero-extended `size`-byte values); records the
    // lazy flags the interpreter records (ADD/SUB/CMP keep both operands,
    // logic ops zeros).
    void alu_eax_ecx(AluOp op, unsigned size) {
        g_.mov(edx, eax);
        FlagOp fop = FlagOp::kLogic;
        switch (op) {
            case kAdd:
                g_.add(edx, ecx);
                fop = FlagOp::kAdd;
                break;
            case kSub:
            case kCmp:
                g_.sub(edx, ecx);
                fop = FlagOp::kSub;
                break;
            case kOr: g_.or_(edx, ecx); break;
            case kAnd:
            case kTest: g_.and_(edx, ecx); break;
            case kXor: g_.xor_(edx, ecx); break;
            default: break;
        }
        if (size == 1 && fop != FlagOp::kLogic) g_.movzx(edx, dl);
        if (fop == FlagOp::kLogic)
            record_flags(fop, size, {}, {}, {});
        else
            record_flags(fop, size, {&eax}, {&ecx}, {});
    }
    void alu_reg(AluOp op, unsigned a, Operand b, unsigned size) {
        load(eax, reg(a), size);
        load(ecx, b, size);
        alu_eax_ecx(op, size);
        if (op != kCmp && op != kTest) store_reg(a, edx, size);
    }
    // INC/DEC r32: CF is kept, so the record carries the CF before it.
    void incdec(unsigned r, bool dec) {
        carry_into_r8d(flags_.op);
        g_.mov(eax, gpr(r));
        g_.lea(edx, g_.ptr[rax + (dec ? -1 : 1)]);
        g_.mov(gpr(r), edx);
        record_flags(dec ? FlagOp::kDec : FlagOp::kInc, 4, {&eax}, {nullptr, 1}, {&r8b});
    }

    // ---- memory forms (guarded) ----
    // rdx = host address of the instruction's `size`-byte memory operand.
    void mem_address(const Insn& in, bool write, unsigned size) {
        effective_address(in);
        host_address(in.seg, write, size);
    }
    // MOV r, M (zero-extending a narrower source for MOVZX)
    void load_reg(const Insn& in, unsigned size, unsigned dst_size) {
        mem_address(in, false, size);
        load_mem(eax, rdx, size);
        store_reg(in.reg, eax, dst_size);
    }
    // MOV M, r / MOV M, imm
    void store(const Insn& in, Operand v, unsigned size) {
        load(esi, v, size);
        mem_address(in, true, size);
        store_mem(rdx, esi, size);
    }
    // OP r, M (writes the register unless CMP)
    void alu_reg_mem(AluOp op, const Insn& in, unsigned size) {
        mem_address(in, false, size);
        load_mem(ecx, rdx, size);
        load(eax, reg(in.reg), size);
        alu_eax_ecx(op, size);
        if (op != kCmp) store_reg(in.reg, edx, size);
    }
    // OP M, r / OP M, imm: read-modify-write (CMP and TEST only read)
    void alu_mem(AluOp op, const Insn& in, Operand b, unsigned size) {
        bool writes = op != kCmp && op != kTest;
        load(esi, b, size);
        mem_address(in, writes, size);
        g_.mov(ecx, esi);
        g_.mov(rsi, rdx);  // host address
        load_mem(eax, rsi, size);
        alu_eax_ecx(op, size);
        if (writes) store_mem(rsi, edx, size);
    }
    // PUSH r32 / POP r32 with a 32-bit stack.
    void push_reg(unsigned r) {
        require_big_stack();
        g_.mov(esi, gpr(r));
        g_.mov(eax, gpr(ESP));
        g_.sub(eax, 4);
        g_.mov(r8d, eax);  // the new ESP
        host_address(SS, true, 4);
        g_.mov(g_.dword[rdx], esi);
        g_.mov(gpr(ESP), r8d);
    }
    void pop_reg(unsigned r) {
        require_big_stack();
        g_.mov(eax, gpr(ESP));
        host_address(SS, false, 4);
        g_.mov(esi, g_.dword[rdx]);
        g_.add(gpr(ESP), 4);
        g_.mov(gpr(r), esi);
    }

  private:
    // A value for the lazy-flag record: a host register or a constant.
    struct Value {
        const Xbyak::Reg* reg = nullptr;
        uint32_t imm = 0;
    };
    // Writes the record the interpreter's handler writes (set_lazy): the
    // operation, its size, the result (edx), both operands and carry_in.
    void record_flags(FlagOp op, unsigned size, Value a, Value b, Value carry) {
        flags_ = {op, size};
        auto put = [&](size_t field, unsigned bytes, Value v) {
            if (v.reg)
                g_.mov(lazy(field, bytes), *v.reg);
            else
                g_.mov(lazy(field, bytes), v.imm);
        };
        put(offsetof(LazyFlags, op), 1, {nullptr, static_cast<uint8_t>(op)});
        put(offsetof(LazyFlags, size), 1, {nullptr, size});
        put(offsetof(LazyFlags, res), 4, {&edx});
        put(offsetof(LazyFlags, a), 4, a);
        put(offsetof(LazyFlags, b), 4, b);
        put(offsetof(LazyFlags, carry_in), 1, carry);
    }
    // r8d = the guest's CF (0 or 1), from the record of a known operation
    // or through the CPU.
    void carry_into_r8d(FlagOp known) {
        auto field = [&](size_t f) { return lazy(f, 4); };
        switch (known) {
            case FlagOp::kSub:  // a < b
                g_.mov(eax, field(offsetof(LazyFlags, a)));
                g_.cmp(eax, field(offsetof(LazyFlags, b)));
                g_.setb(r8b);
                g_.movzx(r8d, r8b);
                break;
            case FlagOp::kAdd:  // res < a
                g_.mov(eax, field(offsetof(LazyFlags, res)));
                g_.cmp(eax, field(offsetof(LazyFlags, a)));
                g_.setb(r8b);
                g_.movzx(r8d, r8b);
                break;
            case FlagOp::kLogic: g_.xor_(r8d, r8d); break;
            case FlagOp::kInc:
            case FlagOp::kDec: g_.movzx(r8d, lazy(offsetof(LazyFlags, carry_in), 1)); break;
            default:
                g_.mov(rdi, rbx);
                g_.mov(rax, reinterpret_cast<uint64_t>(l_.carry));
                g_.call(rax);
                g_.movzx(r8d, al);
                break;
        }
    }
    Xbyak::Address lazy(size_t field, unsigned size) {
        int disp = l_.lazy + static_cast<int>(field);
        return size == 1 ? g_.byte[rbx + disp] : g_.dword[rbx + disp];
    }
    Xbyak::Address seg_field(unsigned seg, size_t field, unsigned size) {
        int disp = l_.seg + static_cast<int>(seg * sizeof(SegmentCache) + field);
        return size == 1   ? g_.byte[rbx + disp]
               : size == 2 ? g_.word[rbx + disp]
                           : g_.dword[rbx + disp];
    }
    // eax = the 32-bit effective address (offset in the segment).
    void effective_address(const Insn& in) {
        g_.mov(eax, gpr(in.base));
        g_.mov(ecx, gpr(in.index));
        g_.lea(eax, g_.ptr[rax + rcx * (1 << in.scale) + static_cast<int32_t>(in.disp)]);
    }
    void require_big_stack() {
        g_.test(seg_field(SS, offsetof(SegmentCache, attr), 2), seg_attr::kDefaultBig);
        g_.jz(slow_, Xbyak::CodeGenerator::T_NEAR);
    }
    // rdx = host address of the `size` bytes at seg:eax, as Cpu::read/write's
    // fast path finds it; anything else goes to the slow path.
    void host_address(unsigned seg, bool write, unsigned size) {
        auto near = Xbyak::CodeGenerator::T_NEAR;
        g_.cmp(eax, seg_field(seg, offsetof(SegmentCache, valid_lo), 4));
        g_.jb(slow_, near);
        g_.lea(rcx, g_.ptr[rax + (size - 1)]);
        g_.mov(edx, seg_field(seg, offsetof(SegmentCache, valid_hi), 4));
        g_.cmp(rcx, rdx);
        g_.ja(slow_, near);
        size_t perm = write ? offsetof(SegmentCache, writable) : offsetof(SegmentCache, readable);
        g_.cmp(seg_field(seg, perm, 1), 0);
        g_.je(slow_, near);
        g_.add(eax, seg_field(seg, offsetof(SegmentCache, base), 4));  // linear
        if (size > 1) {
            g_.mov(ecx, eax);
            g_.and_(ecx, 0xFFF);
            g_.cmp(ecx, 0x1000 - size);
            g_.ja(slow_, near);
            g_.mov(ecx, g_.dword[rbx + l_.align_mask]);
            g_.and_(ecx, eax);
            g_.test(ecx, size - 1);
            g_.jnz(slow_, near);
        }
        g_.mov(edx, eax);
        g_.shr(edx, 12);
        g_.and_(edx, kTlbSize - 1);
        g_.shl(edx, 5);
        g_.lea(rdx, g_.ptr[rbx + rdx + l_.tlb]);
        g_.mov(ecx, eax);
        g_.and_(ecx, ~0xFFFu);
        g_.or_(ecx, g_.dword[rbx + l_.user_bit]);
        size_t tag = write ? offsetof(TlbEntry, tag_write) : offsetof(TlbEntry, tag_read);
        g_.cmp(ecx, g_.dword[rdx + static_cast<int>(tag)]);
        g_.jne(slow_, near);
        g_.mov(rdx, g_.qword[rdx + static_cast<int>(offsetof(TlbEntry, addend))]);
        g_.add(rdx, rax);
    }

    Xbyak::CodeGenerator& g_;
    const NativeLayout& l_;
    Xbyak::Label& slow_;
    KnownFlags& flags_;
};

// ALU rows 00-3D: the operation and the form (0 Eb,Gb 1 Ev,Gv 2 Gb,Eb
// 3 Gv,Ev 4 AL,Ib 5 eAX,Iz).
bool alu_row(unsigned opcode, AluOp& op, unsigned& form) {
    if (opcode >= 0x40 || (opcode & 7) > 5) return false;
    op = static_cast<AluOp>(opcode >> 3);
    form = opcode & 7;
    return inline_alu_op(op);
}

InlineKind emit_memory_form(Emitter& e, const Insn& in, unsigned opcode, unsigned vsize) {
    if (!in.addr32) return InlineKind::kNone;
    AluOp op;
    unsigned form;
    if (alu_row(opcode, op, form)) {
        unsigned size = (form & 1) ? vsize : 1;
        if (size != 1 && size != 4) return InlineKind::kNone;
        if (form == 0 || form == 1)
            e.alu_mem(op, in, reg(in.reg), size);  // OP M, r
        else if (form == 2 || form == 3)
            e.alu_reg_mem(op, in, size);  // OP r, M
        else
            return InlineKind::kNone;
        return InlineKind::kGuarded;
    }
    unsigned group = static_cast<unsigned>(in.info->group_reg);
    switch (opcode) {
        case 0x8A: e.load_reg(in, 1, 1); return InlineKind::kGuarded;
        case 0x88: e.store(in, reg(in.reg), 1); return InlineKind::kGuarded;
        case 0xC6:
            if (group != 0) return InlineKind::kNone;
            e.store(in, imm(in.imm), 1);
            return InlineKind::kGuarded;
        case 0x80: {
            auto gop = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(gop)) return InlineKind::kNone;
            e.alu_mem(gop, in, imm(in.imm), 1);
            return InlineKind::kGuarded;
        }
        case 0x84: e.alu_mem(kTest, in, reg(in.reg), 1); return InlineKind::kGuarded;
        case 0xF6:
            if (group != 0) return InlineKind::kNone;
            e.alu_mem(kTest, in, imm(in.imm), 1);
            return InlineKind::kGuarded;
        case 0x1B6:
            if (vsize != 4) return InlineKind::kNone;
            e.load_reg(in, 1, 4);
            return InlineKind::kGuarded;
        case 0x1B7:
            if (vsize != 4) return InlineKind::kNone;
            e.load_reg(in, 2, 4);
            return InlineKind::kGuarded;
        default: break;
    }
    if (vsize != 4) return InlineKind::kNone;
    switch (opcode) {
        case 0x8B: e.load_reg(in, 4, 4); return InlineKind::kGuarded;
        case 0x89: e.store(in, reg(in.reg), 4); return InlineKind::kGuarded;
        case 0xC7:
            if (group != 0) return InlineKind::kNone;
            e.store(in, imm(in.imm), 4);
            return InlineKind::kGuarded;
        case 0x81:
        case 0x83: {
            auto gop = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(gop)) return InlineKind::kNone;
            e.alu_mem(gop, in, imm(in.imm), 4);
            return InlineKind::kGuarded;
        }
        case 0x85: e.alu_mem(kTest, in, reg(in.reg), 4); return InlineKind::kGuarded;
        case 0xF7:
            if (group != 0) return InlineKind::kNone;
            e.alu_mem(kTest, in, imm(in.imm), 4);
            return InlineKind::kGuarded;
        default: return InlineKind::kNone;
    }
}

InlineKind emit_register_form(Emitter& e, const Insn& in, unsigned opcode, unsigned vsize) {
    AluOp op;
    unsigned form;
    if (alu_row(opcode, op, form)) {
        unsigned size = (form & 1) ? vsize : 1;
        if (size != 1 && size != 4) return InlineKind::kNone;
        switch (form) {
            case 0:
            case 1: e.alu_reg(op, in.rm, reg(in.reg), size); break;  // E, G
            case 2:
            case 3: e.alu_reg(op, in.reg, reg(in.rm), size); break;  // G, E
            default: e.alu_reg(op, EAX, imm(in.imm), size); break;   // AL/eAX, I
        }
        return InlineKind::kExact;
    }
    unsigned group = static_cast<unsigned>(in.info->group_reg);
    switch (opcode) {
        case 0x80: {
            auto gop = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(gop)) return InlineKind::kNone;
            e.alu_reg(gop, in.rm, imm(in.imm), 1);
            return InlineKind::kExact;
        }
        case 0x84: e.alu_reg(kTest, in.rm, reg(in.reg), 1); return InlineKind::kExact;
        case 0xA8: e.alu_reg(kTest, EAX, imm(in.imm), 1); return InlineKind::kExact;
        case 0xF6:
            if (group != 0) return InlineKind::kNone;
            e.alu_reg(kTest, in.rm, imm(in.imm), 1);
            return InlineKind::kExact;
        case 0x88: e.mov_reg(in.rm, reg(in.reg), 1); return InlineKind::kExact;
        case 0x8A: e.mov_reg(in.reg, reg(in.rm), 1); return InlineKind::kExact;
        case 0xC6:
            if (group != 0) return InlineKind::kNone;
            e.mov_reg(in.rm, imm(in.imm), 1);
            return InlineKind::kExact;
        case 0x1B6:
            if (vsize != 4) return InlineKind::kNone;
            e.movzx_reg8(in.reg, in.rm);
            return InlineKind::kExact;
        default: break;
    }
    if (opcode >= 0xB0 && opcode <= 0xB7) {
        e.mov_reg(in.reg, imm(in.imm), 1);
        return InlineKind::kExact;
    }
    if (vsize != 4) return InlineKind::kNone;
    switch (opcode) {
        case 0x81:
        case 0x83: {  // group 1: Ev, Iz / Ev, Ibs
            auto gop = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(gop)) return InlineKind::kNone;
            e.alu_reg(gop, in.rm, imm(in.imm), 4);
            return InlineKind::kExact;
        }
        case 0x85: e.alu_reg(kTest, in.rm, reg(in.reg), 4); return InlineKind::kExact;
        case 0xA9: e.alu_reg(kTest, EAX, imm(in.imm), 4); return InlineKind::kExact;
        case 0xF7:
            if (group != 0) return InlineKind::kNone;
            e.alu_reg(kTest, in.rm, imm(in.imm), 4);
            return InlineKind::kExact;
        case 0x89: e.mov_reg(in.rm, reg(in.reg), 4); return InlineKind::kExact;
        case 0x8B: e.mov_reg(in.reg, reg(in.rm), 4); return InlineKind::kExact;
        default: break;
    }
    if (opcode >= 0xB8 && opcode <= 0xBF) {
        e.mov_reg(in.reg, imm(in.imm), 4);
        return InlineKind::kExact;
    }
    if (opcode >= 0x40 && opcode <= 0x4F) {
        e.incdec(in.reg, opcode >= 0x48);
        return InlineKind::kExact;
    }
    if (opcode >= 0x50 && opcode <= 0x57) {
        e.push_reg(in.reg);
        return InlineKind::kGuarded;
    }
    if (opcode >= 0x58 && opcode <= 0x5F) {
        e.pop_reg(in.reg);
        return InlineKind::kGuarded;
    }
    return InlineKind::kNone;
}

}  // namespace

InlineKind emit_inline(Xbyak::CodeGenerator& g, const NativeLayout& layout, const Insn& in,
                       Xbyak::Label& slow, KnownFlags& known) {
    if (in.lock || in.rep != RepPrefix::kNone) return InlineKind::kNone;
    const InsnInfo& info = *in.info;
    if (info.has(attr::kInvalid | attr::kPrefix)) return InlineKind::kNone;
    if (info.has(attr::kMemOnly) && !in.has_mem) return InlineKind::kNone;  // #UD: handler
    Emitter e(g, layout, slow, known);
    unsigned opcode = info.opcode;
    unsigned vsize = in.op32 ? 4 : 2;  // size of "v" operands; 16-bit forms: handler
    if (opcode == 0x8D) {              // LEA Gv, M
        if (!in.addr32 || vsize != 4) return InlineKind::kNone;
        e.lea32(in);
        return InlineKind::kExact;
    }
    return in.has_mem ? emit_memory_form(e, in, opcode, vsize)
                      : emit_register_form(e, in, opcode, vsize);
}

}  // namespace sandpc
