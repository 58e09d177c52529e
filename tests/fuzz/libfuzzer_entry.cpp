// libFuzzer main for one target; SANDPC_FUZZ_TARGET names it (CMakeLists.txt).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return sandpc::fuzz::SANDPC_FUZZ_TARGET(data, size);
}
