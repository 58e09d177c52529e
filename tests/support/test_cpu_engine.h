// Which CPU engine a test runs on: with SANDPC_CPU=jit in the environment
// (CTest registers the CPU suites a second time that way) the host block
// compiler is attached with a threshold of 1, so every block is compiled
// the first time it runs; otherwise the interpreter.
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "cpu/cpu.h"
#include "jit/host_compiler.h"

namespace sandpc {

inline bool test_wants_jit() {
    const char* v = std::getenv("SANDPC_CPU");
    return v && std::strcmp(v, "jit") == 0;
}

class TestCpuEngine {
  public:
    void attach(Cpu& cpu) {
        if (test_wants_jit()) attach_jit(cpu);
    }
    void attach_jit(Cpu& cpu) {
        std::string why;
        compiler_ = make_host_block_compiler(why);
        if (!compiler_) throw std::runtime_error("no JIT: " + why);
        cpu.set_block_compiler(compiler_.get(), 1);
    }

  private:
    std::unique_ptr<BlockCompiler> compiler_;
};

}  // namespace sandpc
