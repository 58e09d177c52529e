#include "devices/debug_console.h"

namespace sandpc {

DebugConsole::DebugConsole(IoBus& bus, SerialBackend& sink, uint16_t port) : sink_(sink) {
    IoPortHandlers h;
    h.read8 = [](uint16_t) { return uint8_t{0xE9}; };
    h.write8 = [this](uint16_t, uint8_t v) { sink_.write_byte(v); };
    port_ = bus.map(port, 1, std::move(h));
}

void DebugConsole::save(StateWriter& w) const {
    w.begin_section("debug_console", 1);
    w.end_section();
}

void DebugConsole::load(StateReader& r) {
    r.begin_section("debug_console", 1);
    r.end_section();
}

}  // namespace sandpc
