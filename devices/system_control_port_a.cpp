#include "devices/system_control_port_a.h"

namespace sandpc {

SystemControlPortA::SystemControlPortA(IoBus& bus, std::function<void(bool)> a20_changed)
    : a20_changed_(std::move(a20_changed)) {
    IoPortHandlers h;
    h.read8 = [this](uint16_t) { return read(); };
    h.write8 = [this](uint16_t, uint8_t v) { write(v); };
    port_ = bus.map(0x92, 1, std::move(h));
}

void SystemControlPortA::write(uint8_t value) {
    uint8_t old = value_;
    value_ = value;
    if (((old ^ value) & 0x02) && a20_changed_) a20_changed_(value & 0x02);
    if ((value & 0x01) && !(old & 0x01)) reset_requested_ = true;
}

bool SystemControlPortA::take_reset_request() {
    bool r = reset_requested_;
    reset_requested_ = false;
    return r;
}

void SystemControlPortA::save(StateWriter& w) const {
    w.begin_section("system_control_port_a", 1);
    w.u8(value_);
    w.boolean(reset_requested_);
    w.end_section();
}

void SystemControlPortA::load(StateReader& r) {
    r.begin_section("system_control_port_a", 1);
    uint8_t v = r.u8();
    bool reset = r.boolean();
    r.end_section();
    value_ = v;
    reset_requested_ = reset;
    if (a20_changed_) a20_changed_(v & 0x02);
}

}  // namespace sandpc
