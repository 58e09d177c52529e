#include "jit/host_compiler.h"

namespace sandpc {

std::unique_ptr<BlockCompiler> make_host_block_compiler(std::string& why) {
    why = "the JIT emits x86-64 code only; this host runs the interpreter";
    return nullptr;
}

}  // namespace sandpc
