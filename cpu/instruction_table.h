// The instruction table: every opcode of the i686 set described once (the
// x87 escapes one row each: the x87 unit decodes their ModRM).
// The decoder, the interpreter's dispatch, the disassembler and the random
// test generator all read it (see docs/ARCHITECTURE.md, "The CPU").
#pragma once

#include <cstdint>
#include <span>

#include "cpu/insn.h"

namespace sandpc {

// Operand kinds, named after the Intel manual's operand codes.
enum class Opnd : uint8_t {
    kNone,
    kEb,
    kEw,
    kEd,
    kEv,  // ModRM r/m
    kGb,
    kGw,
    kGd,
    kGv,  // ModRM reg
    kM,
    kMp,
    kMq,
    kMs,
    kMa,
    kMw,  // memory only: any, far pointer, 64-bit, pseudo-descriptor, bound pair
    kRd,  // ModRM r/m as a 32-bit register (MOV CRn/DRn)
    kCd,
    kDd,  // ModRM reg as control / debug register
    kSw,  // ModRM reg as segment register
    kIb,
    kIbs,
    kIw,
    kIz,
    kIv,  // immediates: byte, byte sign-extended to v, word, 16/32, full v
    kJb,
    kJz,  // relative branch targets
    kAp,  // direct far pointer
    kOb,
    kOv,  // absolute memory offset (moffs)
    kZb,
    kZv,
    kZd,  // register in the opcode's low 3 bits
    kAL,
    kCL,
    kDX,
    kAX,
    keAX,
    kOne,  // the constant 1 (shift by one)
    kXb,
    kXv,
    kYb,
    kYv,   // string source DS:eSI / destination ES:eDI
    kSeg,  // segment register fixed by the opcode (PUSH ES...)
    kX87,  // x87 escape operand (decoded by the FPU)
    kMmx,  // MMX operands (decoded by the FPU unit)
    kPq,   // ModRM reg as an MMX register
    kQq,   // ModRM r/m: MMX register or m64
    kQd,   // ModRM r/m: MMX register or m32 (PUNPCKL*)
    kNq,   // ModRM r/m as an MMX register (shifts by immediate)
};

// Instruction attributes.
namespace attr {
constexpr uint32_t kLock = 1u << 0;        // LOCK prefix allowed (with a memory destination)
constexpr uint32_t kRep = 1u << 1;         // REP prefix repeats it (MOVS, STOS, LODS, INS, OUTS)
constexpr uint32_t kRepCond = 1u << 2;     // REPE/REPNE repeat it (CMPS, SCAS)
constexpr uint32_t kPrivileged = 1u << 3;  // CPL 0 only
constexpr uint32_t kIopl = 1u << 4;        // IOPL-sensitive
constexpr uint32_t kBranch = 1u << 5;   // may change EIP other than falling through: ends a block
constexpr uint32_t kNotReal = 1u << 6;  // #UD in real and virtual-8086 mode
constexpr uint32_t kMemOnly = 1u << 7;  // ModRM must name memory (mod != 3), else #UD
constexpr uint32_t kSystem = 1u << 8;   // touches system state; never in random user-mode tests
constexpr uint32_t kStack = 1u << 9;    // uses the stack implicitly
constexpr uint32_t kString = 1u << 10;  // string instruction (implicit ESI/EDI operands)
constexpr uint32_t kIo = 1u << 11;      // port I/O
constexpr uint32_t kEndsBlock = 1u << 12;  // changes state the decoder depends on (mode, CR0...)
constexpr uint32_t kInvalid = 1u << 13;    // undefined opcode: #UD
constexpr uint32_t kPrefix = 1u << 14;     // a prefix byte, not an instruction
constexpr uint32_t kSegLoad = 1u << 15;    // loads a segment register
constexpr uint32_t kFpu = 1u << 16;        // x87 / MMX instruction
constexpr uint32_t kNoGenerate = 1u
                                 << 17;  // leave out of random tests for another reason (see row)
}  // namespace attr

struct InsnInfo {
    uint16_t opcode;       // 0x000-0x0FF one-byte map, 0x100-0x1FF the 0F map
    int8_t group_reg;      // ModRM.reg selecting this row of a group, or -1
    const char* mnemonic;  // "cbw/cwde": 16-bit form / 32-bit form
    Opnd op[3];
    uint32_t attrs;
    uint16_t flags_read;       // EFLAGS bits read
    uint16_t flags_written;    // EFLAGS bits written (defined result)
    uint16_t flags_undefined;  // EFLAGS bits left undefined
    Handler handler16;         // operand size 16 (or the only handler)
    Handler handler32;         // operand size 32

    bool has(uint32_t a) const { return (attrs & a) != 0; }
};

// All rows of the table.
std::span<const InsnInfo> instruction_table();

// Row for an opcode (0x000-0x1FF) and ModRM.reg (ignored when the opcode is
// not a group). Never null: undefined encodings map to an #UD row.
const InsnInfo& lookup_instruction(uint16_t opcode, uint8_t modrm_reg);
// The row of an undefined encoding (#UD).
const InsnInfo& invalid_instruction();
// Whether the opcode takes a ModRM byte.
bool opcode_has_modrm(uint16_t opcode);

}  // namespace sandpc
