// Bochs/QEMU debug console on port 0xE9: every byte written goes to the
// sink; reading the port returns 0xE9 so guests can detect it.
#pragma once

#include <cstdint>

#include "devices/io_bus.h"
#include "devices/serial_backend.h"
#include "snapshot/state_stream.h"

namespace sandpc {

class DebugConsole {
  public:
    static constexpr uint16_t kPort = 0xE9;

    DebugConsole(IoBus& bus, SerialBackend& sink, uint16_t port = kPort);

    // Stateless; the section keeps snapshot layouts uniform.
    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    SerialBackend& sink_;
    IoBus::Mapping port_;
};

}  // namespace sandpc
