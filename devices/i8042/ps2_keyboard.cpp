#include "devices/i8042/ps2_keyboard.h"

#include <span>
#include <vector>

#include "devices/i8042/scancodes.h"

namespace sandpc {

namespace {
constexpr uint8_t kBatPassed = 0xAA;
constexpr uint8_t kEcho = 0xEE;
constexpr uint8_t kBreakPrefix = 0xF0;
constexpr uint8_t kFirstCommand = 0xED;  // bytes below are parameters
}  // namespace

void Ps2Keyboard::set_defaults() {
    set_ = 2;
    leds_ = 0;
    typematic_ = 0x2B;  // 10.9 characters/s, 500 ms delay
}

uint8_t Ps2Keyboard::pop_output() {
    uint8_t b = out_.front();
    out_.pop_front();
    last_sent_ = b;
    return b;
}

void Ps2Keyboard::send(std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
        if (out_.size() < kQueueLimit) out_.push_back(b);
    }
}

void Ps2Keyboard::receive(uint8_t byte) {
    if (pending_ != 0 && byte < kFirstCommand) {
        parameter(byte);
        return;
    }
    pending_ = 0;
    command(byte);
}

void Ps2Keyboard::command(uint8_t byte) {
    switch (byte) {
        case 0xFF:  // reset and self-test
            out_.clear();
            set_defaults();
            scanning_ = true;
            send({kAck, kBatPassed});
            break;
        case 0xFE: send({last_sent_}); break;
        case 0xF6:
        case 0xF5:
            out_.clear();
            set_defaults();
            scanning_ = byte == 0xF6;
            send({kAck});
            break;
        case 0xF4:
            out_.clear();
            scanning_ = true;
            send({kAck});
            break;
        case 0xF2: send({kAck, 0xAB, 0x83}); break;
        case 0xEE: send({kEcho}); break;
        case 0xED:
        case 0xF0:
        case 0xF3:
        case 0xFB:
        case 0xFC:
        case 0xFD:
            pending_ = byte;
            send({kAck});
            break;
        case 0xF7:
        case 0xF8:
        case 0xF9:
        case 0xFA: send({kAck}); break;
        default: send({kResend}); break;
    }
}

void Ps2Keyboard::parameter(uint8_t byte) {
    switch (pending_) {
        case 0xED:
            leds_ = byte & 0x07;
            pending_ = 0;
            send({kAck});
            break;
        case 0xF3:
            typematic_ = byte & 0x7F;
            pending_ = 0;
            send({kAck});
            break;
        case 0xF0:
            pending_ = 0;
            if (byte == 0) {
                send({kAck, set_});
            } else if (byte <= 3) {
                set_ = byte;
                send({kAck});
            } else {
                send({kResend});
            }
            break;
        default:  // FB-FD take a list of set-3 keys, ended by the next command
            send({kAck});
            break;
    }
}

bool Ps2Keyboard::encode(uint16_t key, bool make, Sequence& seq) const {
    const KeyScanCodes* k = find_key(key);
    if (!k) return false;
    if (set_ == 3) {
        if (!make) seq.add(kBreakPrefix);
        seq.add(k->set3);
        return true;
    }
    if (key == kKeyPause) {  // make only: Ctrl + Num Lock behind an E1 prefix
        if (!make) return true;
        static constexpr uint8_t kPauseSet1[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
        static constexpr uint8_t kPauseSet2[] = {0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77};
        std::span<const uint8_t> bytes =
            set_ == 1 ? std::span<const uint8_t>(kPauseSet1) : std::span<const uint8_t>(kPauseSet2);
        for (uint8_t b : bytes) seq.add(b);
        return true;
    }
    // Each key's own bytes: E0 for extended keys, then the code (set 1: bit 7
    // set on break; set 2: F0 before a break).
    auto add_key = [&](uint16_t set1, uint8_t set2, bool down) {
        if (set1 & kKeyExtended) seq.add(0xE0);
        if (set_ == 1) {
            seq.add(static_cast<uint8_t>((set1 & 0x7F) | (down ? 0 : 0x80)));
        } else {
            if (!down) seq.add(kBreakPrefix);
            seq.add(set2);
        }
    };
    // Print Screen comes with a fake extended Left Shift around it.
    constexpr uint16_t kFakeShift = kKeyExtended | kKeyLeftShift;
    if (key == kKeyPrintScreen && make) add_key(kFakeShift, 0x12, true);
    add_key(key, k->set2, make);
    if (key == kKeyPrintScreen && !make) add_key(kFakeShift, 0x12, false);
    return true;
}

bool Ps2Keyboard::key_event(uint16_t key, bool make) {
    Sequence seq;
    if (!scanning_ || !encode(key, make, seq)) return false;
    if (out_.size() + seq.size > kQueueLimit) return false;
    out_.insert(out_.end(), seq.bytes, seq.bytes + seq.size);
    return true;
}

bool Ps2Keyboard::type_text(std::string_view text) {
    if (!scanning_) return false;
    std::vector<uint8_t> bytes;
    for (char c : text) {
        std::optional<TypedKey> typed = key_for_char(c);
        if (!typed) return false;
        auto add = [&](uint16_t key, bool make) {
            Sequence seq;
            encode(key, make, seq);
            bytes.insert(bytes.end(), seq.bytes, seq.bytes + seq.size);
        };
        if (typed->shift) add(kKeyLeftShift, true);
        add(typed->key, true);
        add(typed->key, false);
        if (typed->shift) add(kKeyLeftShift, false);
    }
    if (out_.size() + bytes.size() > kQueueLimit) return false;
    out_.insert(out_.end(), bytes.begin(), bytes.end());
    return true;
}

void Ps2Keyboard::save(StateWriter& w) const {
    for (uint8_t v : {pending_, set_, leds_, typematic_, last_sent_}) w.u8(v);
    w.boolean(scanning_);
    w.u32(static_cast<uint32_t>(out_.size()));
    for (uint8_t b : out_) w.u8(b);
}

void Ps2Keyboard::load(StateReader& r) {
    uint8_t pending = r.u8(), set = r.u8(), leds = r.u8(), typematic = r.u8(), last = r.u8();
    bool scanning = r.boolean();
    uint32_t n = r.u32();
    if (n > kQueueLimit) throw StateError("state: i8042 keyboard queue too long");
    std::deque<uint8_t> out;
    for (uint32_t i = 0; i < n; ++i) out.push_back(r.u8());
    if (set < 1 || set > 3) throw StateError("state: i8042 keyboard scan code set invalid");
    bool known_pending = pending == 0 || pending == 0xED || pending == 0xF0 || pending == 0xF3 ||
                         (pending >= 0xFB && pending <= 0xFD);
    if (!known_pending) {
        throw StateError("state: i8042 keyboard pending command invalid");
    }
    if (leds > 7 || typematic > 0x7F) throw StateError("state: i8042 keyboard settings invalid");
    pending_ = pending;
    set_ = set;
    leds_ = leds;
    typematic_ = typematic;
    last_sent_ = last;
    scanning_ = scanning;
    out_ = std::move(out);
}

}  // namespace sandpc
