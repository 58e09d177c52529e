// Compiles decoded guest blocks to x86-64 host code (see block_compiler.h).
// Instructions with a native translation run inline; every other one calls
// its interpreter handler from the generated code, so a block always
// compiles and the interpreter stays the reference for what it does.
#pragma once

#include <string>

#include "cpu/block_compiler.h"
#include "jit/code_space.h"

namespace sandpc {

class X86BlockCompiler final : public BlockCompiler {
  public:
    explicit X86BlockCompiler(size_t code_bytes = size_t(64) << 20);

    // False when the host gives no W^X code memory (error() says why).
    bool ok() const { return space_.ok(); }
    const std::string& error() const { return space_.error(); }

    NativeCode compile(const DecodedBlock& block, const NativeLayout& layout) override;
    void flush() override { space_.reset(); }

    size_t code_bytes_used() const { return space_.used(); }
    uint64_t inline_insns() const { return inline_insns_; }

  private:
    CodeSpace space_;
    uint64_t inline_insns_ = 0;
};

}  // namespace sandpc
