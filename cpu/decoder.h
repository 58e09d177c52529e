// Turns instruction bytes into a decoded Insn using the instruction table.
#pragma once

#include <cstdint>

#include "cpu/insn.h"

namespace sandpc {

constexpr unsigned kMaxInsnLength = 15;

// Decodes one instruction from `bytes`, of which `avail` are readable.
// Returns the instruction length, or 0 when the instruction needs more than
// `avail` bytes (the caller fetches more and retries; running out of bytes
// at a page or segment boundary is where the fetch faults). An instruction
// longer than 15 bytes decodes to one that raises #GP(0); an undefined one
// to one that raises #UD: decoding itself never faults.
unsigned decode_instruction(const uint8_t* bytes, unsigned avail, bool code32, Insn& out);

}  // namespace sandpc
