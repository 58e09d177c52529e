// QEMU's isa-debug-exit: writing v to the port asks the machine to exit with
// status (v << 1) | 1. The device only records the request; the machine loop
// polls exit_requested() and stops. 16- and 32-bit writes pass the whole
// value, as QEMU does. Reads return all ones.
#pragma once

#include <cstdint>
#include <optional>

#include "devices/io_bus.h"
#include "snapshot/state_stream.h"

namespace sandpc {

class IsaDebugExit {
  public:
    static constexpr uint16_t kDefaultPort = 0xF4;

    explicit IsaDebugExit(IoBus& bus, uint16_t port = kDefaultPort);

    bool exit_requested() const { return status_.has_value(); }
    std::optional<uint32_t> exit_status() const { return status_; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    void request(uint32_t value) { status_ = (value << 1) | 1; }

    std::optional<uint32_t> status_;
    IoBus::Mapping port_;
};

}  // namespace sandpc
