// A decoded instruction: everything the handler needs, computed once when
// the instruction is first seen and then cached with its block.
#pragma once

#include <cstdint>

namespace sandpc {

class Cpu;
struct Insn;
struct InsnInfo;
using Handler = void (*)(Cpu&, const Insn&);

// Index of an always-zero slot after the eight GPRs, so an effective address
// is base + (index << scale) + disp without branches.
constexpr uint8_t kNoReg = 8;

enum class RepPrefix : uint8_t { kNone, kRep /* F3 */, kRepne /* F2 */ };

struct Insn {
    Handler handler = nullptr;
    const InsnInfo* info = nullptr;
    uint32_t disp = 0;  // memory displacement, or the moffs address
    uint32_t imm = 0;   // first immediate (sign- or zero-extended per the table)
    uint16_t imm2 = 0;  // second immediate: ENTER's level, a far pointer's selector
    uint8_t len = 0;
    uint8_t opcode = 0;  // last opcode byte
    uint8_t modrm = 0;
    uint8_t reg = 0;  // ModRM.reg, or the register encoded in the opcode
    uint8_t rm = 0;   // ModRM.rm (a register when !has_mem)
    uint8_t base = kNoReg;
    uint8_t index = kNoReg;
    uint8_t scale = 0;  // shift count 0-3
    uint8_t seg = 0;    // effective segment for the memory operand / string source
    bool has_mem = false;
    bool op32 = false;
    bool addr32 = false;
    bool lock = false;
    bool seg_override = false;
    RepPrefix rep = RepPrefix::kNone;
};

}  // namespace sandpc
