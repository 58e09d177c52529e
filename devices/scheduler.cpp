#include "devices/scheduler.h"

#include <stdexcept>

namespace sandpc {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
// Bounds one run_due_events() call so a device re-arming in the past cannot
// hang the machine; leftovers run on the next call.
constexpr int kMaxEventsPerRun = 100000;
}  // namespace

Scheduler::Scheduler(uint64_t instructions_per_second) : rate_(instructions_per_second) {
    if (rate_ == 0) throw std::invalid_argument("scheduler: rate must be positive");
}

void Scheduler::set_instructions_per_second(uint64_t rate) {
    if (rate == 0) throw std::invalid_argument("scheduler: rate must be positive");
    base_ns_ = now_ns_;
    base_instructions_ = instructions_;
    rate_ = rate;
}

void Scheduler::update_now() {
    unsigned __int128 delta = instructions_ - base_instructions_;
    now_ns_ = base_ns_ + static_cast<uint64_t>(delta * kNsPerSecond / rate_);
}

void Scheduler::advance(uint64_t n) {
    instructions_ += n;
    update_now();
}

uint64_t Scheduler::instructions_at(uint64_t ns) const {
    if (ns <= base_ns_) return base_instructions_;
    unsigned __int128 delta = ns - base_ns_;
    unsigned __int128 count = (delta * rate_ + kNsPerSecond - 1) / kNsPerSecond;
    unsigned __int128 total = count + base_instructions_;
    return total > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(total);
}

uint64_t Scheduler::instructions_until_next_event() const {
    if (next_deadline_ == kNever) return kNever;
    if (next_deadline_ <= now_ns_) return 0;
    uint64_t at = instructions_at(next_deadline_);
    return at > instructions_ ? at - instructions_ : 0;
}

void Scheduler::run_due_events() {
    for (int n = 0; n < kMaxEventsPerRun && next_deadline_ <= now_ns_; ++n) {
        // Earliest deadline; ties go to the lowest slot (creation order).
        uint32_t best = 0;
        for (uint32_t i = 1; i < slots_.size(); ++i) {
            if (slots_[i].deadline < slots_[best].deadline) best = i;
        }
        Slot& s = slots_[best];
        uint64_t deadline = s.deadline;
        s.deadline = kNever;
        recompute_next();
        s.callback(deadline);
    }
}

bool Scheduler::skip_to_next_event() {
    if (next_deadline_ == kNever) return false;
    if (next_deadline_ > now_ns_) advance(instructions_until_next_event());
    run_due_events();
    return true;
}

uint32_t Scheduler::add(std::string name, std::function<void(uint64_t)> callback) {
    uint32_t id = 0;
    while (id < slots_.size() && slots_[id].in_use) ++id;
    if (id == slots_.size()) slots_.emplace_back();
    slots_[id] = Slot{std::move(name), std::move(callback), kNever, true};
    return id;
}

void Scheduler::remove(uint32_t id) {
    slots_[id] = Slot{};
    recompute_next();
}

void Scheduler::arm(uint32_t id, uint64_t deadline_ns) {
    slots_[id].deadline = deadline_ns;
    if (deadline_ns < next_deadline_) {
        next_deadline_ = deadline_ns;
    } else {
        recompute_next();
    }
}

void Scheduler::recompute_next() {
    next_deadline_ = kNever;
    for (const Slot& s : slots_) {
        if (s.deadline < next_deadline_) next_deadline_ = s.deadline;
    }
}

void Scheduler::save(StateWriter& w) const {
    w.begin_section("scheduler", 1);
    w.u64(rate_);
    w.u64(base_ns_);
    w.u64(base_instructions_);
    w.u64(instructions_);
    w.end_section();
}

void Scheduler::load(StateReader& r) {
    r.begin_section("scheduler", 1);
    uint64_t rate = r.u64();
    uint64_t base_ns = r.u64();
    uint64_t base_instructions = r.u64();
    uint64_t instructions = r.u64();
    r.end_section();
    if (rate == 0 || instructions < base_instructions) {
        throw StateError("state: scheduler clock is inconsistent");
    }
    rate_ = rate;
    base_ns_ = base_ns;
    base_instructions_ = base_instructions;
    instructions_ = instructions;
    update_now();
    // Devices re-arm their timers after this.
    for (Slot& s : slots_) s.deadline = kNever;
    next_deadline_ = kNever;
}

void Timer::arm_in(uint64_t delay_ns) {
    uint64_t now = scheduler_->now_ns();
    arm_at(delay_ns > Scheduler::kNever - now ? Scheduler::kNever : now + delay_ns);
}

}  // namespace sandpc
