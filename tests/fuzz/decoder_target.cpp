#include <cstring>
#include <memory>

#include "cpu/decoder.h"
#include "cpu/disassembler.h"
#include "tests/fuzz/fuzz_targets.h"

namespace sandpc::fuzz {

int decoder(const uint8_t* data, size_t size) {
    // A heap copy of exactly `size` bytes, so a read past it is caught by
    // AddressSanitizer even when the caller's buffer is larger.
    std::unique_ptr<uint8_t[]> bytes(new uint8_t[size ? size : 1]);
    if (size) std::memcpy(bytes.get(), data, size);
    for (bool code32 : {false, true}) {
        for (size_t pos = 0; pos < size; ++pos) {
            unsigned avail = static_cast<unsigned>(size - pos);
            Insn in;
            unsigned len = decode_instruction(bytes.get() + pos, avail, code32, in);
            if (len > avail || len > kMaxInsnLength) __builtin_trap();
            // With 15 bytes the decoder must decide: a fetch loop never
            // gives it more (Cpu::decode_uncached has a 15-byte buffer).
            if (len == 0 && avail >= kMaxInsnLength) __builtin_trap();
            if (len == 0) continue;  // needs more bytes than there are
            if (in.len != len || in.handler == nullptr || in.info == nullptr) __builtin_trap();
            std::string text = disassemble(in, static_cast<uint32_t>(pos));
            if (text.empty()) __builtin_trap();
        }
    }
    return 0;
}

}  // namespace sandpc::fuzz
