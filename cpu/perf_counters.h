// The P6 performance-monitoring MSRs: PerfEvtSel0/1 (186h/187h) and the
// 40-bit PerfCtr0/1 (C1h/C2h), the latter also read by RDPMC.
//
// Registers only: no event is counted. The counters hold what software wrote
// (the low 32 bits, sign-extended into bits 32-39 as WRMSR does on a P6) and
// do not advance, and EN/INT never produce an overflow interrupt (there is
// no local APIC to deliver one).
#pragma once

#include <cstdint>

namespace sandpc {

struct PerfCounters {
    static constexpr uint32_t kCounter0 = 0xC1, kEventSelect0 = 0x186;
    static constexpr uint64_t kCounterMask = (1ull << 40) - 1;
    // Bit 21 and bits 32-63 are reserved in both selects; EN (bit 22) exists
    // only in PerfEvtSel0.
    static constexpr uint64_t kEventSelect0Writable = 0xFFDFFFFFull;
    static constexpr uint64_t kEventSelect1Writable = 0xFF9FFFFFull;

    uint64_t event_select[2] = {};
    uint64_t counter[2] = {};

    // False when `msr` is not one of the four; a reserved bit set in a
    // select write raises #GP(0).
    bool read(uint32_t msr, uint64_t& out) const;
    bool write(uint32_t msr, uint64_t value);
    // RDPMC: counter ECX (0 or 1; #GP(0) otherwise), all 40 bits.
    uint64_t read_counter(uint32_t ecx) const;
};

}  // namespace sandpc
