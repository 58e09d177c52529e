// Shared helpers for the device tests: an IRQ sink that records edges with
// their virtual time, and the CPU loop that runs the scheduler up to a time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "devices/interrupt_line.h"
#include "devices/scheduler.h"

namespace sandpc::test {

struct RecordingIrqSink : IrqSink {
    explicit RecordingIrqSink(const Scheduler& s) : scheduler(s) {}
    void set_irq_level(unsigned irq, bool level) override {
        if (irq < levels.size() && level && !levels[irq]) rising[irq].push_back(scheduler.now_ns());
        if (irq < levels.size()) levels[irq] = level;
    }
    const Scheduler& scheduler;
    std::array<bool, 16> levels{};
    std::array<std::vector<uint64_t>, 16> rising;
};

// What the CPU does: run exactly up to each event, then dispatch it.
inline void run_until(Scheduler& s, uint64_t ns) {
    while (s.now_ns() < ns) {
        uint64_t per_ns_num = s.instructions_per_second();
        uint64_t remaining = static_cast<uint64_t>(
            (static_cast<unsigned __int128>(ns - s.now_ns()) * per_ns_num + 999'999'999) /
            1'000'000'000);
        uint64_t step = s.instructions_until_next_event();
        if (step > remaining) step = remaining;
        s.advance(step);
        s.run_due_events();
    }
    s.run_due_events();
}

// Virtual nanoseconds at which PIT clock `clock` begins.
inline uint64_t pit_ns(uint64_t clock) {
    return (clock * 1'000'000'000ull + 1'193'181) / 1'193'182;
}

}  // namespace sandpc::test
