#include "jit/host_compiler.h"
#include "jit/x86_block_compiler.h"

namespace sandpc {

std::unique_ptr<BlockCompiler> make_host_block_compiler(std::string& why) {
    auto compiler = std::make_unique<X86BlockCompiler>();
    if (!compiler->ok()) {
        why = "no code memory for the JIT (" + compiler->error() + ")";
        return nullptr;
    }
    return compiler;
}

}  // namespace sandpc
