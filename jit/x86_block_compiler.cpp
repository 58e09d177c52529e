#include "jit/x86_block_compiler.h"

#include <xbyak/xbyak.h>

#include <cstddef>

#include "cpu/cpu.h"
#include "cpu/instruction_table.h"
#include "jit/inline_ops.h"

namespace sandpc {

namespace {

// Room one block may take: 32 instructions of at most ~100 bytes each.
constexpr size_t kMaxBlockCode = 16 << 10;

using namespace Xbyak::util;

// Register use in generated code: rbx = Cpu*, r12d = EIP at block entry;
// rax, rcx, rdx, rdi, rsi scratch.
class BlockEmitter {
  public:
    BlockEmitter(Xbyak::CodeGenerator& g, const DecodedBlock& b, const NativeLayout& l)
        : g_(g), b_(b), l_(l) {}

    uint64_t emit() {
        g_.push(rbx);
        g_.push(r12);
        g_.push(r13);  // keeps the stack 16-byte aligned for calls
        g_.mov(rbx, rdi);
        g_.mov(r12d, g_.dword[rbx + l_.eip]);
        uint32_t offset = 0;
        bool last_inline = false;
        for (unsigned i = 0; i < b_.count; ++i) {
            const Insn& in = b_.insns[i];
            bool last = i + 1 == b_.count;
            Xbyak::Label slow, done;
            if (last && emit_branch(in, offset)) {
                last_inline = false;
                break;
            }
            InlineKind kind = emit_inline(g_, l_, in, slow, known_flags_);
            if (kind == InlineKind::kNone) known_flags_ = {};  // the handler may set any flags
            switch (kind) {
                case InlineKind::kExact:
                    ++pending_count_;
                    ++inlined_;
                    last_inline = true;
                    break;
                case InlineKind::kGuarded:
                    // Fast path counts the instruction; the slow path is the
                    // handler call, which counts it too. pending_count_ was
                    // flushed by neither, so flush it on both.
                    ++inlined_;
                    g_.add(g_.qword[rbx + l_.icount], pending_count_ + 1);
                    g_.jmp(done, Xbyak::CodeGenerator::T_NEAR);
                    g_.L(slow);
                    call_handler(in, offset, last);
                    g_.L(done);
                    last_inline = true;  // the fast path left EIP behind
                    break;
                case InlineKind::kNone:
                    call_handler(in, offset, last);
                    last_inline = false;
                    break;
            }
            offset += in.len;
        }
        if (last_inline) {
            flush_count();
            eip_at(eax, offset);
            g_.mov(g_.dword[rbx + l_.eip], eax);
        }
        g_.L(exit_);
        g_.xor_(eax, eax);
        epilogue();
        g_.L(fault_);
        g_.mov(eax, kNativeFault);
        epilogue();
        return inlined_;
    }

  private:
    // A relative JMP, or a Jcc whose flags an earlier instruction of this
    // block set natively, ending the block: EIP set to the target or the
    // fall-through, the CS limit checked (a target past it goes to the
    // handler, which raises #GP).
    bool emit_branch(const Insn& in, uint32_t offset) {
        unsigned opcode = in.info->opcode;
        bool jmp = opcode == 0xE9 || opcode == 0xEB;
        bool jcc = (opcode >= 0x70 && opcode <= 0x7F) || (opcode >= 0x180 && opcode <= 0x18F);
        if ((!jmp && !jcc) || in.lock) return false;

        auto near = Xbyak::CodeGenerator::T_NEAR;
        Xbyak::Label not_taken, slow, counted;
        flush_count();
        if (jcc) {
            unsigned cc = in.opcode & 15;
            if (host_flags_match(cc)) {
                recompute_host_flags();
                jump_unless(cc, not_taken);
            } else {
                g_.mov(rdi, rbx);
                g_.mov(esi, cc);
                g_.mov(rax, reinterpret_cast<uint64_t>(l_.condition));
                g_.call(rax);
                g_.test(al, al);
                g_.jz(not_taken, near);
            }
        }
        eip_at(eax, offset + in.len);
        g_.add(eax, in.imm);
        if (!in.op32) g_.movzx(eax, ax);
        g_.cmp(
            eax,
            g_.dword[rbx + l_.seg +
                     static_cast<int>(CS * sizeof(SegmentCache) + offsetof(SegmentCache, limit))]);
        g_.ja(slow, near);
        g_.mov(g_.dword[rbx + l_.eip], eax);
        g_.jmp(counted, near);
        if (jcc) {
            g_.L(not_taken);
            eip_at(eax, offset + in.len);
            g_.mov(g_.dword[rbx + l_.eip], eax);
        }
        g_.L(counted);
        g_.add(g_.qword[rbx + l_.icount], 1);
        g_.jmp(exit_, near);
        g_.L(slow);
        call_handler(in, offset, true);
        g_.jmp(exit_, near);
        return true;
    }
    // Whether recompute_host_flags() gives the flags condition `cc` reads.
    bool host_flags_match(unsigned cc) const {
        switch (known_flags_.op) {
            case FlagOp::kSub:
            case FlagOp::kAdd:
            case FlagOp::kLogic: return true;
            case FlagOp::kInc:
            case FlagOp::kDec: {
                unsigned c = cc >> 1;  // CF-reading conditions need carry_in
                return c != 1 && c != 3;
            }
            default: return false;
        }
    }
    // Host flags equal to the guest's OSZPC from the lazy record of a
    // 32-bit operation of kind known_flags_.
    void recompute_host_flags() {
        bool byte = known_flags_.size == 1;
        auto field = [&](size_t f) {
            int disp = l_.lazy + static_cast<int>(f);
            return byte ? g_.byte[rbx + disp] : g_.dword[rbx + disp];
        };
        const Xbyak::Reg& acc = byte ? static_cast<const Xbyak::Reg&>(al) : eax;
        switch (known_flags_.op) {
            case FlagOp::kSub:
                g_.mov(acc, field(offsetof(LazyFlags, a)));
                g_.cmp(acc, field(offsetof(LazyFlags, b)));
                break;
            case FlagOp::kAdd:
                g_.mov(acc, field(offsetof(LazyFlags, a)));
                g_.add(acc, field(offsetof(LazyFlags, b)));
                break;
            case FlagOp::kInc:  // OF/SF/ZF/PF as the add gives them; CF not used
                g_.mov(acc, field(offsetof(LazyFlags, a)));
                g_.add(acc, 1);
                break;
            case FlagOp::kDec:
                g_.mov(acc, field(offsetof(LazyFlags, a)));
                g_.sub(acc, 1);
                break;
            default:  // kLogic: CF = OF = 0
                g_.mov(acc, field(offsetof(LazyFlags, res)));
                g_.test(acc, acc);
                break;
        }
    }
    // Jumps to `to` when guest condition `cc` is false.
    void jump_unless(unsigned cc, Xbyak::Label& to) {
        auto near = Xbyak::CodeGenerator::T_NEAR;
        switch (cc ^ 1) {
            case 0x0: g_.jo(to, near); break;
            case 0x1: g_.jno(to, near); break;
            case 0x2: g_.jb(to, near); break;
            case 0x3: g_.jnb(to, near); break;
            case 0x4: g_.jz(to, near); break;
            case 0x5: g_.jnz(to, near); break;
            case 0x6: g_.jbe(to, near); break;
            case 0x7: g_.jnbe(to, near); break;
            case 0x8: g_.js(to, near); break;
            case 0x9: g_.jns(to, near); break;
            case 0xA: g_.jp(to, near); break;
            case 0xB: g_.jnp(to, near); break;
            case 0xC: g_.jl(to, near); break;
            case 0xD: g_.jnl(to, near); break;
            case 0xE: g_.jle(to, near); break;
            default: g_.jnle(to, near); break;
        }
    }
    // EIP of the byte `offset` into the block (16-bit code wraps at 64 KiB).
    void eip_at(const Xbyak::Reg32& r, uint32_t offset) {
        g_.lea(r, g_.ptr[r12 + static_cast<int32_t>(offset)]);
        if (!b_.code32) g_.movzx(r, r.cvt16());
    }
    void flush_count() {
        if (pending_count_ == 0) return;
        g_.add(g_.qword[rbx + l_.icount], pending_count_);
        pending_count_ = 0;
    }
    // The interpreter's step for one instruction: EIP and next_eip set, the
    // handler run, EIP = next_eip, one more instruction counted, and the
    // block left if the instruction asked to stop.
    void call_handler(const Insn& in, uint32_t offset, bool last) {
        flush_count();
        eip_at(eax, offset);
        g_.mov(g_.dword[rbx + l_.eip], eax);
        eip_at(eax, offset + in.len);
        g_.mov(g_.dword[rbx + l_.next_eip], eax);
        g_.mov(rdi, rbx);
        g_.mov(rsi, reinterpret_cast<uint64_t>(&in));
        g_.mov(rax, reinterpret_cast<uint64_t>(l_.run_insn));
        g_.call(rax);
        g_.test(eax, eax);
        g_.jnz(fault_, Xbyak::CodeGenerator::T_NEAR);
        g_.mov(eax, g_.dword[rbx + l_.next_eip]);
        g_.mov(g_.dword[rbx + l_.eip], eax);
        g_.add(g_.qword[rbx + l_.icount], 1);
        if (!last) {
            g_.cmp(g_.byte[rbx + l_.stop_block], 0);
            g_.jne(exit_, Xbyak::CodeGenerator::T_NEAR);
        }
    }
    void epilogue() {
        g_.pop(r13);
        g_.pop(r12);
        g_.pop(rbx);
        g_.ret();
    }

    Xbyak::CodeGenerator& g_;
    const DecodedBlock& b_;
    const NativeLayout& l_;
    Xbyak::Label exit_, fault_;
    unsigned pending_count_ = 0;
    KnownFlags known_flags_;  // what the lazy record holds, if known
    uint64_t inlined_ = 0;
};

}  // namespace

X86BlockCompiler::X86BlockCompiler(size_t code_bytes) : space_(code_bytes) {}

NativeCode X86BlockCompiler::compile(const DecodedBlock& block, const NativeLayout& layout) {
    if (!space_.ok() || space_.free_bytes() < kMaxBlockCode) return nullptr;
    Xbyak::CodeGenerator g(kMaxBlockCode, space_.write_ptr());
    BlockEmitter emitter(g, block, layout);
    inline_insns_ += emitter.emit();
    auto code = reinterpret_cast<NativeCode>(const_cast<uint8_t*>(space_.exec_ptr()));
    space_.commit(g.getSize());
    return code;
}

}  // namespace sandpc
