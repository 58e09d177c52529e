// The block compiler for the machine sandpc runs on, if there is one.
#pragma once

#include <memory>
#include <string>

#include "cpu/block_compiler.h"

namespace sandpc {

// A compiler for this host, or nullptr with `why` set (no JIT for the host
// architecture, or the host refuses W^X code memory).
std::unique_ptr<BlockCompiler> make_host_block_compiler(std::string& why);

}  // namespace sandpc
