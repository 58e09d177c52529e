#include "jit/inline_ops.h"

#include <cstddef>

#include "cpu/cpu_state.h"
#include "cpu/instruction_table.h"

namespace sandpc {

namespace {

using Xbyak::util::eax;
using Xbyak::util::ecx;
using Xbyak::util::edx;
using Xbyak::util::rax;
using Xbyak::util::rbx;
using Xbyak::util::rcx;

// The eight ALU operations in opcode order (ADD OR ADC SBB AND SUB XOR CMP).
enum AluOp : uint8_t { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp, kTest };

class Emitter {
  public:
    Emitter(Xbyak::CodeGenerator& g, const NativeLayout& l) : g_(g), l_(l) {}

    Xbyak::Address gpr(unsigned r) { return g_.dword[rbx + l_.gpr + int(r) * 4]; }
    Xbyak::Address lazy(size_t field, unsigned size) {
        int disp = l_.lazy + static_cast<int>(field);
        return size == 1 ? g_.byte[rbx + disp] : g_.dword[rbx + disp];
    }

    void mov_reg_reg(unsigned dst, unsigned src) {
        g_.mov(eax, gpr(src));
        g_.mov(gpr(dst), eax);
    }
    void mov_reg_imm(unsigned dst, uint32_t imm) { g_.mov(gpr(dst), imm); }

    // a OP b into dst (unless CMP/TEST), with the lazy flags the
    // interpreter records: ADD/SUB/CMP keep both operands, logic ops zeros.
    void alu(AluOp op, unsigned a, bool b_is_reg, uint32_t b, bool write_back) {
        g_.mov(eax, gpr(a));
        if (b_is_reg)
            g_.mov(ecx, gpr(b));
        else
            g_.mov(ecx, b);
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
        if (write_back) g_.mov(gpr(a), edx);
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

    void lea32(const Insn& in) {
        g_.mov(eax, gpr(in.base));
        g_.mov(ecx, gpr(in.index));
        g_.lea(eax, g_.ptr[rax + rcx * (1 << in.scale) + static_cast<int32_t>(in.disp)]);
        g_.mov(gpr(in.reg), eax);
    }

  private:
    Xbyak::CodeGenerator& g_;
    const NativeLayout& l_;
};

bool inline_alu_op(AluOp op) {
    return op != kAdc && op != kSbb;  // those read CF: left to the handler
}

}  // namespace

bool emit_inline(Xbyak::CodeGenerator& g, const NativeLayout& layout, const Insn& in) {
    // For now: 32-bit operand size, register operands only.
    if (!in.op32 || in.lock) return false;
    const InsnInfo& info = *in.info;
    if (info.has(attr::kInvalid | attr::kPrefix)) return false;
    if (info.has(attr::kMemOnly) && !in.has_mem) return false;  // #UD from the handler
    Emitter e(g, layout);
    unsigned opcode = info.opcode;
    if (opcode == 0x8D) {  // LEA Gv, M
        if (!in.addr32) return false;
        e.lea32(in);
        return true;
    }
    if (in.has_mem) return false;
    if (opcode < 0x40 && (opcode & 7) <= 5 && (opcode & 7) % 2 == 1) {
        auto op = static_cast<AluOp>(opcode >> 3);
        if (!inline_alu_op(op)) return false;
        bool writes = op != kCmp;
        switch (opcode & 7) {
            case 1: e.alu(op, in.rm, true, in.reg, writes); return true;  // Ev, Gv
            case 3: e.alu(op, in.reg, true, in.rm, writes); return true;  // Gv, Ev
            case 5: e.alu(op, EAX, false, in.imm, writes); return true;   // eAX, Iz
        }
        return false;
    }
    switch (opcode) {
        case 0x81:
        case 0x83: {  // group 1: Ev, Iz / Ev, Ibs
            auto op = static_cast<AluOp>(in.reg);
            if (!inline_alu_op(op)) return false;
            e.alu(op, in.rm, false, in.imm, op != kCmp);
            return true;
        }
        case 0x85: e.alu(kTest, in.rm, true, in.reg, false); return true;
        case 0xA9: e.alu(kTest, EAX, false, in.imm, false); return true;
        case 0xF7:
            if (info.group_reg != 0) return false;
            e.alu(kTest, in.rm, false, in.imm, false);
            return true;
        case 0x89: e.mov_reg_reg(in.rm, in.reg); return true;
        case 0x8B: e.mov_reg_reg(in.reg, in.rm); return true;
        default: break;
    }
    if (opcode >= 0xB8 && opcode <= 0xBF) {
        e.mov_reg_imm(in.reg, in.imm);
        return true;
    }
    return false;
}

}  // namespace sandpc
