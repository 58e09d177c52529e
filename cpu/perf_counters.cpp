#include "cpu/perf_counters.h"

#include "cpu/fault.h"

namespace sandpc {

bool PerfCounters::read(uint32_t msr, uint64_t& out) const {
    if (msr - kCounter0 < 2) {
        out = counter[msr - kCounter0];
        return true;
    }
    if (msr - kEventSelect0 < 2) {
        out = event_select[msr - kEventSelect0];
        return true;
    }
    return false;
}

bool PerfCounters::write(uint32_t msr, uint64_t value) {
    if (msr - kCounter0 < 2) {
        // Only bits 0-31 are written; bits 32-39 copy bit 31, EDX is ignored.
        uint64_t low = value & 0xFFFFFFFFull;
        counter[msr - kCounter0] = (low & 0x80000000u ? low | 0xFF00000000ull : low);
        return true;
    }
    if (msr - kEventSelect0 < 2) {
        unsigned i = msr - kEventSelect0;
        uint64_t writable = i == 0 ? kEventSelect0Writable : kEventSelect1Writable;
        if (value & ~writable) raise_gp(0);
        event_select[i] = value;
        return true;
    }
    return false;
}

uint64_t PerfCounters::read_counter(uint32_t ecx) const {
    if (ecx > 1) raise_gp(0);
    return counter[ecx] & kCounterMask;
}

}  // namespace sandpc
