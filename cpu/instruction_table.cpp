// The instruction table (see instruction_table.h). One row per opcode or
// group member; operand codes follow the Intel manual's opcode map.
#include "cpu/instruction_table.h"

#include <array>

#include "cpu/exec_alu.h"
#include "cpu/exec_control.h"
#include "cpu/exec_data.h"
#include "cpu/exec_fpu.h"
#include "cpu/exec_string.h"
#include "cpu/exec_system.h"

namespace sandpc {

namespace {

// clang-format off
using O = Opnd;
namespace a = attr;
constexpr uint16_t CF = eflags::CF, PF = eflags::PF, AF = eflags::AF, ZF = eflags::ZF,
                   SF = eflags::SF, OF = eflags::OF, DF = eflags::DF;
constexpr uint16_t OSZAPC = CF | PF | AF | ZF | SF | OF;
constexpr uint16_t OSZPC = OSZAPC & ~AF;
constexpr uint16_t SZP = SF | ZF | PF;
constexpr uint16_t OSZAP = OSZAPC & ~CF;
constexpr uint16_t kAllFlags = 0xFFFF;  // instructions that load the whole register

#define H(fn) &fn, &fn
#define H8(fn) &fn<uint8_t>, &fn<uint8_t>
#define HV(fn) &fn<uint16_t>, &fn<uint32_t>
// A template-id with arguments: the byte form, or the word/dword pair.
#define PAIR8(...) &__VA_ARGS__, &__VA_ARGS__
#define PAIRV(tmpl, ...) &tmpl<__VA_ARGS__, uint16_t>, &tmpl<__VA_ARGS__, uint32_t>

// Flag effects of the eight ALU operations (ADD OR ADC SBB AND SUB XOR CMP).
#define ALU_ROWS(base, name, OP, attrs, fr, fw, fu)                                             \
    {base + 0, -1, name, {O::kEb, O::kGb}, attrs, fr, fw, fu, PAIR8(alu_EG<OP, uint8_t>)},       \
    {base + 1, -1, name, {O::kEv, O::kGv}, attrs, fr, fw, fu,                                  \
     &alu_EG<OP, uint16_t>, &alu_EG<OP, uint32_t>},                                            \
    {base + 2, -1, name, {O::kGb, O::kEb}, 0, fr, fw, fu, PAIR8(alu_GE<OP, uint8_t>)},           \
    {base + 3, -1, name, {O::kGv, O::kEv}, 0, fr, fw, fu,                                      \
     &alu_GE<OP, uint16_t>, &alu_GE<OP, uint32_t>},                                            \
    {base + 4, -1, name, {O::kAL, O::kIb}, 0, fr, fw, fu, PAIR8(alu_AI<OP, uint8_t>)},           \
    {base + 5, -1, name, {O::keAX, O::kIz}, 0, fr, fw, fu,                                     \
     &alu_AI<OP, uint16_t>, &alu_AI<OP, uint32_t>}

#define GROUP1_ROWS(op, form, o0, o1)                                                          \
    {op, 0, "add", {o0, o1}, a::kLock, 0, OSZAPC, 0, form(Alu::kAdd)},                          \
    {op, 1, "or", {o0, o1}, a::kLock, 0, OSZPC, AF, form(Alu::kOr)},                           \
    {op, 2, "adc", {o0, o1}, a::kLock, CF, OSZAPC, 0, form(Alu::kAdc)},                         \
    {op, 3, "sbb", {o0, o1}, a::kLock, CF, OSZAPC, 0, form(Alu::kSbb)},                         \
    {op, 4, "and", {o0, o1}, a::kLock, 0, OSZPC, AF, form(Alu::kAnd)},                         \
    {op, 5, "sub", {o0, o1}, a::kLock, 0, OSZAPC, 0, form(Alu::kSub)},                          \
    {op, 6, "xor", {o0, o1}, a::kLock, 0, OSZPC, AF, form(Alu::kXor)},                         \
    {op, 7, "cmp", {o0, o1}, 0, 0, OSZAPC, 0, form(Alu::kCmp)}
#define EI8(OP) PAIR8(alu_EI<OP, uint8_t>)
#define EIV(OP) &alu_EI<OP, uint16_t>, &alu_EI<OP, uint32_t>

// Group 2: count operand `cnt`, handler form `F`.
#define SHIFT_ROW(op, r, name, SH, o0, cnt, F, T8, fr, fw, fu)                                 \
    {op, r, name, {o0, cnt}, 0, fr, fw, fu, T8(SH)}
#define SH8_1(SH) PAIR8(shift_E1<SH, uint8_t>)
#define SHV_1(SH) &shift_E1<SH, uint16_t>, &shift_E1<SH, uint32_t>
#define SH8_CL(SH) PAIR8(shift_ECL<SH, uint8_t>)
#define SHV_CL(SH) &shift_ECL<SH, uint16_t>, &shift_ECL<SH, uint32_t>
#define SH8_I(SH) PAIR8(shift_EI<SH, uint8_t>)
#define SHV_I(SH) &shift_EI<SH, uint16_t>, &shift_EI<SH, uint32_t>
// Rotates: only CF and OF (OF defined for a count of 1 only); shifts: SZP
// and CF, OF for a count of 1, AF undefined.
#define GROUP2_ROWS(op, o0, cnt, T)                                                            \
    SHIFT_ROW(op, 0, "rol", Shift::kRol, o0, cnt, , T, 0, CF, OF),                             \
    SHIFT_ROW(op, 1, "ror", Shift::kRor, o0, cnt, , T, 0, CF, OF),                             \
    SHIFT_ROW(op, 2, "rcl", Shift::kRcl, o0, cnt, , T, CF, CF, OF),                            \
    SHIFT_ROW(op, 3, "rcr", Shift::kRcr, o0, cnt, , T, CF, CF, OF),                            \
    SHIFT_ROW(op, 4, "shl", Shift::kShl, o0, cnt, , T, 0, SZP | CF, OF | AF),                  \
    SHIFT_ROW(op, 5, "shr", Shift::kShr, o0, cnt, , T, 0, SZP | CF, OF | AF),                  \
    SHIFT_ROW(op, 6, "sal", Shift::kSal, o0, cnt, , T, 0, SZP | CF, OF | AF),                  \
    SHIFT_ROW(op, 7, "sar", Shift::kSar, o0, cnt, , T, 0, SZP | CF, OF | AF)

#define JCC_ROW(op, name, fr) {op, -1, name, {O::kJb}, a::kBranch, fr, 0, 0, HV(jcc)}
#define JCCZ_ROW(op, name, fr) {0x180 | op, -1, name, {O::kJz}, a::kBranch, fr, 0, 0, HV(jcc)}
#define SETCC_ROW(op, name, fr) {0x190 | op, -1, name, {O::kEb}, 0, fr, 0, 0, H(setcc_E)}
#define CMOV_ROW(op, name, fr) {0x140 | op, -1, name, {O::kGv, O::kEv}, 0, fr, 0, 0, HV(cmov_GE)}
#define CC_ROWS(M, p)                                                                          \
    M(0x0, p "o", OF), M(0x1, p "no", OF), M(0x2, p "b", CF), M(0x3, p "ae", CF),              \
    M(0x4, p "e", ZF), M(0x5, p "ne", ZF), M(0x6, p "be", CF | ZF), M(0x7, p "a", CF | ZF),    \
    M(0x8, p "s", SF), M(0x9, p "ns", SF), M(0xA, p "p", PF), M(0xB, p "np", PF),              \
    M(0xC, p "l", SF | OF), M(0xD, p "ge", SF | OF), M(0xE, p "le", ZF | SF | OF),              \
    M(0xF, p "g", ZF | SF | OF)
#define JCC8(cc, name, fr) JCC_ROW(0x70 | cc, name, fr)

// Eight rows for opcodes base..base+7 with the register in the low bits.
#define REG_ROW(op, name, o0, o1, at, fr, fw, fu, ...) {op, -1, name, {o0, o1}, at, fr, fw, fu, __VA_ARGS__}
#define REG_ROWS(base, name, o0, o1, at, fr, fw, fu, ...)                                 \
    REG_ROW(base + 0, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 1, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 2, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 3, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 4, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 5, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 6, name, o0, o1, at, fr, fw, fu, __VA_ARGS__),                                 \
    REG_ROW(base + 7, name, o0, o1, at, fr, fw, fu, __VA_ARGS__)

constexpr uint32_t kSys = a::kSystem;
constexpr uint32_t kSysEnd = a::kSystem | a::kEndsBlock;
constexpr uint32_t kPriv = a::kSystem | a::kPrivileged;

const InsnInfo kTable[] = {
    ALU_ROWS(0x00, "add", Alu::kAdd, a::kLock, 0, OSZAPC, 0),
    ALU_ROWS(0x08, "or", Alu::kOr, a::kLock, 0, OSZPC, AF),
    ALU_ROWS(0x10, "adc", Alu::kAdc, a::kLock, CF, OSZAPC, 0),
    ALU_ROWS(0x18, "sbb", Alu::kSbb, a::kLock, CF, OSZAPC, 0),
    ALU_ROWS(0x20, "and", Alu::kAnd, a::kLock, 0, OSZPC, AF),
    ALU_ROWS(0x28, "sub", Alu::kSub, a::kLock, 0, OSZAPC, 0),
    ALU_ROWS(0x30, "xor", Alu::kXor, a::kLock, 0, OSZPC, AF),
    ALU_ROWS(0x38, "cmp", Alu::kCmp, 0, 0, OSZAPC, 0),
    {0x06, -1, "push", {O::kSeg}, kSys | a::kStack, 0, 0, 0, HV(push_seg)},
    {0x07, -1, "pop", {O::kSeg}, kSys | a::kStack | a::kSegLoad, 0, 0, 0, HV(pop_seg)},
    {0x0E, -1, "push", {O::kSeg}, kSys | a::kStack, 0, 0, 0, HV(push_seg)},
    {0x16, -1, "push", {O::kSeg}, kSys | a::kStack, 0, 0, 0, HV(push_seg)},
    {0x17, -1, "pop", {O::kSeg}, kSysEnd | a::kStack | a::kSegLoad, 0, 0, 0, HV(pop_seg)},
    {0x1E, -1, "push", {O::kSeg}, kSys | a::kStack, 0, 0, 0, HV(push_seg)},
    {0x1F, -1, "pop", {O::kSeg}, kSys | a::kStack | a::kSegLoad, 0, 0, 0, HV(pop_seg)},
    {0x27, -1, "daa", {}, 0, AF | CF, SZP | AF | CF, OF, H(daa)},
    {0x2F, -1, "das", {}, 0, AF | CF, SZP | AF | CF, OF, H(das)},
    {0x37, -1, "aaa", {}, 0, AF, AF | CF, OF | SZP, H(aaa)},
    {0x3F, -1, "aas", {}, 0, AF, AF | CF, OF | SZP, H(aas)},
    REG_ROWS(0x40, "inc", O::kZv, O::kNone, 0, 0, OSZAP, 0, (&incdec_Z<false, uint16_t>),
             (&incdec_Z<false, uint32_t>)),
    REG_ROWS(0x48, "dec", O::kZv, O::kNone, 0, 0, OSZAP, 0, (&incdec_Z<true, uint16_t>),
             (&incdec_Z<true, uint32_t>)),
    REG_ROWS(0x50, "push", O::kZv, O::kNone, a::kStack, 0, 0, 0, HV(push_Z)),
    REG_ROWS(0x58, "pop", O::kZv, O::kNone, a::kStack, 0, 0, 0, HV(pop_Z)),
    {0x60, -1, "pusha/pushad", {}, a::kStack, 0, 0, 0, HV(pusha)},
    {0x61, -1, "popa/popad", {}, a::kStack, 0, 0, 0, HV(popa)},
    {0x62, -1, "bound", {O::kGv, O::kMa}, a::kMemOnly, 0, 0, 0, HV(bound)},
    {0x63, -1, "arpl", {O::kEw, O::kGw}, kSys | a::kNotReal, 0, ZF, 0, H(arpl)},
    {0x68, -1, "push", {O::kIz}, a::kStack, 0, 0, 0, HV(push_I)},
    {0x69, -1, "imul", {O::kGv, O::kEv, O::kIz}, 0, 0, OF | CF, SZP | AF, HV(imul_GEI)},
    {0x6A, -1, "push", {O::kIbs}, a::kStack, 0, 0, 0, HV(push_I)},
    {0x6B, -1, "imul", {O::kGv, O::kEv, O::kIbs}, 0, 0, OF | CF, SZP | AF, HV(imul_GEI)},
    {0x6C, -1, "insb", {O::kYb, O::kDX}, kSys | a::kIo | a::kRep | a::kString, DF, 0, 0, H8(ins)},
    {0x6D, -1, "insw/insd", {O::kYv, O::kDX}, kSys | a::kIo | a::kRep | a::kString, DF, 0, 0,
     HV(ins)},
    {0x6E, -1, "outsb", {O::kDX, O::kXb}, kSys | a::kIo | a::kRep | a::kString, DF, 0, 0, H8(outs)},
    {0x6F, -1, "outsw/outsd", {O::kDX, O::kXv}, kSys | a::kIo | a::kRep | a::kString, DF, 0, 0,
     HV(outs)},
    CC_ROWS(JCC8, "j"),
    GROUP1_ROWS(0x80, EI8, O::kEb, O::kIb),
    GROUP1_ROWS(0x81, EIV, O::kEv, O::kIz),
    GROUP1_ROWS(0x82, EI8, O::kEb, O::kIb),
    GROUP1_ROWS(0x83, EIV, O::kEv, O::kIbs),
    {0x84, -1, "test", {O::kEb, O::kGb}, 0, 0, OSZPC, AF, H8(test_EG)},
    {0x85, -1, "test", {O::kEv, O::kGv}, 0, 0, OSZPC, AF, HV(test_EG)},
    {0x86, -1, "xchg", {O::kEb, O::kGb}, a::kLock, 0, 0, 0, H8(xchg_EG)},
    {0x87, -1, "xchg", {O::kEv, O::kGv}, a::kLock, 0, 0, 0, HV(xchg_EG)},
    {0x88, -1, "mov", {O::kEb, O::kGb}, 0, 0, 0, 0, H8(mov_EG)},
    {0x89, -1, "mov", {O::kEv, O::kGv}, 0, 0, 0, 0, HV(mov_EG)},
    {0x8A, -1, "mov", {O::kGb, O::kEb}, 0, 0, 0, 0, H8(mov_GE)},
    {0x8B, -1, "mov", {O::kGv, O::kEv}, 0, 0, 0, 0, HV(mov_GE)},
    {0x8C, -1, "mov", {O::kEv, O::kSw}, kSys, 0, 0, 0, HV(mov_E_S)},
    {0x8D, -1, "lea", {O::kGv, O::kM}, a::kMemOnly, 0, 0, 0, HV(lea_GM)},
    {0x8E, -1, "mov", {O::kSw, O::kEw}, kSysEnd | a::kSegLoad, 0, 0, 0, H(mov_S_E)},
    {0x8F, 0, "pop", {O::kEv}, a::kStack, 0, 0, 0, HV(pop_E)},
    {0x90, -1, "nop", {}, 0, 0, 0, 0, H(nop)},
    REG_ROW(0x91, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    REG_ROW(0x92, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    REG_ROW(0x93, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    REG_ROW(0x94, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    REG_ROW(0x95, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    REG_ROW(0x96, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    REG_ROW(0x97, "xchg", O::kZv, O::keAX, 0, 0, 0, 0, HV(xchg_Z)),
    {0x98, -1, "cbw/cwde", {}, 0, 0, 0, 0, HV(cbw)},
    {0x99, -1, "cwd/cdq", {}, 0, 0, 0, 0, HV(cwd)},
    {0x9A, -1, "call far", {O::kAp}, kSys | a::kBranch | a::kStack, 0, 0, 0, HV(call_far_A)},
    {0x9B, -1, "fwait", {}, a::kFpu, 0, 0, 0, H(fwait)},
    {0x9C, -1, "pushf/pushfd", {}, a::kStack, kAllFlags, 0, 0, HV(pushf)},
    {0x9D, -1, "popf/popfd", {}, a::kStack | a::kEndsBlock, 0, kAllFlags, 0, HV(popf)},
    {0x9E, -1, "sahf", {}, 0, 0, SZP | AF | CF, 0, H(sahf)},
    {0x9F, -1, "lahf", {}, 0, SZP | AF | CF, 0, 0, H(lahf)},
    {0xA0, -1, "mov", {O::kAL, O::kOb}, 0, 0, 0, 0, H8(mov_AO)},
    {0xA1, -1, "mov", {O::keAX, O::kOv}, 0, 0, 0, 0, HV(mov_AO)},
    {0xA2, -1, "mov", {O::kOb, O::kAL}, 0, 0, 0, 0, H8(mov_OA)},
    {0xA3, -1, "mov", {O::kOv, O::keAX}, 0, 0, 0, 0, HV(mov_OA)},
    {0xA4, -1, "movsb", {O::kYb, O::kXb}, a::kRep | a::kString, DF, 0, 0, H8(movs)},
    {0xA5, -1, "movsw/movsd", {O::kYv, O::kXv}, a::kRep | a::kString, DF, 0, 0, HV(movs)},
    {0xA6, -1, "cmpsb", {O::kXb, O::kYb}, a::kRepCond | a::kString, DF, OSZAPC, 0, H8(cmps)},
    {0xA7, -1, "cmpsw/cmpsd", {O::kXv, O::kYv}, a::kRepCond | a::kString, DF, OSZAPC, 0,
     HV(cmps)},
    {0xA8, -1, "test", {O::kAL, O::kIb}, 0, 0, OSZPC, AF, H8(test_AI)},
    {0xA9, -1, "test", {O::keAX, O::kIz}, 0, 0, OSZPC, AF, HV(test_AI)},
    {0xAA, -1, "stosb", {O::kYb, O::kAL}, a::kRep | a::kString, DF, 0, 0, H8(stos)},
    {0xAB, -1, "stosw/stosd", {O::kYv, O::keAX}, a::kRep | a::kString, DF, 0, 0, HV(stos)},
    {0xAC, -1, "lodsb", {O::kAL, O::kXb}, a::kRep | a::kString, DF, 0, 0, H8(lods)},
    {0xAD, -1, "lodsw/lodsd", {O::keAX, O::kXv}, a::kRep | a::kString, DF, 0, 0, HV(lods)},
    {0xAE, -1, "scasb", {O::kAL, O::kYb}, a::kRepCond | a::kString, DF, OSZAPC, 0, H8(scas)},
    {0xAF, -1, "scasw/scasd", {O::keAX, O::kYv}, a::kRepCond | a::kString, DF, OSZAPC, 0,
     HV(scas)},
    REG_ROWS(0xB0, "mov", O::kZb, O::kIb, 0, 0, 0, 0, H8(mov_ZI)),
    REG_ROWS(0xB8, "mov", O::kZv, O::kIv, 0, 0, 0, 0, HV(mov_ZI)),
    GROUP2_ROWS(0xC0, O::kEb, O::kIb, SH8_I),
    GROUP2_ROWS(0xC1, O::kEv, O::kIb, SHV_I),
    {0xC2, -1, "ret", {O::kIw}, a::kBranch | a::kStack, 0, 0, 0, HV(ret)},
    {0xC3, -1, "ret", {}, a::kBranch | a::kStack, 0, 0, 0, HV(ret)},
    {0xC4, -1, "les", {O::kGv, O::kMp}, kSys | a::kMemOnly | a::kSegLoad, 0, 0, 0,
     HV(load_far_pointer)},
    {0xC5, -1, "lds", {O::kGv, O::kMp}, kSys | a::kMemOnly | a::kSegLoad, 0, 0, 0,
     HV(load_far_pointer)},
    {0xC6, 0, "mov", {O::kEb, O::kIb}, 0, 0, 0, 0, H8(mov_EI)},
    {0xC7, 0, "mov", {O::kEv, O::kIz}, 0, 0, 0, 0, HV(mov_EI)},
    {0xC8, -1, "enter", {O::kIw, O::kIb}, a::kStack, 0, 0, 0, HV(enter)},
    {0xC9, -1, "leave", {}, a::kStack, 0, 0, 0, HV(leave)},
    {0xCA, -1, "retf", {O::kIw}, kSys | a::kBranch | a::kStack, 0, 0, 0, HV(ret_far)},
    {0xCB, -1, "retf", {}, kSys | a::kBranch | a::kStack, 0, 0, 0, HV(ret_far)},
    {0xCC, -1, "int3", {}, kSys | a::kBranch, 0, 0, 0, H(int3)},
    {0xCD, -1, "int", {O::kIb}, kSys | a::kBranch, 0, 0, 0, H(int_n)},
    {0xCE, -1, "into", {}, kSys | a::kBranch, OF, 0, 0, H(into)},
    {0xCF, -1, "iret/iretd", {}, kSys | a::kBranch | a::kStack, 0, kAllFlags, 0, HV(iret)},
    GROUP2_ROWS(0xD0, O::kEb, O::kOne, SH8_1),
    GROUP2_ROWS(0xD1, O::kEv, O::kOne, SHV_1),
    GROUP2_ROWS(0xD2, O::kEb, O::kCL, SH8_CL),
    GROUP2_ROWS(0xD3, O::kEv, O::kCL, SHV_CL),
    {0xD4, -1, "aam", {O::kIb}, 0, 0, SZP, OF | AF | CF, H(aam)},
    {0xD5, -1, "aad", {O::kIb}, 0, 0, SZP, OF | AF | CF, H(aad)},
    {0xD6, -1, "salc", {}, 0, CF, 0, 0, H(salc)},
    {0xD7, -1, "xlat", {}, 0, 0, 0, 0, H(xlat)},
    {0xD8, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xD9, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xDA, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xDB, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xDC, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xDD, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xDE, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xDF, -1, "fpu", {O::kX87}, a::kFpu, 0, 0, 0, H(fpu_escape)},
    {0xE0, -1, "loopne", {O::kJb}, a::kBranch, ZF, 0, 0, HV(loop)},
    {0xE1, -1, "loope", {O::kJb}, a::kBranch, ZF, 0, 0, HV(loop)},
    {0xE2, -1, "loop", {O::kJb}, a::kBranch, 0, 0, 0, HV(loop)},
    {0xE3, -1, "jcxz/jecxz", {O::kJb}, a::kBranch, 0, 0, 0, HV(loop)},
    {0xE4, -1, "in", {O::kAL, O::kIb}, kSys | a::kIo, 0, 0, 0, H8(in_I)},
    {0xE5, -1, "in", {O::keAX, O::kIb}, kSys | a::kIo, 0, 0, 0, HV(in_I)},
    {0xE6, -1, "out", {O::kIb, O::kAL}, kSys | a::kIo, 0, 0, 0, H8(out_I)},
    {0xE7, -1, "out", {O::kIb, O::keAX}, kSys | a::kIo, 0, 0, 0, HV(out_I)},
    {0xE8, -1, "call", {O::kJz}, a::kBranch | a::kStack, 0, 0, 0, HV(call_J)},
    {0xE9, -1, "jmp", {O::kJz}, a::kBranch, 0, 0, 0, HV(jmp_J)},
    {0xEA, -1, "jmp far", {O::kAp}, kSys | a::kBranch, 0, 0, 0, HV(jmp_far_A)},
    {0xEB, -1, "jmp", {O::kJb}, a::kBranch, 0, 0, 0, HV(jmp_J)},
    {0xEC, -1, "in", {O::kAL, O::kDX}, kSys | a::kIo, 0, 0, 0, H8(in_DX)},
    {0xED, -1, "in", {O::keAX, O::kDX}, kSys | a::kIo, 0, 0, 0, HV(in_DX)},
    {0xEE, -1, "out", {O::kDX, O::kAL}, kSys | a::kIo, 0, 0, 0, H8(out_DX)},
    {0xEF, -1, "out", {O::kDX, O::keAX}, kSys | a::kIo, 0, 0, 0, HV(out_DX)},
    {0xF1, -1, "int1", {}, kSys | a::kBranch, 0, 0, 0, H(int1)},
    {0xF4, -1, "hlt", {}, kPriv | a::kEndsBlock, 0, 0, 0, H(hlt)},
    {0xF5, -1, "cmc", {}, 0, CF, CF, 0, H(cmc)},
    {0xF6, 0, "test", {O::kEb, O::kIb}, 0, 0, OSZPC, AF, H8(test_EI)},
    {0xF6, 1, "test", {O::kEb, O::kIb}, 0, 0, OSZPC, AF, H8(test_EI)},
    {0xF6, 2, "not", {O::kEb}, a::kLock, 0, 0, 0, H8(not_E)},
    {0xF6, 3, "neg", {O::kEb}, a::kLock, 0, OSZAPC, 0, H8(neg_E)},
    {0xF6, 4, "mul", {O::kEb}, 0, 0, OF | CF, SZP | AF, H8(mul_E)},
    {0xF6, 5, "imul", {O::kEb}, 0, 0, OF | CF, SZP | AF, H8(imul1_E)},
    {0xF6, 6, "div", {O::kEb}, 0, 0, 0, OSZAPC, H8(div_E)},
    {0xF6, 7, "idiv", {O::kEb}, 0, 0, 0, OSZAPC, H8(idiv_E)},
    {0xF7, 0, "test", {O::kEv, O::kIz}, 0, 0, OSZPC, AF, HV(test_EI)},
    {0xF7, 1, "test", {O::kEv, O::kIz}, 0, 0, OSZPC, AF, HV(test_EI)},
    {0xF7, 2, "not", {O::kEv}, a::kLock, 0, 0, 0, HV(not_E)},
    {0xF7, 3, "neg", {O::kEv}, a::kLock, 0, OSZAPC, 0, HV(neg_E)},
    {0xF7, 4, "mul", {O::kEv}, 0, 0, OF | CF, SZP | AF, HV(mul_E)},
    {0xF7, 5, "imul", {O::kEv}, 0, 0, OF | CF, SZP | AF, HV(imul1_E)},
    {0xF7, 6, "div", {O::kEv}, 0, 0, 0, OSZAPC, HV(div_E)},
    {0xF7, 7, "idiv", {O::kEv}, 0, 0, 0, OSZAPC, HV(idiv_E)},
    {0xF8, -1, "clc", {}, 0, 0, CF, 0, H(clc)},
    {0xF9, -1, "stc", {}, 0, 0, CF, 0, H(stc)},
    {0xFA, -1, "cli", {}, kSys | a::kIopl, 0, 0, 0, H(cli)},
    {0xFB, -1, "sti", {}, kSys | a::kIopl | a::kEndsBlock, 0, 0, 0, H(sti)},
    {0xFC, -1, "cld", {}, 0, 0, DF, 0, H(cld)},
    {0xFD, -1, "std", {}, 0, 0, DF, 0, H(std_)},
    {0xFE, 0, "inc", {O::kEb}, a::kLock, 0, OSZAP, 0, PAIR8(incdec_E<false, uint8_t>)},
    {0xFE, 1, "dec", {O::kEb}, a::kLock, 0, OSZAP, 0, PAIR8(incdec_E<true, uint8_t>)},
    {0xFF, 0, "inc", {O::kEv}, a::kLock, 0, OSZAP, 0, &incdec_E<false, uint16_t>,
     &incdec_E<false, uint32_t>},
    {0xFF, 1, "dec", {O::kEv}, a::kLock, 0, OSZAP, 0, &incdec_E<true, uint16_t>,
     &incdec_E<true, uint32_t>},
    {0xFF, 2, "call", {O::kEv}, a::kBranch | a::kStack, 0, 0, 0, HV(call_E)},
    {0xFF, 3, "call far", {O::kMp}, kSys | a::kBranch | a::kStack | a::kMemOnly, 0, 0, 0,
     HV(call_far_M)},
    {0xFF, 4, "jmp", {O::kEv}, a::kBranch, 0, 0, 0, HV(jmp_E)},
    {0xFF, 5, "jmp far", {O::kMp}, kSys | a::kBranch | a::kMemOnly, 0, 0, 0, HV(jmp_far_M)},
    {0xFF, 6, "push", {O::kEv}, a::kStack, 0, 0, 0, HV(push_E)},

    // ---- two-byte opcodes (0F xx) ----
    {0x100, 0, "sldt", {O::kEw}, kSys | a::kNotReal, 0, 0, 0, H(sldt_str)},
    {0x100, 1, "str", {O::kEw}, kSys | a::kNotReal, 0, 0, 0, H(sldt_str)},
    {0x100, 2, "lldt", {O::kEw}, kPriv | a::kNotReal, 0, 0, 0, H(lldt)},
    {0x100, 3, "ltr", {O::kEw}, kPriv | a::kNotReal, 0, 0, 0, H(ltr)},
    {0x100, 4, "verr", {O::kEw}, kSys | a::kNotReal, 0, ZF, 0, H(verr)},
    {0x100, 5, "verw", {O::kEw}, kSys | a::kNotReal, 0, ZF, 0, H(verw)},
    {0x101, 0, "sgdt", {O::kMs}, kSys | a::kMemOnly, 0, 0, 0, H(sgdt_sidt)},
    {0x101, 1, "sidt", {O::kMs}, kSys | a::kMemOnly, 0, 0, 0, H(sgdt_sidt)},
    {0x101, 2, "lgdt", {O::kMs}, kPriv | a::kMemOnly, 0, 0, 0, H(lgdt_lidt)},
    {0x101, 3, "lidt", {O::kMs}, kPriv | a::kMemOnly, 0, 0, 0, H(lgdt_lidt)},
    {0x101, 4, "smsw", {O::kEw}, kSys, 0, 0, 0, H(smsw)},
    {0x101, 6, "lmsw", {O::kEw}, kPriv | a::kEndsBlock, 0, 0, 0, H(lmsw)},
    {0x101, 7, "invlpg", {O::kM}, kPriv | a::kMemOnly, 0, 0, 0, H(invlpg)},
    {0x102, -1, "lar", {O::kGv, O::kEw}, kSys | a::kNotReal, 0, ZF, 0, HV(lar)},
    {0x103, -1, "lsl", {O::kGv, O::kEw}, kSys | a::kNotReal, 0, ZF, 0, HV(lsl)},
    {0x106, -1, "clts", {}, kPriv, 0, 0, 0, H(clts)},
    {0x108, -1, "invd", {}, kPriv, 0, 0, 0, H(invd_wbinvd)},
    {0x109, -1, "wbinvd", {}, kPriv, 0, 0, 0, H(invd_wbinvd)},
    {0x10B, -1, "ud2", {}, a::kInvalid, 0, 0, 0, H(ud2)},
    // Hint NOPs (0F 18-1F with ModRM), multi-byte NOP on the P6 family.
    {0x118, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x119, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x11A, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x11B, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x11C, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x11D, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x11E, -1, "nop", {O::kEv}, a::kNoGenerate, 0, 0, 0, H(nop)},
    {0x11F, -1, "nop", {O::kEv}, 0, 0, 0, 0, H(nop)},
    {0x120, -1, "mov", {O::kRd, O::kCd}, kPriv, 0, 0, 0, H(mov_R_C)},
    {0x121, -1, "mov", {O::kRd, O::kDd}, kPriv, 0, 0, 0, H(mov_R_D)},
    {0x122, -1, "mov", {O::kCd, O::kRd}, kPriv | a::kEndsBlock, 0, 0, 0, H(mov_C_R)},
    {0x123, -1, "mov", {O::kDd, O::kRd}, kPriv, 0, 0, 0, H(mov_D_R)},
    {0x130, -1, "wrmsr", {}, kPriv | a::kEndsBlock, 0, 0, 0, H(wrmsr)},
    {0x131, -1, "rdtsc", {}, kSys, 0, 0, 0, H(rdtsc)},
    {0x132, -1, "rdmsr", {}, kPriv, 0, 0, 0, H(rdmsr)},
    {0x133, -1, "rdpmc", {}, kSys, 0, 0, 0, H(rdpmc)},
    {0x134, -1, "sysenter", {}, kSys | a::kBranch, 0, 0, 0, H(sysenter)},
    {0x135, -1, "sysexit", {}, kPriv | a::kBranch, 0, 0, 0, H(sysexit)},
    CC_ROWS(CMOV_ROW, "cmov"),
    // MMX (P6 with MMX): executed by the x87/MMX unit. Prefixed forms are SSE2
    // on later chips; here the prefixes are ignored.
    {0x160, -1, "punpcklbw", {O::kPq, O::kQd}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x161, -1, "punpcklwd", {O::kPq, O::kQd}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x162, -1, "punpckldq", {O::kPq, O::kQd}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x163, -1, "packsswb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x164, -1, "pcmpgtb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x165, -1, "pcmpgtw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x166, -1, "pcmpgtd", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x167, -1, "packuswb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x168, -1, "punpckhbw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x169, -1, "punpckhwd", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x16A, -1, "punpckhdq", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x16B, -1, "packssdw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x16E, -1, "movd", {O::kPq, O::kEd}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x16F, -1, "movq", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x171, 2, "psrlw", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x171, 4, "psraw", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x171, 6, "psllw", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x172, 2, "psrld", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x172, 4, "psrad", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x172, 6, "pslld", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x173, 2, "psrlq", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x173, 6, "psllq", {O::kNq, O::kIb}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x174, -1, "pcmpeqb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x175, -1, "pcmpeqw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x176, -1, "pcmpeqd", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x177, -1, "emms", {}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x17E, -1, "movd", {O::kEd, O::kPq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x17F, -1, "movq", {O::kQq, O::kPq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    CC_ROWS(JCCZ_ROW, "j"),
    CC_ROWS(SETCC_ROW, "set"),
    {0x1A0, -1, "push", {O::kSeg}, kSys | a::kStack, 0, 0, 0, HV(push_seg)},
    {0x1A1, -1, "pop", {O::kSeg}, kSys | a::kStack | a::kSegLoad, 0, 0, 0, HV(pop_seg)},
    {0x1A2, -1, "cpuid", {}, kSys, 0, 0, 0, H(cpuid_insn)},
    {0x1A3, -1, "bt", {O::kEv, O::kGv}, 0, 0, CF, OF | SF | AF | PF, PAIRV(bt_EG, BitOp::kTest)},
    {0x1A4, -1, "shld", {O::kEv, O::kGv, O::kIb}, 0, 0, SZP | CF, OF | AF,
     &shld_I<true, uint16_t>, &shld_I<true, uint32_t>},
    {0x1A5, -1, "shld", {O::kEv, O::kGv, O::kCL}, 0, 0, SZP | CF, OF | AF,
     &shld_CL<true, uint16_t>, &shld_CL<true, uint32_t>},
    {0x1A8, -1, "push", {O::kSeg}, kSys | a::kStack, 0, 0, 0, HV(push_seg)},
    {0x1A9, -1, "pop", {O::kSeg}, kSys | a::kStack | a::kSegLoad, 0, 0, 0, HV(pop_seg)},
    {0x1AB, -1, "bts", {O::kEv, O::kGv}, a::kLock, 0, CF, OF | SF | AF | PF,
     PAIRV(bt_EG, BitOp::kSet)},
    {0x1AC, -1, "shrd", {O::kEv, O::kGv, O::kIb}, 0, 0, SZP | CF, OF | AF,
     &shld_I<false, uint16_t>, &shld_I<false, uint32_t>},
    {0x1AD, -1, "shrd", {O::kEv, O::kGv, O::kCL}, 0, 0, SZP | CF, OF | AF,
     &shld_CL<false, uint16_t>, &shld_CL<false, uint32_t>},
    {0x1AE, 0, "fxsave", {O::kM}, a::kFpu | a::kMemOnly, 0, 0, 0, H(fxsave_group)},
    {0x1AE, 1, "fxrstor", {O::kM}, a::kFpu | a::kMemOnly, 0, 0, 0, H(fxsave_group)},
    {0x1AF, -1, "imul", {O::kGv, O::kEv}, 0, 0, OF | CF, SZP | AF, HV(imul_GE)},
    {0x1B0, -1, "cmpxchg", {O::kEb, O::kGb}, a::kLock, 0, OSZAPC, 0, H8(cmpxchg_EG)},
    {0x1B1, -1, "cmpxchg", {O::kEv, O::kGv}, a::kLock, 0, OSZAPC, 0, HV(cmpxchg_EG)},
    {0x1B2, -1, "lss", {O::kGv, O::kMp}, kSysEnd | a::kMemOnly | a::kSegLoad, 0, 0, 0,
     HV(load_far_pointer)},
    {0x1B3, -1, "btr", {O::kEv, O::kGv}, a::kLock, 0, CF, OF | SF | AF | PF,
     PAIRV(bt_EG, BitOp::kReset)},
    {0x1B4, -1, "lfs", {O::kGv, O::kMp}, kSys | a::kMemOnly | a::kSegLoad, 0, 0, 0,
     HV(load_far_pointer)},
    {0x1B5, -1, "lgs", {O::kGv, O::kMp}, kSys | a::kMemOnly | a::kSegLoad, 0, 0, 0,
     HV(load_far_pointer)},
    {0x1B6, -1, "movzx", {O::kGv, O::kEb}, 0, 0, 0, 0, &movx_GE<uint16_t, uint8_t, false>,
     &movx_GE<uint32_t, uint8_t, false>},
    {0x1B7, -1, "movzx", {O::kGv, O::kEw}, 0, 0, 0, 0, &movx_GE<uint16_t, uint16_t, false>,
     &movx_GE<uint32_t, uint16_t, false>},
    {0x1BA, 4, "bt", {O::kEv, O::kIb}, 0, 0, CF, OF | SF | AF | PF, PAIRV(bt_EI, BitOp::kTest)},
    {0x1BA, 5, "bts", {O::kEv, O::kIb}, a::kLock, 0, CF, OF | SF | AF | PF,
     PAIRV(bt_EI, BitOp::kSet)},
    {0x1BA, 6, "btr", {O::kEv, O::kIb}, a::kLock, 0, CF, OF | SF | AF | PF,
     PAIRV(bt_EI, BitOp::kReset)},
    {0x1BA, 7, "btc", {O::kEv, O::kIb}, a::kLock, 0, CF, OF | SF | AF | PF,
     PAIRV(bt_EI, BitOp::kComplement)},
    {0x1BB, -1, "btc", {O::kEv, O::kGv}, a::kLock, 0, CF, OF | SF | AF | PF,
     PAIRV(bt_EG, BitOp::kComplement)},
    {0x1BC, -1, "bsf", {O::kGv, O::kEv}, 0, 0, ZF, OF | SF | AF | PF | CF,
     &bsf_GE<false, uint16_t>, &bsf_GE<false, uint32_t>},
    {0x1BD, -1, "bsr", {O::kGv, O::kEv}, 0, 0, ZF, OF | SF | AF | PF | CF,
     &bsf_GE<true, uint16_t>, &bsf_GE<true, uint32_t>},
    {0x1BE, -1, "movsx", {O::kGv, O::kEb}, 0, 0, 0, 0, &movx_GE<uint16_t, uint8_t, true>,
     &movx_GE<uint32_t, uint8_t, true>},
    {0x1BF, -1, "movsx", {O::kGv, O::kEw}, 0, 0, 0, 0, &movx_GE<uint16_t, uint16_t, true>,
     &movx_GE<uint32_t, uint16_t, true>},
    {0x1C0, -1, "xadd", {O::kEb, O::kGb}, a::kLock, 0, OSZAPC, 0, H8(xadd_EG)},
    {0x1C1, -1, "xadd", {O::kEv, O::kGv}, a::kLock, 0, OSZAPC, 0, HV(xadd_EG)},
    {0x1C7, 1, "cmpxchg8b", {O::kMq}, a::kLock | a::kMemOnly, 0, ZF, 0, H(cmpxchg8b)},
    REG_ROWS(0x1C8, "bswap", O::kZd, O::kNone, 0, 0, 0, 0, H(bswap_Z)),
    {0x1D1, -1, "psrlw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1D2, -1, "psrld", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1D3, -1, "psrlq", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1D5, -1, "pmullw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1D8, -1, "psubusb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1D9, -1, "psubusw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1DB, -1, "pand", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1DC, -1, "paddusb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1DD, -1, "paddusw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1DF, -1, "pandn", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1E1, -1, "psraw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1E2, -1, "psrad", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1E5, -1, "pmulhw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1E8, -1, "psubsb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1E9, -1, "psubsw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1EB, -1, "por", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1EC, -1, "paddsb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1ED, -1, "paddsw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1EF, -1, "pxor", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1F1, -1, "psllw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1F2, -1, "pslld", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1F3, -1, "psllq", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1F5, -1, "pmaddwd", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1F8, -1, "psubb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1F9, -1, "psubw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1FA, -1, "psubd", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1FC, -1, "paddb", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1FD, -1, "paddw", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
    {0x1FE, -1, "paddd", {O::kPq, O::kQq}, a::kFpu, 0, 0, 0, H(mmx_insn)},
};

// clang-format on

const InsnInfo kInvalidRow = {0, -1, "(bad)", {}, a::kInvalid, 0, 0, 0, H(invalid_opcode)};
const InsnInfo kPrefixRow = {0, -1, "(prefix)",       {}, a::kInvalid | a::kPrefix, 0,
                             0, 0,  H(invalid_opcode)};

// Rows indexed by opcode and ModRM.reg, built once from kTable.
struct DecodeIndex {
    const InsnInfo* rows[512][8];
    bool modrm[512];

    DecodeIndex() {
        for (unsigned op = 0; op < 512; ++op) {
            for (auto& r : rows[op]) r = &kInvalidRow;
            modrm[op] = false;
        }
        for (uint8_t p : {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3})
            for (auto& r : rows[p]) r = &kPrefixRow;
        for (const InsnInfo& row : kTable) {
            if (row.group_reg < 0) {
                for (auto& r : rows[row.opcode]) r = &row;
            } else {
                rows[row.opcode][row.group_reg] = &row;
            }
            bool uses_modrm = row.group_reg >= 0;
            for (Opnd o : row.op) {
                switch (o) {
                    case O::kEb:
                    case O::kEw:
                    case O::kEd:
                    case O::kEv:
                    case O::kGb:
                    case O::kGw:
                    case O::kGd:
                    case O::kGv:
                    case O::kM:
                    case O::kMp:
                    case O::kMq:
                    case O::kMs:
                    case O::kMa:
                    case O::kMw:
                    case O::kRd:
                    case O::kCd:
                    case O::kDd:
                    case O::kSw:
                    case O::kX87:
                    case O::kMmx:
                    case O::kPq:
                    case O::kQq:
                    case O::kQd:
                    case O::kNq: uses_modrm = true; break;
                    default: break;
                }
            }
            if (uses_modrm) modrm[row.opcode] = true;
        }
        // Group opcodes whose every member was left undefined still take ModRM.
        for (uint16_t g : {0x8F, 0xC6, 0xC7, 0xFE, 0xFF, 0x100, 0x101, 0x1AE, 0x1BA, 0x1C7})
            modrm[g] = true;
    }
};

const DecodeIndex& decode_index() {
    static const DecodeIndex index;
    return index;
}

}  // namespace

std::span<const InsnInfo> instruction_table() {
    return kTable;
}

const InsnInfo& lookup_instruction(uint16_t opcode, uint8_t modrm_reg) {
    return *decode_index().rows[opcode & 0x1FF][modrm_reg & 7];
}

const InsnInfo& invalid_instruction() {
    return kInvalidRow;
}

bool opcode_has_modrm(uint16_t opcode) {
    return decode_index().modrm[opcode & 0x1FF];
}

}  // namespace sandpc
