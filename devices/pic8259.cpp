#include "devices/pic8259.h"

namespace sandpc {

Pic8259::Pic8259(std::string section_name) : section_(std::move(section_name)) {}

void Pic8259::reset() {
    *this = Pic8259(section_);
}

int Pic8259::highest_in(uint8_t bits) const {
    for (unsigned i = 1; i <= 8; ++i) {
        unsigned line = (lowest_ + i) & 7;
        if (bits & (1u << line)) return static_cast<int>(line);
    }
    return -1;
}

int Pic8259::best_request() const {
    int req = highest_in(irr_ & ~imr_);
    if (req < 0) return -1;
    uint8_t blocking = special_mask_ ? (isr_ & ~imr_) : isr_;
    // A slave in service on a special-fully-nested master does not block
    // further requests from the same slave.
    if (special_fully_nested() && !single_mode()) blocking &= ~(icw3_ & (1u << req));
    int served = highest_in(blocking);
    if (served >= 0 &&
        priority(static_cast<unsigned>(served)) <= priority(static_cast<unsigned>(req))) {
        return -1;
    }
    return req;
}

Pic8259::Ack Pic8259::take(unsigned line) {
    uint8_t bit = static_cast<uint8_t>(1u << line);
    if (!(level_lines() & bit)) irr_ &= ~bit;
    if (icw4_ & 0x02) {
        if (rotate_on_aeoi_) lowest_ = static_cast<uint8_t>(line);
    } else {
        isr_ |= bit;
    }
    return {line, false};
}

Pic8259::Ack Pic8259::acknowledge() {
    int line = best_request();
    if (line < 0) return {7, true};
    return take(static_cast<unsigned>(line));
}

void Pic8259::set_input(unsigned line, bool level) {
    if (line > 7) return;
    uint8_t bit = static_cast<uint8_t>(1u << line);
    bool was = inputs_ & bit;
    inputs_ = level ? (inputs_ | bit) : (inputs_ & ~bit);
    if (level_lines() & bit) {
        irr_ = level ? (irr_ | bit) : (irr_ & ~bit);
    } else if (level && !was) {
        irr_ |= bit;
    }
}

void Pic8259::set_elcr(uint8_t value) {
    elcr_ = value;
    uint8_t lv = level_lines();
    irr_ = (irr_ & ~lv) | (inputs_ & lv);
}

uint8_t Pic8259::read(unsigned a0) {
    if (poll_) {
        // A poll read is an acknowledge through the data bus.
        poll_ = false;
        int line = best_request();
        if (line < 0) return 0;
        take(static_cast<unsigned>(line));
        return static_cast<uint8_t>(0x80 | line);
    }
    if (a0 & 1) return imr_;
    return read_isr_ ? isr_ : irr_;
}

void Pic8259::write(unsigned a0, uint8_t value) {
    if (a0 & 1) {
        write_data(value);
    } else {
        write_command(value);
    }
}

void Pic8259::write_command(uint8_t value) {
    if (value & 0x10) {  // ICW1
        icw1_ = value;
        init_step_ = 2;
        imr_ = 0;
        isr_ = 0;
        // The edge sense latches reset: an edge input needs a fresh rising edge.
        irr_ = inputs_ & level_lines();
        lowest_ = 7;
        special_mask_ = false;
        read_isr_ = false;
        poll_ = false;
        rotate_on_aeoi_ = false;
        if (!(value & 0x01)) icw4_ = 0;
        return;
    }
    if (value & 0x08) {  // OCW3
        if (value & 0x40) special_mask_ = value & 0x20;
        if (value & 0x04) poll_ = true;
        if (value & 0x02) read_isr_ = value & 0x01;
        return;
    }
    eoi(value);  // OCW2
}

void Pic8259::eoi(uint8_t ocw2) {
    unsigned level = ocw2 & 7;
    switch (ocw2 >> 5) {
        case 0: rotate_on_aeoi_ = false; break;
        case 4: rotate_on_aeoi_ = true; break;
        case 1:    // non-specific EOI
        case 5: {  // rotate on non-specific EOI
            int line = highest_in(isr_);
            if (line < 0) break;
            isr_ &= ~(1u << line);
            if (ocw2 >> 5 == 5) lowest_ = static_cast<uint8_t>(line);
            break;
        }
        case 3: isr_ &= ~(1u << level); break;
        case 7:
            isr_ &= ~(1u << level);
            lowest_ = static_cast<uint8_t>(level);
            break;
        case 6: lowest_ = static_cast<uint8_t>(level); break;
        default: break;  // 2: no operation
    }
}

void Pic8259::write_data(uint8_t value) {
    switch (init_step_) {
        case 2:
            icw2_ = value;
            init_step_ = single_mode() ? ((icw1_ & 1) ? 4 : 0) : 3;
            break;
        case 3:
            icw3_ = value;
            init_step_ = (icw1_ & 1) ? 4 : 0;
            break;
        case 4:
            icw4_ = value;
            init_step_ = 0;
            break;
        default: imr_ = value; break;
    }
}

void Pic8259::save(StateWriter& w) const {
    w.begin_section(section_, 1);
    for (uint8_t v :
         {irr_, isr_, imr_, inputs_, elcr_, icw1_, icw2_, icw3_, icw4_, init_step_, lowest_}) {
        w.u8(v);
    }
    w.boolean(rotate_on_aeoi_);
    w.boolean(special_mask_);
    w.boolean(read_isr_);
    w.boolean(poll_);
    w.end_section();
}

void Pic8259::load(StateReader& r) {
    r.begin_section(section_, 1);
    Pic8259 s(section_);
    for (uint8_t* v : {&s.irr_, &s.isr_, &s.imr_, &s.inputs_, &s.elcr_, &s.icw1_, &s.icw2_,
                       &s.icw3_, &s.icw4_, &s.init_step_, &s.lowest_}) {
        *v = r.u8();
    }
    s.rotate_on_aeoi_ = r.boolean();
    s.special_mask_ = r.boolean();
    s.read_isr_ = r.boolean();
    s.poll_ = r.boolean();
    r.end_section();
    if (s.init_step_ == 1 || s.init_step_ > 4 || s.lowest_ > 7) {
        throw StateError("state: " + section_ + " has an impossible register state");
    }
    *this = s;
}

}  // namespace sandpc
