// System control port A (0x92, "fast A20 and reset"): bit 1 gates A20, a
// 0->1 write of bit 0 requests a CPU reset. The device only reports: the A20
// callback tells the memory system, and the machine loop takes the reset
// request. On load() the A20 callback is replayed with the restored bit.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/io_bus.h"
#include "snapshot/state_stream.h"

namespace sandpc {

class SystemControlPortA {
  public:
    SystemControlPortA(IoBus& bus, std::function<void(bool enabled)> a20_changed);

    uint8_t read() const { return value_; }
    void write(uint8_t value);
    bool a20_enabled() const { return value_ & 0x02; }
    bool reset_requested() const { return reset_requested_; }
    // Returns and clears the reset request.
    bool take_reset_request();

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    std::function<void(bool)> a20_changed_;
    uint8_t value_ = 0;
    bool reset_requested_ = false;
    IoBus::Mapping port_;
};

}  // namespace sandpc
