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

class Emitter {
  public:
    Emitter(Xbyak::CodeGenerator& g, const NativeLayout& l, Xbyak::Label& slow, FlagOp& flags)
        : g_(g), l_(l), slow_(slow), flags_(flags) {}

    Xbyak::Address gpr(unsigned r) { return g_.dword[rbx + l_.gpr + int(r) * 4]; }

    // ---- register forms (exact) ----
    void mov_reg_reg(unsigned dst, unsigned src) {
        g_.mov(eax, gpr(src));
        g_.mov(gpr(dst), eax);
    }
    void mov_reg_imm(unsigned dst, uint32_t imm) { g_.mov(gpr(dst), imm); }
    void lea32(const Insn& in) {
        effective_address(in);
        g_.mov(gpr(in.reg), eax);
    }

    // eax = a OP ecx, edx = result; records the lazy flags the interpreter
    // records (ADD/SUB/CMP keep both operands, logic ops zeros).
    void alu_eax_ecx(AluOp op) {
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
        flags_ = fop;
        g_.mov(lazy(offsetof(LazyFlags, op), 1), static_cast<uint8_t>(fop));
        g_.mov(lazy(offsetof(LazyFlags, size), 1), 4);
        g_.mov(lazy(offsetof(LazyFlags, res), 4), edx);
        if (fop == FlagOp::kLogic) {
            g_.mov(lazy(offsetof(LazyFlags, a), 4), 0);
            g_.mov(lazy(offsetof(LazyFlags, b), 4), 0);
        } else {
            g_.mov(lazy(offsetof(LazyFlags, a), 4), eax);
            g_.mov(lazy(offsetof(LazyFlags, b), 4), ecx);
        }
        g_.mov(lazy(offsetof(LazyFlags, carry_in), 1), 0);
    }
    void load_operand(const Xbyak::Reg32& r, bool is_reg, uint32_t v) {
        if (is_reg)
            g_.mov(r, gpr(v));
        else
            g_.mov(r, v);
    }
    void alu_reg(AluOp op, unsigned a, bool b_is_reg, uint32_t b, bool write_back) {
        g_.mov(eax, gpr(a));
        load_operand(ecx, b_is_reg, b);
        alu_eax_ecx(op);
        if (write_back) g_.mov(gpr(a), edx);
    }

    // INC/DEC r32: CF is kept, so the record carries the CF before it.
    void incdec(unsigned r, bool dec, FlagOp known) {
        carry_into_r8d(known);
        g_.mov(eax, gpr(r));
        g_.lea(edx, g_.ptr[rax + (dec ? -1 : 1)]);
        g_.mov(gpr(r), edx);
        flags_ = dec ? FlagOp::kDec : FlagOp::kInc;
        g_.mov(lazy(offsetof(LazyFlags, op), 1), static_cast<uint8_t>(flags_));
        g_.mov(lazy(offsetof(LazyFlags, size), 1), 4);
        g_.mov(lazy(offsetof(LazyFlags, res), 4), edx);
        g_.mov(lazy(offsetof(LazyFlags, a), 4), eax);
        g_.mov(lazy(offsetof(LazyFlags, b), 4), 1);
        g_.mov(lazy(offsetof(LazyFlags, carry_in), 1), r8b);
    }

    // ---- memory forms (guarded) ----
    // rdx = host address of the instruction's 32-bit memory operand.
    void mem_address(const Insn& in, bool write) {
        effective_address(in);
        host_address(in.seg, write);
    }
    // mov Gv, M / mov M, Gv / mov M, imm
    void load_reg(const Insn& in) {
        mem_address(in, false);
        g_.mov(eax, g_.dword[rdx]);
        g_.mov(gpr(in.reg), eax);
    }
    void store(const Insn& in, bool is_reg, uint32_t v) {
        load_operand(esi, is_reg, v);
        mem_address(in, true);
        g_.mov(g_.dword[rdx], esi);
    }
    // OP Gv, M (writes the register unless CMP)
    void alu_reg_mem(AluOp op, const Insn& in) {
        mem_address(in, false);
        g_.mov(ecx, g_.dword[rdx]);
        g_.mov(eax, gpr(in.reg));
        alu_eax_ecx(op);
        if (op != kCmp) g_.mov(gpr(in.reg), edx);
    }
    // OP M, Gv / OP M, imm: read-modify-write (CMP and TEST only read)
    void alu_mem(AluOp op, const Insn& in, bool b_is_reg, uint32_t b) {
        bool writes = op != kCmp && op != kTest;
        load_operand(esi, b_is_reg, b);
        mem_address(in, writes);
        g_.mov(ecx, esi);
        g_.mov(rsi, rdx);  // host address
        g_.mov(eax, g_.dword[rsi]);
        alu_eax_ecx(op);
        if (writes) g_.mov(g_.dword[rsi], edx);
    }
    // PUSH r32 / POP r32 with a 32-bit stack.
    void push_reg(unsigned r) {
        require_big_stack();
        g_.mov(esi, gpr(r));
        g_.mov(eax, gpr(ESP));
        g_.sub(eax, 4);
        g_.mov(r8d, eax);  // the new ESP
        host_address(SS, true);
        g_.mov(g_.dword[rdx], esi);
        g_.mov(gpr(ESP), r8d);
    }
    void pop_reg(unsigned r) {
        require_big_stack();
        g_.mov(eax, gpr(ESP));
        host_address(SS, false);
        g_.mov(esi, g_.dword[rdx]);
        g_.add(gpr(ESP), 4);
        g_.mov(gpr(r), esi);
    }

  private:
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
    // rdx = host address of the 4 bytes at seg:eax, as Cpu::read/write's
    // fast path finds it; anything else goes to the slow path.
    void host_address(unsigned seg, bool write) {
        constexpr unsigned size = 4;
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
        g_.mov(ecx, eax);
        g_.and_(ecx, 0xFFF);
        g_.cmp(ecx, 0x1000 - size);
        g_.ja(slow_, near);
        g_.mov(ecx, g_.dword[rbx + l_.align_mask]);
        g_.and_(ecx, eax);
        g_.test(ecx, size - 1);
        g_.jnz(slow_, near);
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
    FlagOp& flags_;
};

InlineKind emit_memory_form(Emitter& e, const Insn& in, unsigned opcode) {
    if (!in.addr32) return InlineKind::kNone;
    if (opcode < 0x40 && (opcode & 7) <= 3 && (opcode & 7) % 2 == 1) {
        auto op = static_cast<AluOp>(opcode >> 3);
        if (!inline_alu_op(op)) return InlineKind::kNone;
        if ((opcode & 7) == 1)
            e.alu_mem(op, in, true, in.reg);  // OP M, Gv
        else
            e.alu_reg_mem(op, in);  // OP Gv, M
        return InlineKind::kGuarded;
    }
    switch (opcode) {
        case 0x8B: e.load_reg(in); return InlineKind::kGuarded;
        case 0x89: e.store(in, true, in.reg); return InlineKind::kGuarded;
        case 0xC7:
            if (in.info->group_reg != 0) return InlineKind::kNone;
            e.store(in, false, in.imm);
            return InlineKind::kGuarded;
        case 0x81:
        case 0x83: {
            auto op = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(op)) return InlineKind::kNone;
            e.alu_mem(op, in, false, in.imm);
            return InlineKind::kGuarded;
        }
        case 0x85: e.alu_mem(kTest, in, true, in.reg); return InlineKind::kGuarded;
        case 0xF7:
            if (in.info->group_reg != 0) return InlineKind::kNone;
            e.alu_mem(kTest, in, false, in.imm);
            return InlineKind::kGuarded;
        default: return InlineKind::kNone;
    }
}

InlineKind emit_register_form(Emitter& e, const Insn& in, unsigned opcode) {
    if (opcode < 0x40 && (opcode & 7) <= 5 && (opcode & 7) % 2 == 1) {
        auto op = static_cast<AluOp>(opcode >> 3);
        if (!inline_alu_op(op)) return InlineKind::kNone;
        bool writes = op != kCmp;
        switch (opcode & 7) {
            case 1: e.alu_reg(op, in.rm, true, in.reg, writes); break;  // Ev, Gv
            case 3: e.alu_reg(op, in.reg, true, in.rm, writes); break;  // Gv, Ev
            default: e.alu_reg(op, EAX, false, in.imm, writes); break;  // eAX, Iz
        }
        return InlineKind::kExact;
    }
    switch (opcode) {
        case 0x81:
        case 0x83: {  // group 1: Ev, Iz / Ev, Ibs
            auto op = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(op)) return InlineKind::kNone;
            e.alu_reg(op, in.rm, false, in.imm, op != kCmp);
            return InlineKind::kExact;
        }
        case 0x85: e.alu_reg(kTest, in.rm, true, in.reg, false); return InlineKind::kExact;
        case 0xA9: e.alu_reg(kTest, EAX, false, in.imm, false); return InlineKind::kExact;
        case 0xF7:
            if (in.info->group_reg != 0) return InlineKind::kNone;
            e.alu_reg(kTest, in.rm, false, in.imm, false);
            return InlineKind::kExact;
        case 0x89: e.mov_reg_reg(in.rm, in.reg); return InlineKind::kExact;
        case 0x8B: e.mov_reg_reg(in.reg, in.rm); return InlineKind::kExact;
        default: break;
    }
    if (opcode >= 0xB8 && opcode <= 0xBF) {
        e.mov_reg_imm(in.reg, in.imm);
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
                       Xbyak::Label& slow, FlagOp known, FlagOp& flags) {
    flags = FlagOp::kNone;
    // For now: 32-bit operand size only.
    if (!in.op32 || in.lock || in.rep != RepPrefix::kNone) return InlineKind::kNone;
    const InsnInfo& info = *in.info;
    if (info.has(attr::kInvalid | attr::kPrefix)) return InlineKind::kNone;
    if (info.has(attr::kMemOnly) && !in.has_mem) return InlineKind::kNone;  // #UD: handler
    Emitter e(g, layout, slow, flags);
    unsigned opcode = info.opcode;
    if (opcode == 0x8D) {  // LEA Gv, M
        if (!in.addr32) return InlineKind::kNone;
        e.lea32(in);
        return InlineKind::kExact;
    }
    if (!in.has_mem && opcode >= 0x40 && opcode <= 0x4F) {
        e.incdec(in.reg, opcode >= 0x48, known);
        return InlineKind::kExact;
    }
    return in.has_mem ? emit_memory_form(e, in, opcode) : emit_register_form(e, in, opcode);
}

}  // namespace sandpc
