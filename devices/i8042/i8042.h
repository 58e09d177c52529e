// Intel 8042 keyboard controller (PS/2 style) at 0x60 (data) and 0x64
// (status / command), with a PS/2 keyboard on its first port (IRQ1) and a
// PS/2 mouse on the auxiliary port (IRQ12).
//
// Bytes wait in three queues: controller replies (which may be marked as
// auxiliary data by command D3), the keyboard's and the mouse's. Whenever the
// output buffer is empty the next byte moves in, controller replies first,
// then the keyboard, then the mouse; a port whose clock is disabled in the
// command byte (bits 4/5, commands AD/A7) keeps its bytes. Keyboard bytes
// are translated from set 2 to set 1 when command byte bit 6 is set (an F0
// prefix is swallowed and sets bit 7 of the next byte). IRQ1 / IRQ12 are
// levels: output buffer full with keyboard / auxiliary data and the command
// byte's enable bit 0 / 1. Reading 0x60 drops the level before the next
// byte moves in, so every byte is a fresh edge for the PIC; reading it with
// the buffer empty returns the last byte again.
//
// Status register: bit 0 output buffer full, 1 input buffer full (always
// clear: writes are taken at once), 2 system flag (command byte bit 2),
// 3 last write was a command, 4 keyboard not inhibited (no keylock), 5 output
// buffer holds auxiliary data, 6 timeout, 7 parity error (neither happens).
//
// Output port: bit 0 system reset (active low), 1 A20 gate, 4/5 output
// buffer full from keyboard / auxiliary port (read only). Writing bit 0 low
// (D1 or pulse command FE) calls the reset callback; the line is released at
// once. A20 changes (D1, DD, DF) call the A20 callback; load() replays it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string_view>

#include "devices/i8042/ps2_keyboard.h"
#include "devices/i8042/ps2_mouse.h"
#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "snapshot/state_stream.h"

namespace sandpc {

class I8042 {
  public:
    static constexpr uint16_t kDataPort = 0x60;
    static constexpr uint16_t kStatusPort = 0x64;
    static constexpr size_t kReplyLimit = 16;

    // Command byte bits.
    static constexpr uint8_t kKeyboardIrq = 0x01;
    static constexpr uint8_t kAuxIrq = 0x02;
    static constexpr uint8_t kSystemFlag = 0x04;
    static constexpr uint8_t kKeyboardDisabled = 0x10;
    static constexpr uint8_t kAuxDisabled = 0x20;
    static constexpr uint8_t kTranslate = 0x40;

    I8042(IoBus& bus, InterruptLine keyboard_irq, InterruptLine aux_irq,
          std::function<void(bool enabled)> a20_changed, std::function<void()> reset_requested);

    uint8_t read_data();
    uint8_t read_status() const;
    void write_data(uint8_t value);
    void write_command(uint8_t value);

    // Host input. Each returns false if the event was dropped.
    bool press_key(uint16_t key);
    bool release_key(uint16_t key);
    bool type_text(std::string_view text);
    bool mouse_move(int dx, int dy, int dz, uint8_t buttons);
    // No keyboard byte is waiting for the guest: the time to feed more text.
    bool idle() const;

    uint8_t command_byte() const { return ram_[0]; }
    uint8_t output_port() const;
    bool a20_enabled() const { return output_port_ & 0x02; }
    const Ps2Keyboard& keyboard() const { return keyboard_; }
    const Ps2Mouse& mouse() const { return mouse_; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    struct Reply {
        uint8_t value;
        bool aux;
    };
    void reply(uint8_t value, bool aux = false);
    void controller_data(uint8_t command, uint8_t value);
    void set_output_port(uint8_t value);
    void set_command_byte(uint8_t value);
    // Moves the next byte into an empty output buffer and drives the IRQs.
    void service();
    void update_irqs();

    InterruptLine keyboard_irq_, aux_irq_;
    std::function<void(bool)> a20_changed_;
    std::function<void()> reset_requested_;
    Ps2Keyboard keyboard_;
    Ps2Mouse mouse_;
    std::deque<Reply> replies_;
    std::array<uint8_t, 32> ram_{};  // byte 0 is the command byte
    uint8_t output_port_;
    uint8_t pending_ = 0;  // command whose data byte comes through 0x60
    uint8_t output_buffer_ = 0;
    uint8_t last_read_ = 0;  // what 0x60 reads while the buffer is empty
    bool output_full_ = false;
    bool output_aux_ = false;
    bool last_write_command_ = true;
    bool translate_break_ = false;  // translation swallowed an F0
    IoBus::Mapping data_port_, status_port_;
};

}  // namespace sandpc
