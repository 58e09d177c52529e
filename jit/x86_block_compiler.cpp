#include "jit/x86_block_compiler.h"

#include <xbyak/xbyak.h>

#include "cpu/cpu.h"
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
            last_inline = emit_inline(g_, l_, in);
            if (last_inline) {
                ++pending_count_;
                ++inlined_;
            } else {
                call_handler(in, offset, i + 1 == b_.count);
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
