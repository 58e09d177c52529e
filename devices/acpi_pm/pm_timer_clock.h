// Conversions between virtual time and ticks of the ACPI power-management
// timer, which counts at 3.579545 MHz. Both split the value so no product
// exceeds 64 bits, whatever the virtual time.
#pragma once

#include <cstdint>

namespace sandpc::pm_timer_clock {

constexpr uint64_t kHz = 3'579'545;
constexpr uint64_t kNsPerSecond = 1'000'000'000;

// Ticks elapsed since virtual time 0 (rounded down).
constexpr uint64_t ticks_at(uint64_t ns) {
    return ns / kNsPerSecond * kHz + ns % kNsPerSecond * kHz / kNsPerSecond;
}

// The first virtual time at which ticks_at() reaches `ticks`.
constexpr uint64_t ns_at(uint64_t ticks) {
    uint64_t rest = ticks % kHz * kNsPerSecond;
    return ticks / kHz * kNsPerSecond + (rest + kHz - 1) / kHz;
}

}  // namespace sandpc::pm_timer_clock
