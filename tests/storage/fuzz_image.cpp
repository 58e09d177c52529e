// libFuzzer target: build with clang (-fsanitize=fuzzer) and run
//   fuzz_image -max_total_time=300 CORPUS_DIR
#include <cstddef>
#include <cstdint>

#include "tests/storage/fuzz_image_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    sandpc::fuzz_image_input(data, size);
    return 0;
}
