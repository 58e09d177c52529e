// Timer events in virtual time.
//
// Virtual time is derived from executed guest instructions only: the CPU calls
// advance(n) after running n instructions, and
//   now_ns = base_ns + (instructions - base_instructions) * 1e9 / rate
// where rate is instructions per virtual second (default 100 M, i.e. 10 ns per
// instruction). Changing the rate rebases, so time never jumps.
//
// The CPU loop:
//   n = scheduler.instructions_until_next_event();   // UINT64_MAX: none
//   run at most n instructions, then advance(executed)
//   scheduler.run_due_events();
// An idle CPU (HLT) calls skip_to_next_event() instead of spinning. The CPU
// must advance() up to the current instruction before an I/O access so
// devices see the right time.
//
// Devices own Timer handles (created once at machine construction). Each
// timer is armed at an absolute virtual time or cancelled; a due timer is
// disarmed and its callback gets the deadline it was armed for, so periodic
// devices re-arm from the deadline without drift. Timers due at the same time
// fire in creation order, so the same sequence of calls gives the same events.
//
// Snapshots: the scheduler saves only its clock. Devices save whatever state
// determines their pending deadlines and re-arm their timers in load(), which
// must therefore run after the scheduler's load().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "snapshot/state_stream.h"

namespace sandpc {

class Timer;

class Scheduler {
  public:
    static constexpr uint64_t kDefaultInstructionsPerSecond = 100'000'000;
    static constexpr uint64_t kNever = UINT64_MAX;

    explicit Scheduler(uint64_t instructions_per_second = kDefaultInstructionsPerSecond);
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    uint64_t now_ns() const { return now_ns_; }
    uint64_t instructions() const { return instructions_; }
    uint64_t instructions_per_second() const { return rate_; }
    void set_instructions_per_second(uint64_t rate);

    void advance(uint64_t instructions);
    // Instructions to run before the earliest armed timer is due: 0 if one is
    // due now, kNever if none is armed.
    uint64_t instructions_until_next_event() const;
    uint64_t next_deadline_ns() const { return next_deadline_; }
    // Runs every timer whose deadline has passed, earliest first.
    void run_due_events();
    // Moves the clock to the earliest deadline (if later than now) and runs
    // what is due. Returns false when no timer is armed.
    bool skip_to_next_event();

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    friend class Timer;
    struct Slot {
        std::string name;
        std::function<void(uint64_t)> callback;
        uint64_t deadline = kNever;
        bool in_use = false;
    };
    uint32_t add(std::string name, std::function<void(uint64_t)> callback);
    void remove(uint32_t id);
    void arm(uint32_t id, uint64_t deadline_ns);
    void recompute_next();
    uint64_t instructions_at(uint64_t ns) const;  // first count whose time >= ns
    void update_now();

    uint64_t rate_;
    uint64_t base_ns_ = 0;
    uint64_t base_instructions_ = 0;
    uint64_t instructions_ = 0;
    uint64_t now_ns_ = 0;
    uint64_t next_deadline_ = kNever;
    std::vector<Slot> slots_;
};

// A device's timer: RAII registration with the scheduler (which must outlive it).
class Timer {
  public:
    Timer(Scheduler& scheduler, std::string name, std::function<void(uint64_t deadline_ns)> cb)
        : scheduler_(&scheduler), id_(scheduler.add(std::move(name), std::move(cb))) {}
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;
    ~Timer() { scheduler_->remove(id_); }

    void arm_at(uint64_t deadline_ns) { scheduler_->arm(id_, deadline_ns); }
    void arm_in(uint64_t delay_ns);
    void cancel() { scheduler_->arm(id_, Scheduler::kNever); }
    bool armed() const { return deadline() != Scheduler::kNever; }
    uint64_t deadline() const { return scheduler_->slots_[id_].deadline; }
    Scheduler& scheduler() const { return *scheduler_; }

  private:
    Scheduler* scheduler_;
    uint32_t id_;
};

}  // namespace sandpc
