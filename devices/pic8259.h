// One Intel 8259A programmable interrupt controller, as a chip: eight request
// inputs, the A0 register pair, the INT output and the INTA cycle. It knows
// nothing of ports or of its partner; PicPair wires two of them into a PC.
//
// Implemented: ICW1-ICW4 initialization, edge and level triggering (LTIM or
// the per-line ELCR bits), IRR/ISR/IMR, fully nested priority with rotation
// (rotate on non-specific/specific EOI, set priority, rotate in auto-EOI),
// auto-EOI, special mask mode, special fully nested mode, poll command, IRR/ISR
// reads through OCW3 and spurious IRQ7 when INTA finds no request.
//
// An edge-triggered request stays latched in IRR after its input falls (the
// datasheet asks the input to stay high until INTA; devices that pulse a line
// rely on the latch). Buffered mode and 8080 mode are accepted but ignored.
#pragma once

#include <cstdint>
#include <string>

#include "snapshot/state_stream.h"

namespace sandpc {

class Pic8259 {
  public:
    struct Ack {
        unsigned line;  // 7 for a spurious acknowledge
        bool spurious;
    };

    explicit Pic8259(std::string section_name);

    // Power-on state: not initialized, everything masked off = 0, vector 0.
    void reset();

    // Register access: a0 = 0 is the command port (0x20/0xA0), 1 the data port.
    uint8_t read(unsigned a0);
    void write(unsigned a0, uint8_t value);

    void set_input(unsigned line, bool level);
    bool int_output() const { return best_request() >= 0; }
    // The INTA cycle: picks the highest-priority request and puts it in service.
    Ack acknowledge();
    uint8_t vector(unsigned line) const { return static_cast<uint8_t>((icw2_ & 0xF8) | line); }

    uint8_t elcr() const { return elcr_; }
    void set_elcr(uint8_t value);

    bool single_mode() const { return icw1_ & 0x02; }
    bool special_fully_nested() const { return icw4_ & 0x10; }
    uint8_t irr() const { return irr_; }
    uint8_t isr() const { return isr_; }
    uint8_t imr() const { return imr_; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    uint8_t level_lines() const { return (icw1_ & 0x08) ? 0xFF : elcr_; }
    unsigned priority(unsigned line) const { return (line - lowest_ - 1) & 7; }
    int highest_in(uint8_t bits) const;  // by current priority, -1 if none
    int best_request() const;
    Ack take(unsigned line);
    void write_command(uint8_t value);
    void write_data(uint8_t value);
    void eoi(uint8_t ocw2);

    std::string section_;
    uint8_t irr_ = 0, isr_ = 0, imr_ = 0;
    uint8_t inputs_ = 0;  // current input levels, for edge detection
    uint8_t elcr_ = 0;
    uint8_t icw1_ = 0, icw2_ = 0, icw3_ = 0, icw4_ = 0;
    uint8_t init_step_ = 0;  // 0 = operating, 2..4 = expecting that ICW
    uint8_t lowest_ = 7;     // line with the lowest priority
    bool rotate_on_aeoi_ = false;
    bool special_mask_ = false;
    bool read_isr_ = false;
    bool poll_ = false;
};

}  // namespace sandpc
