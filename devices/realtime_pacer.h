// Keeps virtual time from running ahead of wall-clock time in interactive
// mode: call pace() every few milliseconds of virtual time; it sleeps while
// the guest is ahead. When the guest falls far behind (slow host, debugger
// stop) it forgets the lag instead of racing to catch up. Not used in
// deterministic runs; precision is whatever the host's sleep gives.
#pragma once

#include <chrono>
#include <cstdint>

#include "devices/scheduler.h"

namespace sandpc {

class RealTimePacer {
  public:
    using Clock = std::chrono::steady_clock;

    explicit RealTimePacer(const Scheduler& scheduler,
                           std::chrono::nanoseconds max_lag = std::chrono::milliseconds(200));

    // Rebases: the current virtual time corresponds to now.
    void reset();
    // Sleeps until wall time catches up with virtual time (at most max_lag).
    // Returns how long it slept.
    std::chrono::nanoseconds pace();

    // How far virtual time is ahead of wall time (negative: behind).
    std::chrono::nanoseconds ahead() const;

  private:
    const Scheduler& scheduler_;
    std::chrono::nanoseconds max_lag_;
    Clock::time_point wall_base_;
    uint64_t virtual_base_ns_ = 0;
};

}  // namespace sandpc
