#include "devices/realtime_pacer.h"

#include <thread>

namespace sandpc {

RealTimePacer::RealTimePacer(const Scheduler& scheduler, std::chrono::nanoseconds max_lag)
    : scheduler_(scheduler), max_lag_(max_lag) {
    reset();
}

void RealTimePacer::reset() {
    wall_base_ = Clock::now();
    virtual_base_ns_ = scheduler_.now_ns();
}

std::chrono::nanoseconds RealTimePacer::ahead() const {
    auto virtual_elapsed =
        std::chrono::nanoseconds(static_cast<int64_t>(scheduler_.now_ns() - virtual_base_ns_));
    return virtual_elapsed - (Clock::now() - wall_base_);
}

std::chrono::nanoseconds RealTimePacer::pace() {
    auto lead = ahead();
    if (lead < -max_lag_ || lead > max_lag_) {
        reset();  // too far behind to catch up, or the clock jumped
        return std::chrono::nanoseconds(0);
    }
    if (lead <= std::chrono::nanoseconds(0)) return std::chrono::nanoseconds(0);
    auto start = Clock::now();
    std::this_thread::sleep_for(lead);
    return Clock::now() - start;
}

}  // namespace sandpc
