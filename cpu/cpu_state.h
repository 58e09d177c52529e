// Architectural state of one i686 CPU, plus the caches derived from it that
// the interpreter needs on its hot path (segment access ranges, lazy flags).
#pragma once

#include <cstdint>

#include "cpu/machine_check.h"
#include "cpu/perf_counters.h"

namespace sandpc {

enum Reg : uint8_t { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };
enum SegReg : uint8_t { ES, CS, SS, DS, FS, GS, kSegNone = 7 };

namespace eflags {
constexpr uint32_t CF = 1u << 0;
constexpr uint32_t PF = 1u << 2;
constexpr uint32_t AF = 1u << 4;
constexpr uint32_t ZF = 1u << 6;
constexpr uint32_t SF = 1u << 7;
constexpr uint32_t TF = 1u << 8;
constexpr uint32_t IF = 1u << 9;
constexpr uint32_t DF = 1u << 10;
constexpr uint32_t OF = 1u << 11;
constexpr uint32_t IOPL = 3u << 12;
constexpr uint32_t NT = 1u << 14;
constexpr uint32_t RF = 1u << 16;
constexpr uint32_t VM = 1u << 17;
constexpr uint32_t AC = 1u << 18;
constexpr uint32_t VIF = 1u << 19;
constexpr uint32_t VIP = 1u << 20;
constexpr uint32_t ID = 1u << 21;
constexpr uint32_t kArith = CF | PF | AF | ZF | SF | OF;
constexpr uint32_t kFixed1 = 1u << 1;
// Bits that exist on an i686 (VIF/VIP only matter with VME/PVI, which we do
// not report; they are still writable as on the real chip).
constexpr uint32_t kValid = kArith | TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;
}  // namespace eflags

namespace cr0 {
constexpr uint32_t PE = 1u << 0;
constexpr uint32_t MP = 1u << 1;
constexpr uint32_t EM = 1u << 2;
constexpr uint32_t TS = 1u << 3;
constexpr uint32_t ET = 1u << 4;
constexpr uint32_t NE = 1u << 5;
constexpr uint32_t WP = 1u << 16;
constexpr uint32_t AM = 1u << 18;
constexpr uint32_t NW = 1u << 29;
constexpr uint32_t CD = 1u << 30;
constexpr uint32_t PG = 1u << 31;
}  // namespace cr0

namespace cr4 {
constexpr uint32_t VME = 1u << 0;
constexpr uint32_t PVI = 1u << 1;
constexpr uint32_t TSD = 1u << 2;
constexpr uint32_t DE = 1u << 3;
constexpr uint32_t PSE = 1u << 4;
constexpr uint32_t PAE = 1u << 5;
constexpr uint32_t MCE = 1u << 6;
constexpr uint32_t PGE = 1u << 7;
constexpr uint32_t PCE = 1u << 8;
constexpr uint32_t OSFXSR = 1u << 9;
constexpr uint32_t OSXMMEXCPT = 1u << 10;
}  // namespace cr4

// Descriptor access-rights byte and flags as held in a segment cache.
namespace seg_attr {
constexpr uint16_t kAccessed = 1u << 0;
constexpr uint16_t kWritable = 1u << 1;    // data: writable; code: readable
constexpr uint16_t kExpandDown = 1u << 2;  // data; code: conforming
constexpr uint16_t kCode = 1u << 3;
constexpr uint16_t kNonSystem = 1u << 4;  // S bit
constexpr uint16_t kDplShift = 5;
constexpr uint16_t kPresent = 1u << 7;
constexpr uint16_t kAvl = 1u << 12;
constexpr uint16_t kDefaultBig = 1u << 14;  // D/B
constexpr uint16_t kGranularity = 1u << 15;
}  // namespace seg_attr

struct SegmentCache {
    uint16_t selector = 0;
    uint16_t attr = 0;  // access byte in bits 0-7, flags nibble in 12-15
    uint32_t base = 0;
    uint32_t limit = 0;  // byte granular (already scaled by G)
    // Derived for the hot path: valid offsets are [valid_lo, valid_hi].
    uint32_t valid_lo = 0;
    uint32_t valid_hi = 0;
    bool readable = true;
    bool writable = true;
    bool usable = true;  // false for a null selector in protected mode

    unsigned dpl() const { return (attr >> seg_attr::kDplShift) & 3; }
    bool big() const { return (attr & seg_attr::kDefaultBig) != 0; }
};

struct TableRegister {
    uint32_t base = 0;
    uint32_t limit = 0;
};

// Lazily evaluated arithmetic flags: the last flag-setting operation's
// inputs and result; each flag is computed only when read.
enum class FlagOp : uint8_t {
    kNone,  // OSZAPC live in eflags
    kAdd,
    kAdc,
    kSub,
    kSbb,
    kLogic,
    kInc,
    kDec,
};

struct LazyFlags {
    FlagOp op = FlagOp::kNone;
    uint8_t size = 4;  // operand size in bytes
    uint32_t res = 0;
    uint32_t a = 0;  // first operand
    uint32_t b = 0;  // second operand (carry-in folded in for ADC/SBB)
    bool carry_in = false;
};

enum class CpuMode : uint8_t { kReal, kProtected, kVirtual8086 };

struct CpuState {
    uint32_t gpr[9] = {};  // gpr[8] is always zero (see kNoReg)
    uint32_t eip = 0;
    uint32_t eflags = eflags::kFixed1;  // OSZAPC valid only when lazy.op == kNone
    LazyFlags lazy;
    SegmentCache seg[6];
    TableRegister gdtr, idtr;
    SegmentCache ldtr, tr;
    uint32_t cr0 = cr0::ET | cr0::CD | cr0::NW;
    uint32_t cr2 = 0, cr3 = 0, cr4 = 0;
    uint32_t dr[8] = {0, 0, 0, 0, 0xFFFF0FF0, 0x400, 0xFFFF0FF0, 0x400};
    uint8_t cpl = 0;
    bool halted = false;
    // An STI/MOV SS/POP SS shadow: interrupts are not taken before the next
    // instruction completes.
    bool interrupt_shadow = false;
    bool nmi_blocked = false;
    uint64_t tsc_offset = 0;  // TSC = instruction count + tsc_offset
    uint32_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
    uint64_t apic_base = 0xFEE00900;  // BSP, enabled, default base
    uint64_t mtrr_def_type = 0;
    uint64_t mtrr_fixed[11] = {};
    uint64_t mtrr_var[16] = {};
    uint64_t pat = 0x0007040600070406ull;
    uint64_t misc_enable = 0;
    PerfCounters perf;
    MachineCheck machine_check;
    // MXCSR as FXSAVE/FXRSTOR see it (there is no SSE unit behind it).
    uint32_t mxcsr = 0x1F80;
};

}  // namespace sandpc
