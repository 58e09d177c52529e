#include "devices/isa_debug_exit.h"

namespace sandpc {

IsaDebugExit::IsaDebugExit(IoBus& bus, uint16_t port) {
    IoPortHandlers h;
    h.write8 = [this](uint16_t, uint8_t v) { request(v); };
    h.write16 = [this](uint16_t, uint16_t v) { request(v); };
    h.write32 = [this](uint16_t, uint32_t v) { request(v); };
    // A 4-byte window so wide writes reach the handler whole.
    port_ = bus.map(port, 4, std::move(h));
}

void IsaDebugExit::save(StateWriter& w) const {
    w.begin_section("isa_debug_exit", 1);
    w.boolean(status_.has_value());
    w.u32(status_.value_or(0));
    w.end_section();
}

void IsaDebugExit::load(StateReader& r) {
    r.begin_section("isa_debug_exit", 1);
    bool has = r.boolean();
    uint32_t v = r.u32();
    r.end_section();
    status_ = has ? std::optional<uint32_t>(v) : std::nullopt;
}

}  // namespace sandpc
