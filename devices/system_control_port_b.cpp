#include "devices/system_control_port_b.h"

namespace sandpc {

SystemControlPortB::SystemControlPortB(IoBus& bus, const Scheduler& scheduler, Pit8254& pit)
    : scheduler_(scheduler), pit_(pit) {
    IoPortHandlers h;
    h.read8 = [this](uint16_t) { return read(); };
    h.write8 = [this](uint16_t, uint8_t v) { write(v); };
    port_ = bus.map(0x61, 1, std::move(h));
}

uint8_t SystemControlPortB::read() const {
    uint8_t v = value_ & 0x0F;
    if ((scheduler_.now_ns() / kRefreshToggleNs) & 1) v |= 0x10;
    if (pit_.output(2)) v |= 0x20;
    return v;
}

void SystemControlPortB::write(uint8_t value) {
    value_ = value & 0x0F;
    pit_.set_gate(2, value & 1);
}

void SystemControlPortB::save(StateWriter& w) const {
    w.begin_section("system_control_port_b", 1);
    w.u8(value_);
    w.end_section();
}

void SystemControlPortB::load(StateReader& r) {
    r.begin_section("system_control_port_b", 1);
    uint8_t v = r.u8();
    r.end_section();
    if (v > 0x0F) throw StateError("state: system_control_port_b has reserved bits set");
    value_ = v;
}

}  // namespace sandpc
