#include "devices/vga/vga_dac.h"

namespace sandpc {

void VgaDac::write_index_port(uint8_t index) {
    write_index_ = index;
    component_ = 0;
    reading_ = false;
}

void VgaDac::read_index_port(uint8_t index) {
    read_index_ = index;
    component_ = 0;
    reading_ = true;
}

void VgaDac::write_data(uint8_t value, bool eight_bit) {
    pending_[component_] = eight_bit ? value : (value & 0x3F);
    if (++component_ < 3) return;
    palette_[write_index_] = pending_;
    ++write_index_;
    component_ = 0;
}

uint8_t VgaDac::read_data() {
    uint8_t v = palette_[read_index_][component_];
    if (++component_ == 3) {
        component_ = 0;
        ++read_index_;
    }
    return v;
}

void VgaDac::set_entry(unsigned index, Rgb value) {
    palette_[index & 0xFF] = {value.r, value.g, value.b};
}

Rgb VgaDac::color(uint8_t index, bool eight_bit) const {
    const auto& e = palette_[index & pel_mask];
    if (eight_bit) return {e[0], e[1], e[2]};
    auto widen = [](uint8_t v) { return static_cast<uint8_t>((v & 0x3F) << 2 | (v & 0x3F) >> 4); };
    return {widen(e[0]), widen(e[1]), widen(e[2])};
}

void VgaDac::save(StateWriter& w) const {
    for (const auto& e : palette_) w.bytes(e);
    w.u8(write_index_);
    w.u8(read_index_);
    w.u8(component_);
    w.bytes(pending_);
    w.boolean(reading_);
    w.u8(pel_mask);
}

void VgaDac::load(StateReader& r) {
    VgaDac d;
    for (auto& e : d.palette_) r.bytes(e);
    d.write_index_ = r.u8();
    d.read_index_ = r.u8();
    d.component_ = r.u8();
    if (d.component_ > 2) throw StateError("vga: DAC component index out of range");
    r.bytes(d.pending_);
    d.reading_ = r.boolean();
    d.pel_mask = r.u8();
    *this = d;
}

}  // namespace sandpc
