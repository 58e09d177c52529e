// System control port B (0x61) of the PC/AT: PIT counter 2 gate (bit 0),
// speaker data enable (bit 1), parity/channel check enables (bits 2-3, kept
// but without effect), the refresh request toggle (bit 4, flips every
// 15.085 us of virtual time, which BIOS delay loops count) and counter 2's
// OUT (bit 5). Bits 6-7 (parity/channel check status) read 0.
#pragma once

#include <cstdint>

#include "devices/io_bus.h"
#include "devices/pit8254.h"
#include "devices/scheduler.h"

namespace sandpc {

class SystemControlPortB {
  public:
    static constexpr uint64_t kRefreshToggleNs = 15085;

    SystemControlPortB(IoBus& bus, const Scheduler& scheduler, Pit8254& pit);

    uint8_t read() const;
    void write(uint8_t value);
    bool speaker_enabled() const { return (value_ & 0x03) == 0x03; }

    // The gate lives in the PIT's state; only the latch bits are saved here.
    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    const Scheduler& scheduler_;
    Pit8254& pit_;
    uint8_t value_ = 0;  // bits 0-3 as written
    IoBus::Mapping port_;
};

}  // namespace sandpc
