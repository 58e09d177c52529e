// The one place the FPU module touches the host's own x87 unit.
//
// host_x87_execute() computes the numeric outcome of one x87 instruction
// applied to given operand values: the x87 unit feeds it ST(0), one other
// register operand and the memory operand bytes, and decides itself what the
// outcome does to the architectural state (stack, tags, pointers, masked and
// unmasked exception responses). On an x86-64 host this is exact by
// construction: the very instruction runs on the host's x87 under the guest's
// control word (precision, rounding, exception masks) and condition codes.
//
// Replacing it with a soft-float backend (for hosts without an x87) takes:
//  - extended-precision add/sub/mul/div/sqrt with 24/53/64-bit precision
//    control, the four rounding modes, denormal/pseudo-denormal inputs,
//    unsupported encodings (unnormal, pseudo-NaN, pseudo-infinity) -> IE,
//    x87 NaN propagation (larger significand wins, SNaN quieted), and the
//    biased (exponent -/+ 24576) results for unmasked overflow/underflow;
//  - conversions from/to m32/m64 reals, m16/m32/m64 integers, 18-digit BCD;
//  - compares (FCOM/FUCOM/FICOM/FTST/FXAM/FCOMI condition codes and EFLAGS);
//  - FPREM/FPREM1 partial remainders with quotient bits, FSCALE, FXTRACT,
//    FRNDINT and the transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN,
//    FSIN, FCOS, FSINCOS) to the host chip's accuracy, including the
//    out-of-range (|x| >= 2^63, C2 = 1) behaviour;
//  - the constants (FLD1 ... FLDZ) rounded per the rounding control;
//  - the status flags IE/DE/ZE/OE/UE/PE and C1 (rounded up) for each.
// The interface below stays as it is; only host_x87.cpp changes.
#pragma once

#include <cstdint>

#include "cpu/fpu/f80.h"

namespace sandpc {

struct HostX87Operands {
    F80 st0;               // value of ST(0)
    F80 sti;               // the second register operand: ST(i) or ST(1)
    uint8_t mem[10] = {};  // memory operand: input for loads/arith, output for stores
    uint16_t cw = 0x037f;  // guest control word
    uint16_t cc = 0;       // guest condition codes (C0-C3 bits of the status word)
};

struct HostX87Outcome {
    F80 st0;             // ST(0) after the instruction (relative to the new top)
    F80 st1;             // ST(1) after the instruction
    uint16_t sw = 0;     // exception flags (bits 0-5), C1, and C0-C3 after the instruction
    int pushes = 0;      // values pushed (negative: popped)
    uint8_t eflags = 0;  // ZF/PF/CF (bits 6/2/0) as left by FCOMI-type instructions
};

// Runs the x87 instruction `opcode` (D8-DF) `modrm` on the operands. A
// register form must name ST(0) or ST(1) (rm 0 or 1; ST(1) stands for the
// guest's ST(i) and receives `sti`); a memory form (mod != 3) reads and
// writes ops.mem. Only the numeric instructions may be passed, never control
// instructions (FLDENV, FSAVE ...), and never encodings the host lacks.
HostX87Outcome host_x87_execute(uint8_t opcode, uint8_t modrm, HostX87Operands& ops);

}  // namespace sandpc
