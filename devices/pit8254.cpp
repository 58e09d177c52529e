#include "devices/pit8254.h"

namespace sandpc {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint64_t kNever = Scheduler::kNever;

uint64_t clock_of(uint64_t ns) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * Pit8254::kClockHz /
                                 kNsPerSecond);
}
// First nanosecond at which the clock count reaches `clock`.
uint64_t ns_of(uint64_t clock) {
    unsigned __int128 ns =
        (static_cast<unsigned __int128>(clock) * kNsPerSecond + Pit8254::kClockHz - 1) /
        Pit8254::kClockHz;
    return ns >= kNever ? kNever : static_cast<uint64_t>(ns);
}
uint32_t from_bcd(uint16_t raw) {
    uint32_t v = 0;
    for (int shift = 12; shift >= 0; shift -= 4) v = v * 10 + ((raw >> shift) & 0xF);
    return v % 10000;  // nibbles above 9 are garbage in, kept in range
}
uint16_t to_bcd(uint32_t v) {
    uint16_t out = 0;
    for (int shift = 0; shift < 16; shift += 4, v /= 10)
        out |= static_cast<uint16_t>((v % 10) << shift);
    return out;
}
}  // namespace

Pit8254::Pit8254(IoBus& bus, Scheduler& scheduler, InterruptLine irq0)
    : scheduler_(scheduler),
      irq0_(irq0),
      timer_(scheduler, "pit8254.counter0", [this](uint64_t deadline) { on_timer(deadline); }) {
    counters_[2].gate = false;
    IoPortHandlers h;
    h.read8 = [this](uint16_t port) { return read_port(port - 0x40); };
    h.write8 = [this](uint16_t port, uint8_t v) { write_port(port - 0x40, v); };
    ports_ = bus.map(0x40, 4, std::move(h));
    update_irq0();  // unprogrammed counters hold OUT high
}

uint64_t Pit8254::now_clock() const {
    return clock_of(scheduler_.now_ns());
}

void Pit8254::sync(Counter& c, uint64_t t) const {
    if (c.next_initial != 0 && c.counting && t >= c.switch_at) {
        c.start = c.switch_at;
        c.start_value = c.next_initial;
        c.next_initial = 0;
        c.null_count = false;
    }
}

uint32_t Pit8254::value_at(const Counter& c, uint64_t t) const {
    if (!c.counting) return c.held_value;
    uint32_t m = modulus(c);
    uint64_t d = t - c.start;
    uint32_t v = c.start_value;
    switch (c.mode) {
        case 2: return (v - static_cast<uint32_t>(d % v)) % m;
        case 3: {
            uint32_t phase = static_cast<uint32_t>(d % v), half = (v + 1) / 2, even = v & ~1u;
            return (phase < half ? even - 2 * phase : even - 2 * (phase - half)) % m;
        }
        default: return static_cast<uint32_t>((v + m - d % m) % m);
    }
}

bool Pit8254::out_at(const Counter& c, uint64_t t) const {
    if (!c.counting) return c.held_out;
    uint64_t d = t - c.start;
    uint32_t v = c.start_value;
    switch (c.mode) {
        case 0: return c.done || d >= v;
        case 1: return d >= v;
        case 2: return v < 2 || d % v != v - 1;
        case 3: return d % v < (v + 1) / 2;
        default: return c.done || d != v;  // 4, 5: one-clock low strobe
    }
}

uint64_t Pit8254::next_change(const Counter& c, uint64_t t) const {
    if (!c.counting) return kNever;
    uint64_t d = t - c.start;
    uint32_t v = c.start_value;
    uint64_t next = kNever;
    switch (c.mode) {
        case 0:
        case 1:
            if (!(c.mode == 0 && c.done) && d < v) next = c.start + v;
            break;
        case 2:
            if (v >= 2) next = t - d % v + (d % v < v - 1 ? v - 1 : v);
            break;
        case 3: {
            uint32_t half = (v + 1) / 2;
            if (half < v) next = t - d % v + (d % v < half ? half : v);
            break;
        }
        default:
            if (!c.done && d <= v) next = c.start + v + (d == v ? 1 : 0);
            break;
    }
    if (c.next_initial != 0 && c.switch_at > t && c.switch_at < next) next = c.switch_at;
    return next;
}

void Pit8254::start(Counter& c, uint64_t t, uint32_t value, bool done) {
    c.counting = true;
    c.start = t;
    c.start_value = value == 0 ? modulus(c) : value;
    c.done = done;
    c.next_initial = 0;
    c.null_count = false;
}

void Pit8254::hold(Counter& c, uint64_t t) {
    if (!c.counting) return;
    c.held_value = value_at(c, t);
    c.held_out = out_at(c, t);
    if (c.mode == 0 || c.mode >= 4) c.done = c.done || t - c.start >= c.start_value;
    c.counting = false;
    c.next_initial = 0;
}

void Pit8254::load_count(Counter& c, uint32_t raw) {
    uint64_t t = now_clock();
    sync(c, t);
    uint32_t n = c.bcd ? from_bcd(static_cast<uint16_t>(raw)) : raw;
    if (n == 0) n = modulus(c);
    c.initial = n;
    c.has_count = true;
    c.null_count = true;
    switch (c.mode) {
        case 0:
        case 4:
            c.counting = false;
            c.held_value = n % modulus(c);
            c.held_out = c.mode == 4;
            c.done = false;
            if (c.gate) start(c, t, n, false);
            break;
        case 2:
        case 3:
            if (!c.counting) {
                if (c.gate) start(c, t, n, false);
            } else {
                // Takes effect when the current period ends.
                uint64_t d = t - c.start;
                c.next_initial = n;
                c.switch_at = c.start + (d / c.start_value + 1) * c.start_value;
            }
            break;
        default: break;  // 1, 5: waits for a gate trigger
    }
}

void Pit8254::latch_count(Counter& c) {
    if (c.count_latched) return;
    c.latch = encoded_value(c, now_clock());
    c.count_latched = true;
    c.latch_msb_next = false;
}

uint16_t Pit8254::encoded_value(const Counter& c, uint64_t t) const {
    Counter copy = c;
    sync(copy, t);
    uint32_t v = value_at(copy, t);
    return c.bcd ? to_bcd(v) : static_cast<uint16_t>(v);
}

bool Pit8254::output(unsigned counter) const {
    Counter copy = counters_[counter];
    uint64_t t = now_clock();
    sync(copy, t);
    return out_at(copy, t);
}

void Pit8254::write_control(uint8_t value) {
    unsigned sc = value >> 6;
    if (sc == 3) {  // read-back
        for (unsigned i = 0; i < 3; ++i) {
            if (!(value & (2u << i))) continue;
            Counter& c = counters_[i];
            if (!(value & 0x20)) latch_count(c);
            if (!(value & 0x10) && !c.status_latched) {
                uint64_t t = now_clock();
                sync(c, t);
                c.status = static_cast<uint8_t>((out_at(c, t) ? 0x80 : 0) |
                                                (c.null_count ? 0x40 : 0) | c.control);
                c.status_latched = true;
            }
        }
        return;
    }
    Counter& c = counters_[sc];
    unsigned rw = (value >> 4) & 3;
    if (rw == 0) {
        latch_count(c);
        return;
    }
    sync(c, now_clock());
    hold(c, now_clock());
    c.control = value & 0x3F;
    c.mode = (value >> 1) & 7;
    if (c.mode > 5) c.mode -= 4;
    c.rw = static_cast<uint8_t>(rw);
    c.bcd = value & 1;
    c.held_out = c.mode != 0;
    c.has_count = false;
    c.null_count = true;
    c.done = false;
    c.write_msb_next = false;
    c.read_msb_next = false;
    c.count_latched = false;
    c.status_latched = false;
    if (sc == 0) update_irq0();
}

uint8_t Pit8254::read_counter(Counter& c) {
    if (c.status_latched) {
        c.status_latched = false;
        return c.status;
    }
    bool msb;
    uint16_t v;
    if (c.count_latched) {
        v = c.latch;
        msb = c.rw == 2 || (c.rw == 3 && c.latch_msb_next);
        c.latch_msb_next = c.rw == 3 && !msb;
        if (c.rw != 3 || msb) c.count_latched = false;
    } else {
        v = encoded_value(c, now_clock());
        msb = c.rw == 2 || (c.rw == 3 && c.read_msb_next);
        if (c.rw == 3) c.read_msb_next = !c.read_msb_next;
    }
    return static_cast<uint8_t>(msb ? v >> 8 : v);
}

uint8_t Pit8254::read_port(unsigned index) {
    return index < 3 ? read_counter(counters_[index]) : 0xFF;
}

void Pit8254::write_port(unsigned index, uint8_t value) {
    if (index == 3) return write_control(value);
    if (index > 3) return;
    Counter& c = counters_[index];
    if (c.rw == 1) {
        load_count(c, value);
    } else if (c.rw == 2) {
        load_count(c, static_cast<uint32_t>(value) << 8);
    } else if (!c.write_msb_next) {
        c.lsb_written = value;
        c.write_msb_next = true;
        if (c.mode == 0) {  // the first byte stops the count and drops OUT
            hold(c, now_clock());
            c.held_out = false;
            c.done = false;
        }
    } else {
        c.write_msb_next = false;
        load_count(c, c.lsb_written | static_cast<uint32_t>(value) << 8);
    }
    if (index == 0) update_irq0();
}

void Pit8254::set_gate(unsigned counter, bool level) {
    if (counter > 2) return;
    Counter& c = counters_[counter];
    uint64_t t = now_clock();
    sync(c, t);
    bool rising = level && !c.gate, falling = !level && c.gate;
    c.gate = level;
    switch (c.mode) {
        case 0:
        case 4:
            if (falling) hold(c, t);
            if (rising && c.has_count && !c.counting) start(c, t, c.held_value, c.done);
            break;
        case 1:
        case 5:
            if (rising && c.has_count) start(c, t, c.initial, false);
            break;
        default:  // 2, 3: low gate forces OUT high; rising gate reloads
            if (falling) {
                hold(c, t);
                c.held_out = true;
            }
            if (rising && c.has_count) start(c, t, c.initial, false);
            break;
    }
    if (counter == 0) update_irq0();
}

void Pit8254::update_irq0() {
    Counter& c = counters_[0];
    uint64_t t = now_clock();
    sync(c, t);
    irq0_.set_level(out_at(c, t));
    uint64_t next = next_change(c, t);
    if (next == kNever) {
        timer_.cancel();
    } else {
        timer_.arm_at(ns_of(next));
    }
}

void Pit8254::on_timer(uint64_t deadline_ns) {
    // Evaluate at the transition itself, even if the CPU ran a little past it,
    // so a one-clock pulse is never skipped.
    Counter& c = counters_[0];
    uint64_t t = clock_of(deadline_ns);
    sync(c, t);
    irq0_.set_level(out_at(c, t));
    uint64_t next = next_change(c, t);
    if (next == kNever) {
        timer_.cancel();
    } else {
        timer_.arm_at(ns_of(next));
    }
}

void Pit8254::save(StateWriter& w) const {
    w.begin_section("pit8254", 1);
    for (const Counter& c : counters_) {
        w.u8(c.mode);
        w.u8(c.rw);
        w.u8(c.control);
        w.boolean(c.bcd);
        w.boolean(c.gate);
        w.u32(c.initial);
        w.boolean(c.has_count);
        w.boolean(c.null_count);
        w.boolean(c.counting);
        w.u64(c.start);
        w.u32(c.start_value);
        w.boolean(c.done);
        w.u32(c.next_initial);
        w.u64(c.switch_at);
        w.u32(c.held_value);
        w.boolean(c.held_out);
        w.boolean(c.write_msb_next);
        w.u8(c.lsb_written);
        w.boolean(c.read_msb_next);
        w.boolean(c.count_latched);
        w.u16(c.latch);
        w.boolean(c.latch_msb_next);
        w.boolean(c.status_latched);
        w.u8(c.status);
    }
    w.end_section();
}

void Pit8254::load(StateReader& r) {
    r.begin_section("pit8254", 1);
    std::array<Counter, 3> loaded;
    for (Counter& c : loaded) {
        c.mode = r.u8();
        c.rw = r.u8();
        c.control = r.u8();
        c.bcd = r.boolean();
        c.gate = r.boolean();
        c.initial = r.u32();
        c.has_count = r.boolean();
        c.null_count = r.boolean();
        c.counting = r.boolean();
        c.start = r.u64();
        c.start_value = r.u32();
        c.done = r.boolean();
        c.next_initial = r.u32();
        c.switch_at = r.u64();
        c.held_value = r.u32();
        c.held_out = r.boolean();
        c.write_msb_next = r.boolean();
        c.lsb_written = r.u8();
        c.read_msb_next = r.boolean();
        c.count_latched = r.boolean();
        c.latch = r.u16();
        c.latch_msb_next = r.boolean();
        c.status_latched = r.boolean();
        c.status = r.u8();
        uint32_t m = modulus(c);
        if (c.mode > 5 || c.rw < 1 || c.rw > 3 || c.control > 0x3F || c.initial > m ||
            (c.counting && (c.start_value == 0 || c.start_value > m)) || c.next_initial > m ||
            c.held_value >= m) {
            throw StateError("state: pit8254 counter registers out of range");
        }
    }
    r.end_section();
    counters_ = loaded;
    update_irq0();
}

}  // namespace sandpc
