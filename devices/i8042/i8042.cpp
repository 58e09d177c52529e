#include "devices/i8042/i8042.h"

#include "devices/i8042/scancodes.h"

namespace sandpc {

namespace {
// Power-on output port: reset line released, A20 off, both ports' clock and
// data lines idle high.
constexpr uint8_t kPowerOnOutputPort = 0xCD;
// Input port: keyboard not inhibited (bit 7), no manufacturing jumper
// (bit 5), colour display (bit 6 clear).
constexpr uint8_t kInputPort = 0xA0;
constexpr uint8_t kSelfTestPassed = 0x55;
constexpr uint8_t kInterfaceTestPassed = 0x00;
constexpr uint8_t kOutputPortStatusBits = 0x30;  // bits 4/5 mirror the output buffer

bool takes_data_byte(uint8_t command) {
    return (command >= 0x60 && command <= 0x7F) || (command >= 0xD1 && command <= 0xD4);
}
}  // namespace

I8042::I8042(IoBus& bus, InterruptLine keyboard_irq, InterruptLine aux_irq,
             std::function<void(bool)> a20_changed, std::function<void()> reset_requested)
    : keyboard_irq_(keyboard_irq),
      aux_irq_(aux_irq),
      a20_changed_(std::move(a20_changed)),
      reset_requested_(std::move(reset_requested)),
      output_port_(kPowerOnOutputPort) {
    ram_[0] = kTranslate;
    IoPortHandlers data;
    data.read8 = [this](uint16_t) { return read_data(); };
    data.write8 = [this](uint16_t, uint8_t v) { write_data(v); };
    data_port_ = bus.map(kDataPort, 1, std::move(data));
    IoPortHandlers status;
    status.read8 = [this](uint16_t) { return read_status(); };
    status.write8 = [this](uint16_t, uint8_t v) { write_command(v); };
    status_port_ = bus.map(kStatusPort, 1, std::move(status));
}

uint8_t I8042::read_status() const {
    uint8_t s = 0x10;
    if (output_full_) s |= output_aux_ ? 0x21 : 0x01;
    if (ram_[0] & kSystemFlag) s |= 0x04;
    if (last_write_command_) s |= 0x08;
    return s;
}

uint8_t I8042::read_data() {
    if (output_full_) {
        last_read_ = output_buffer_;
        output_full_ = false;
        update_irqs();  // the line falls before the next byte raises it again
        service();
    }
    return last_read_;
}

void I8042::write_data(uint8_t value) {
    last_write_command_ = false;
    uint8_t command = pending_;
    pending_ = 0;
    if (command != 0) {
        controller_data(command, value);
    } else {
        keyboard_.receive(value);
    }
    service();
}

void I8042::controller_data(uint8_t command, uint8_t value) {
    if (command >= 0x60 && command <= 0x7F) {
        if (command == 0x60) {
            set_command_byte(value);
        } else {
            ram_[command & 0x1F] = value;
        }
        return;
    }
    switch (command) {
        case 0xD1: set_output_port(value); break;
        case 0xD2: reply(value); break;
        case 0xD3: reply(value, true); break;
        case 0xD4: mouse_.receive(value); break;
        default: break;
    }
}

void I8042::write_command(uint8_t value) {
    last_write_command_ = true;
    pending_ = 0;
    if (value >= 0x20 && value <= 0x3F) {
        reply(ram_[value & 0x1F]);
    } else if (takes_data_byte(value)) {
        pending_ = value;
    } else if (value >= 0xF0) {
        // Pulse the output port lines whose bit is clear; only reset matters.
        if (!(value & 0x01) && reset_requested_) reset_requested_();
    } else {
        switch (value) {
            case 0xA7: set_command_byte(ram_[0] | kAuxDisabled); break;
            case 0xA8: set_command_byte(ram_[0] & ~kAuxDisabled); break;
            case 0xA9: reply(kInterfaceTestPassed); break;
            case 0xAA: reply(kSelfTestPassed); break;
            case 0xAB: reply(kInterfaceTestPassed); break;
            case 0xAD: set_command_byte(ram_[0] | kKeyboardDisabled); break;
            case 0xAE: set_command_byte(ram_[0] & ~kKeyboardDisabled); break;
            case 0xC0: reply(kInputPort); break;
            case 0xD0: reply(output_port()); break;
            case 0xDD: set_output_port(output_port_ & ~0x02); break;
            case 0xDF: set_output_port(output_port_ | 0x02); break;
            default: break;  // unsupported commands are ignored
        }
    }
    service();
}

void I8042::reply(uint8_t value, bool aux) {
    if (replies_.size() < kReplyLimit) replies_.push_back({value, aux});
}

uint8_t I8042::output_port() const {
    uint8_t v = output_port_ & ~kOutputPortStatusBits;
    if (output_full_) v |= output_aux_ ? 0x20 : 0x10;
    return v;
}

void I8042::set_output_port(uint8_t value) {
    uint8_t old = output_port_;
    output_port_ = (value & ~kOutputPortStatusBits) | 0x01;
    if (((old ^ output_port_) & 0x02) && a20_changed_) a20_changed_(output_port_ & 0x02);
    if (!(value & 0x01) && reset_requested_) reset_requested_();
}

void I8042::set_command_byte(uint8_t value) {
    ram_[0] = value;
    service();
}

void I8042::service() {
    while (!output_full_) {
        uint8_t value;
        bool aux = false;
        if (!replies_.empty()) {
            value = replies_.front().value;
            aux = replies_.front().aux;
            replies_.pop_front();
        } else if (!(ram_[0] & kKeyboardDisabled) && keyboard_.has_output()) {
            value = keyboard_.pop_output();
            if (ram_[0] & kTranslate) {
                if (value == 0xF0) {
                    translate_break_ = true;
                    continue;
                }
                value = translate_set2_to_set1(value) | (translate_break_ ? 0x80 : 0);
                translate_break_ = false;
            }
        } else if (!(ram_[0] & kAuxDisabled) && mouse_.has_output()) {
            value = mouse_.pop_output();
            aux = true;
        } else {
            break;
        }
        output_buffer_ = value;
        output_aux_ = aux;
        output_full_ = true;
    }
    update_irqs();
}

void I8042::update_irqs() {
    keyboard_irq_.set_level(output_full_ && !output_aux_ && (ram_[0] & kKeyboardIrq));
    aux_irq_.set_level(output_full_ && output_aux_ && (ram_[0] & kAuxIrq));
}

bool I8042::press_key(uint16_t key) {
    bool ok = keyboard_.press(key);
    service();
    return ok;
}

bool I8042::release_key(uint16_t key) {
    bool ok = keyboard_.release(key);
    service();
    return ok;
}

bool I8042::type_text(std::string_view text) {
    bool ok = keyboard_.type_text(text);
    service();
    return ok;
}

bool I8042::mouse_move(int dx, int dy, int dz, uint8_t buttons) {
    bool ok = mouse_.move(dx, dy, dz, buttons);
    service();
    return ok;
}

bool I8042::idle() const {
    return !keyboard_.has_output() && !(output_full_ && !output_aux_) && !translate_break_;
}

void I8042::save(StateWriter& w) const {
    w.begin_section("i8042", 1);
    for (uint8_t v : ram_) w.u8(v);
    for (uint8_t v : {output_port_, pending_, output_buffer_, last_read_}) w.u8(v);
    for (bool v : {output_full_, output_aux_, last_write_command_, translate_break_}) {
        w.boolean(v);
    }
    w.u32(static_cast<uint32_t>(replies_.size()));
    for (const Reply& reply : replies_) {
        w.u8(reply.value);
        w.boolean(reply.aux);
    }
    keyboard_.save(w);
    mouse_.save(w);
    w.end_section();
}

void I8042::load(StateReader& r) {
    r.begin_section("i8042", 1);
    std::array<uint8_t, 32> ram;
    for (uint8_t& v : ram) v = r.u8();
    uint8_t port = r.u8(), pending = r.u8(), buffer = r.u8(), last_read = r.u8();
    bool flags[4];
    for (bool& f : flags) f = r.boolean();
    uint32_t n = r.u32();
    if (n > kReplyLimit) throw StateError("state: i8042 reply queue too long");
    std::deque<Reply> replies;
    for (uint32_t i = 0; i < n; ++i) {
        uint8_t value = r.u8();
        replies.push_back({value, r.boolean()});
    }
    // Parse into copies so a refused snapshot leaves the device untouched.
    Ps2Keyboard keyboard;
    keyboard.load(r);
    Ps2Mouse mouse;
    mouse.load(r);
    r.end_section();
    if (!(port & 0x01)) throw StateError("state: i8042 output port holds the CPU in reset");
    if (pending != 0 && !takes_data_byte(pending)) {
        throw StateError("state: i8042 pending command invalid");
    }
    ram_ = ram;
    output_port_ = port & ~kOutputPortStatusBits;
    pending_ = pending;
    output_buffer_ = buffer;
    last_read_ = last_read;
    output_full_ = flags[0];
    output_aux_ = flags[1];
    last_write_command_ = flags[2];
    translate_break_ = flags[3];
    replies_ = std::move(replies);
    keyboard_ = std::move(keyboard);
    mouse_ = std::move(mouse);
    if (a20_changed_) a20_changed_(a20_enabled());
    update_irqs();
}

}  // namespace sandpc
