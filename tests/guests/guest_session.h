// Drives a Machine the way a user at the console would: run until the screen
// shows some text, typing queued keys whenever the guest waits for one.
#pragma once
#include <string>

#include "devices/storage/image_open.h"
#include "frontends/machine/key_feeder.h"
#include "frontends/machine/machine.h"
#include "tests/support/test_cpu_engine.h"

namespace sandpc {

// The CPU engine guest tests run on: the interpreter, or with SANDPC_CPU=jit
// (CTest runs the suite a second time so) the JIT with every block compiled
// the first time it runs.
inline MachineConfig with_test_cpu_engine(MachineConfig c) {
    c.cpu_engine = test_wants_jit() ? CpuEngine::kJit : CpuEngine::kInterpreter;
    c.jit_threshold = 1;
    return c;
}

#ifdef SANDPC_FREEDOS_IMAGE
// FreeDOS from its floppy (writes to a temporary overlay), clock as
// --deterministic sets it.
inline MachineConfig freedos_config() {
    MachineConfig c;
    c.floppy[0] = open_image_snapshot(SANDPC_FREEDOS_IMAGE);
    c.rtc_epoch_unix = 1767225600;  // 2026-01-01
    return with_test_cpu_engine(std::move(c));
}
#endif

class GuestSession {
  public:
    explicit GuestSession(MachineConfig config)
        : machine_(with_test_cpu_engine(std::move(config))) {}
    Machine& machine() { return machine_; }
    void type(std::string text) { keys_.add(std::move(text)); }
    size_t typed() const { return keys_.typed(); }
    // Runs until the text screen contains `text` or `budget` more
    // instructions have run; returns whether the text appeared.
    bool run_until_text(const std::string& text, uint64_t budget) {
        uint64_t end = machine_.instructions() + budget;
        while (machine_.instructions() < end) {
            last_event_ = machine_.run(std::min<uint64_t>(500'000, end - machine_.instructions()));
            keys_.feed(machine_);
            if (machine_.text_screen().find(text) != std::string::npos) return true;
            if (last_event_ != MachineEvent::kNone && last_event_ != MachineEvent::kReset)
                return false;
        }
        return false;
    }
    MachineEvent last_event() const { return last_event_; }
    // Runs to exactly `n` instructions (fewer if the machine stops).
    void run_to(uint64_t n) {
        while (machine_.instructions() < n) {
            last_event_ = machine_.run(std::min<uint64_t>(500'000, n - machine_.instructions()));
            keys_.feed(machine_);
            if (last_event_ != MachineEvent::kNone && last_event_ != MachineEvent::kReset) return;
        }
    }
    // Runs until everything typed so far has reached the guest.
    bool run_until_typed(size_t chars, uint64_t budget) {
        uint64_t end = machine_.instructions() + budget;
        while (keys_.typed() < chars && machine_.instructions() < end)
            run_to(std::min<uint64_t>(end, machine_.instructions() + 500'000));
        return keys_.typed() >= chars;
    }

  private:
    Machine machine_;
    KeyFeeder keys_;
    MachineEvent last_event_ = MachineEvent::kNone;
};

}  // namespace sandpc
