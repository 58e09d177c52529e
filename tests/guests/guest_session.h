// Drives a Machine the way a user at the console would: run until the screen
// shows some text, typing queued keys whenever the guest waits for one.
#pragma once
#include <string>

#include "frontends/machine/key_feeder.h"
#include "frontends/machine/machine.h"

namespace sandpc {

class GuestSession {
  public:
    explicit GuestSession(MachineConfig config) : machine_(std::move(config)) {}
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

  private:
    Machine machine_;
    KeyFeeder keys_;
    MachineEvent last_event_ = MachineEvent::kNone;
};

}  // namespace sandpc
