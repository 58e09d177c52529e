// Intel-syntax disassembly of decoded instructions, from the instruction
// table, for traces and test failure reports.
#pragma once

#include <cstdint>
#include <string>

#include "cpu/insn.h"

namespace sandpc {

// `eip` is the instruction's address (for branch targets).
std::string disassemble(const Insn& in, uint32_t eip);
// Decodes and disassembles the bytes; "(bad)" when too short.
std::string disassemble_bytes(const uint8_t* bytes, unsigned len, bool code32, uint32_t eip);

}  // namespace sandpc
