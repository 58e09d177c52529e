// A PS/2 (MF2) keyboard: the device end of the 8042's keyboard port. The
// controller hands it command bytes with receive() and pulls its replies and
// scan codes with pop_output(). The host presses and releases keys, named by
// set-1 make code (see scancodes.h); the keyboard sends them in its current
// scan code set (1, 2 or 3; 2 after reset).
//
// Commands: FF reset (FA, BAT AA), FE resend, F6 defaults, F5 disable (and
// defaults), F4 enable, F3 typematic, F2 identify (FA AB 83), F0 get/set scan
// code set, EE echo, ED LEDs; the set-3 key mode commands F7-FD are
// acknowledged and ignored; anything else answers FE. A command arriving
// while a parameter is expected is executed as a command, as on real
// keyboards. Keys do not auto-repeat and disabled scanning drops key events.
#pragma once

#include <cstdint>
#include <deque>
#include <initializer_list>
#include <string_view>

#include "snapshot/state_stream.h"

namespace sandpc {

class Ps2Keyboard {
  public:
    static constexpr size_t kQueueLimit = 4096;
    static constexpr uint8_t kAck = 0xFA;
    static constexpr uint8_t kResend = 0xFE;

    Ps2Keyboard() { set_defaults(); }

    void receive(uint8_t byte);
    bool has_output() const { return !out_.empty(); }
    uint8_t pop_output();
    size_t queued() const { return out_.size(); }

    // False when the key is unknown, scanning is off or the queue is full
    // (the event is then dropped whole).
    bool press(uint16_t key) { return key_event(key, true); }
    bool release(uint16_t key) { return key_event(key, false); }
    // Queues press/release pairs for each character (US layout, Left Shift
    // around shifted ones). Queues nothing and returns false if a character
    // has no key or the text does not fit.
    bool type_text(std::string_view text);

    uint8_t scan_code_set() const { return set_; }
    uint8_t leds() const { return leds_; }
    uint8_t typematic() const { return typematic_; }
    bool scanning() const { return scanning_; }

    // Fields inside the controller's section.
    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    void set_defaults();
    void command(uint8_t byte);
    void parameter(uint8_t byte);
    struct Sequence {
        uint8_t bytes[8];
        size_t size = 0;
        void add(uint8_t b) { bytes[size++] = b; }
    };
    bool key_event(uint16_t key, bool make);
    // The bytes of a key event in the current set; false for an unknown key.
    bool encode(uint16_t key, bool make, Sequence& seq) const;
    void send(std::initializer_list<uint8_t> bytes);

    std::deque<uint8_t> out_;
    uint8_t pending_ = 0;  // command awaiting its parameter, 0 if none
    uint8_t set_ = 2;
    uint8_t leds_ = 0;
    uint8_t typematic_ = 0x2B;
    bool scanning_ = true;
    uint8_t last_sent_ = 0xAA;
};

}  // namespace sandpc
