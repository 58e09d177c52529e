#include "devices/i8042/ps2_mouse.h"

#include <algorithm>
#include <array>

namespace sandpc {

namespace {
constexpr uint8_t kAck = 0xFA;
constexpr uint8_t kResend = 0xFE;
constexpr uint8_t kBatPassed = 0xAA;
constexpr std::array<uint8_t, 7> kSampleRates = {10, 20, 40, 60, 80, 100, 200};
constexpr int32_t kMotionLimit = 1 << 16;  // accumulated motion saturates here

// 2:1 scaling as the PS/2 mouse applies it to stream-mode reports.
int32_t scale_2to1(int32_t v) {
    static constexpr int32_t kSmall[6] = {0, 1, 1, 3, 6, 9};
    int32_t mag = v < 0 ? -v : v;
    int32_t scaled = mag < 6 ? kSmall[mag] : 2 * mag;
    return v < 0 ? -scaled : scaled;
}

bool valid_rate(uint8_t rate) {
    return std::find(kSampleRates.begin(), kSampleRates.end(), rate) != kSampleRates.end();
}
}  // namespace

void Ps2Mouse::set_defaults() {
    rate_ = 100;
    resolution_ = 2;  // 4 counts/mm
    scaling_2to1_ = false;
    reporting_ = false;
    clear_motion();
}

uint8_t Ps2Mouse::pop_output() {
    uint8_t b = out_.front();
    out_.pop_front();
    last_sent_ = b;
    return b;
}

void Ps2Mouse::send(std::initializer_list<uint8_t> bytes) {
    for (uint8_t b : bytes) {
        if (out_.size() < kQueueLimit) out_.push_back(b);
    }
}

void Ps2Mouse::receive(uint8_t byte) {
    if (wrap_ && byte != 0xEC && byte != 0xFF) {
        send({byte});
        return;
    }
    if (pending_ != 0) {
        parameter(byte);
        return;
    }
    command(byte);
}

void Ps2Mouse::command(uint8_t byte) {
    switch (byte) {
        case 0xFF:
            out_.clear();
            set_defaults();
            remote_ = wrap_ = false;
            id_ = 0;
            std::fill(std::begin(rate_history_), std::end(rate_history_), 0);
            send({kAck, kBatPassed, id_});
            break;
        case 0xFE: send({last_sent_}); break;
        case 0xF6:
            set_defaults();
            send({kAck});
            break;
        case 0xF5:
        case 0xF4:
            reporting_ = byte == 0xF4;
            clear_motion();
            send({kAck});
            break;
        case 0xF3:
        case 0xE8:
            pending_ = byte;
            send({kAck});
            break;
        case 0xF2:
            clear_motion();
            send({kAck, id_});
            break;
        case 0xF0:
        case 0xEA:
            remote_ = byte == 0xF0;
            clear_motion();
            send({kAck});
            break;
        case 0xEE:
        case 0xEC:
            wrap_ = byte == 0xEE;
            clear_motion();
            send({kAck});
            break;
        case 0xEB:
            send({kAck});
            send_packet();
            break;
        case 0xE9: {
            uint8_t status = (remote_ ? 0x40 : 0) | (reporting_ ? 0x20 : 0) |
                             (scaling_2to1_ ? 0x10 : 0) | (buttons_ & 0x01 ? 0x04 : 0) |
                             (buttons_ & 0x04 ? 0x02 : 0) | (buttons_ & 0x02 ? 0x01 : 0);
            send({kAck, status, resolution_, rate_});
            break;
        }
        case 0xE7:
        case 0xE6:
            scaling_2to1_ = byte == 0xE7;
            send({kAck});
            break;
        default: send({kResend}); break;
    }
}

void Ps2Mouse::parameter(uint8_t byte) {
    uint8_t cmd = pending_;
    pending_ = 0;
    if (cmd == 0xF3 && valid_rate(byte)) {
        set_rate(byte);
        send({kAck});
    } else if (cmd == 0xE8 && byte <= 3) {
        resolution_ = byte;
        clear_motion();
        send({kAck});
    } else {
        send({kResend});
    }
}

void Ps2Mouse::set_rate(uint8_t rate) {
    rate_ = rate;
    rate_history_[0] = rate_history_[1];
    rate_history_[1] = rate_history_[2];
    rate_history_[2] = rate;
    auto sequence = [&](uint8_t a, uint8_t b, uint8_t c) {
        return rate_history_[0] == a && rate_history_[1] == b && rate_history_[2] == c;
    };
    if (id_ == 0 && sequence(200, 100, 80)) id_ = 3;
    if (id_ == 3 && sequence(200, 200, 80)) id_ = 4;
}

bool Ps2Mouse::move(int dx, int dy, int dz, uint8_t buttons) {
    buttons &= 0x1F;
    bool changed = dx != 0 || dy != 0 || dz != 0 || buttons != buttons_;
    auto accumulate = [](int32_t acc, int delta) {
        return std::clamp<int64_t>(int64_t{acc} + delta, -kMotionLimit, kMotionLimit);
    };
    dx_ = static_cast<int32_t>(accumulate(dx_, dx));
    dy_ = static_cast<int32_t>(accumulate(dy_, dy));
    dz_ = static_cast<int32_t>(accumulate(dz_, dz));
    buttons_ = buttons;
    if (!changed || !reporting_ || remote_ || wrap_) return true;
    return send_packet();
}

bool Ps2Mouse::send_packet() {
    size_t size = id_ == 0 ? 3 : 4;
    if (out_.size() + size > kQueueLimit) {
        clear_motion();
        return false;
    }
    int32_t x = dx_, y = dy_;
    if (scaling_2to1_ && !remote_) {
        x = scale_2to1(x);
        y = scale_2to1(y);
    }
    bool x_over = x < -256 || x > 255;
    bool y_over = y < -256 || y > 255;
    x = std::clamp(x, -256, 255);
    y = std::clamp(y, -256, 255);
    uint8_t head = 0x08 | (buttons_ & 0x07) | (x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0) |
                   (x_over ? 0x40 : 0) | (y_over ? 0x80 : 0);
    send({head, static_cast<uint8_t>(x), static_cast<uint8_t>(y)});
    uint8_t z = static_cast<uint8_t>(std::clamp(dz_, -8, 7));
    if (id_ == 3) send({z});
    if (id_ == 4) {
        send({static_cast<uint8_t>((z & 0x0F) | (buttons_ & 0x08 ? 0x10 : 0) |
                                   (buttons_ & 0x10 ? 0x20 : 0))});
    }
    clear_motion();
    return true;
}

void Ps2Mouse::save(StateWriter& w) const {
    for (uint8_t v : {pending_, rate_, resolution_, id_, buttons_, last_sent_}) w.u8(v);
    for (bool v : {scaling_2to1_, reporting_, remote_, wrap_}) w.boolean(v);
    for (uint8_t v : rate_history_) w.u8(v);
    for (int32_t v : {dx_, dy_, dz_}) w.u32(static_cast<uint32_t>(v));
    w.u32(static_cast<uint32_t>(out_.size()));
    for (uint8_t b : out_) w.u8(b);
}

void Ps2Mouse::load(StateReader& r) {
    uint8_t pending = r.u8(), rate = r.u8(), resolution = r.u8(), id = r.u8();
    uint8_t buttons = r.u8(), last = r.u8();
    bool flags[4];
    for (bool& f : flags) f = r.boolean();
    uint8_t history[3];
    for (uint8_t& h : history) h = r.u8();
    int32_t motion[3];
    for (int32_t& m : motion) m = static_cast<int32_t>(r.u32());
    uint32_t n = r.u32();
    if (n > kQueueLimit) throw StateError("state: i8042 mouse queue too long");
    std::deque<uint8_t> out;
    for (uint32_t i = 0; i < n; ++i) out.push_back(r.u8());
    if (pending != 0 && pending != 0xF3 && pending != 0xE8) {
        throw StateError("state: i8042 mouse pending command invalid");
    }
    if (!valid_rate(rate) || resolution > 3 || (id != 0 && id != 3 && id != 4) || buttons > 0x1F) {
        throw StateError("state: i8042 mouse settings invalid");
    }
    for (int32_t m : motion) {
        if (m < -kMotionLimit || m > kMotionLimit) {
            throw StateError("state: i8042 mouse motion out of range");
        }
    }
    pending_ = pending;
    rate_ = rate;
    resolution_ = resolution;
    id_ = id;
    buttons_ = buttons;
    last_sent_ = last;
    scaling_2to1_ = flags[0];
    reporting_ = flags[1];
    remote_ = flags[2];
    wrap_ = flags[3];
    std::copy(std::begin(history), std::end(history), rate_history_);
    dx_ = motion[0];
    dy_ = motion[1];
    dz_ = motion[2];
    out_ = std::move(out);
}

}  // namespace sandpc
