#include "devices/rtc146818.h"

namespace sandpc {

namespace {
constexpr uint64_t kSecondNs = 1'000'000'000;
constexpr uint8_t kPF = 0x40, kAF = 0x20, kUF = 0x10;

bool leap(unsigned year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}
unsigned days_in_month(unsigned month, unsigned year) {
    static constexpr uint8_t kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 31;
    return kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
}
// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t days_from_date(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}
void date_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2);
}
int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

Rtc146818::Rtc146818(IoBus& bus, Scheduler& scheduler, InterruptLine irq8, int64_t start)
    : scheduler_(scheduler),
      irq8_(irq8),
      update_timer_(scheduler, "rtc.update", [this](uint64_t d) { on_update(d); }),
      periodic_timer_(scheduler, "rtc.periodic", [this](uint64_t d) { on_periodic(d); }) {
    int64_t days = floor_div(start, 86400);
    int64_t secs = start - days * 86400;
    int64_t y;
    unsigned m, d;
    date_from_days(days, y, m, d);
    if (y < 1900 || y > 9999) y = 2000;  // outside what the registers can show
    time_.sec = static_cast<uint8_t>(secs % 60);
    time_.min = static_cast<uint8_t>(secs / 60 % 60);
    time_.hour = static_cast<uint8_t>(secs / 3600);
    time_.day = static_cast<uint8_t>(d);
    time_.month = static_cast<uint8_t>(m);
    time_.year = static_cast<uint8_t>(y % 100);
    time_.century = static_cast<uint8_t>(y / 100);
    time_.dow = static_cast<uint8_t>((days % 7 + 7 + 4) % 7 + 1);  // 1970-01-01 was a Thursday
    cmos_[kRegA] = 0x26;  // 32.768 kHz divider, 1024 Hz periodic rate
    cmos_[kRegB] = 0x02;  // BCD, 24 hour
    cmos_[kRegD] = 0x80;  // valid RAM and time
    periodic_origin_ns_ = scheduler_.now_ns();
    next_update_ns_ = scheduler_.now_ns() + kSecondNs;
    rearm_update();
    IoPortHandlers h;
    h.read8 = [this](uint16_t port) { return read_port(port - 0x70); };
    h.write8 = [this](uint16_t port, uint8_t v) { write_port(port - 0x70, v); };
    ports_ = bus.map(0x70, 2, std::move(h));
}

int64_t Rtc146818::unix_time() const {
    int64_t days = days_from_date(time_.century * 100 + time_.year, time_.month, time_.day);
    return days * 86400 + time_.hour * 3600 + time_.min * 60 + time_.sec;
}

uint8_t Rtc146818::encode(uint8_t v) const {
    if (cmos_[kRegB] & 0x04) return v;
    return static_cast<uint8_t>((v / 10 % 10) << 4 | v % 10);
}

uint8_t Rtc146818::decode(uint8_t v) const {
    if (cmos_[kRegB] & 0x04) return v;
    return static_cast<uint8_t>((v >> 4) * 10 + (v & 0x0F));
}

uint8_t Rtc146818::encode_hour(uint8_t hour) const {
    if (cmos_[kRegB] & 0x02) return encode(hour);
    uint8_t h12 = hour % 12 == 0 ? 12 : hour % 12;
    return static_cast<uint8_t>(encode(h12) | (hour >= 12 ? 0x80 : 0));
}

void Rtc146818::set_nvram(unsigned index, uint8_t value) {
    index &= 0x7F;
    if (index == kCentury) {
        time_.century = decode(value);
    } else if (index >= 0x0E) {
        cmos_[index] = value;
    }
}

uint8_t Rtc146818::read_port(unsigned index) {
    if (index == 0) return 0xFF;  // the index register is write-only
    return read_register(index_);
}

void Rtc146818::write_port(unsigned index, uint8_t value) {
    if (index == 0) {
        index_ = value & 0x7F;
        nmi_masked_ = value & 0x80;
        return;
    }
    write_register(index_, value);
}

uint8_t Rtc146818::read_register(uint8_t reg) {
    switch (reg) {
        case kSeconds: return encode(time_.sec);
        case kMinutes: return encode(time_.min);
        case kHours: return encode_hour(time_.hour);
        case kDayOfWeek: return encode(time_.dow);
        case kDayOfMonth: return encode(time_.day);
        case kMonth: return encode(time_.month);
        case kYear: return encode(time_.year);
        case kCentury: return encode(time_.century);
        case kRegA: {
            bool uip = running() && !set_mode() && scheduler_.now_ns() + kUipNs >= next_update_ns_;
            return static_cast<uint8_t>((cmos_[kRegA] & 0x7F) | (uip ? 0x80 : 0));
        }
        case kRegC: {
            refresh_pf();
            uint8_t v = flags_;
            if (flags_ & cmos_[kRegB] & 0x70) v |= 0x80;
            flags_ = 0;
            update_irq();
            return v;
        }
        case kRegD: return 0x80;
        default: return cmos_[reg & 0x7F];
    }
}

void Rtc146818::write_register(uint8_t reg, uint8_t value) {
    switch (reg) {
        case kSeconds: time_.sec = decode(value & 0x7F); break;
        case kMinutes: time_.min = decode(value & 0x7F); break;
        case kHours:
            if (cmos_[kRegB] & 0x02) {
                time_.hour = decode(value & 0x3F);
            } else {
                time_.hour =
                    static_cast<uint8_t>(decode(value & 0x7F) % 12 + (value & 0x80 ? 12 : 0));
            }
            break;
        case kDayOfWeek: time_.dow = decode(value); break;
        case kDayOfMonth: time_.day = decode(value); break;
        case kMonth: time_.month = decode(value); break;
        case kYear: time_.year = decode(value); break;
        case kCentury: time_.century = decode(value); break;
        case kRegA: {
            bool was_reset = (cmos_[kRegA] & 0x60) == 0x60;
            cmos_[kRegA] = value & 0x7F;
            if (running() && was_reset) {
                // Leaving divider reset: the first update comes 500 ms later.
                next_update_ns_ = scheduler_.now_ns() + kSecondNs / 2;
                periodic_origin_ns_ = scheduler_.now_ns();
            }
            pf_mark_ = tick32(scheduler_.now_ns());
            rearm_update();
            rearm_periodic();
            break;
        }
        case kRegB: {
            if (value & 0x80) value &= ~0x10;  // SET clears UIE
            bool resumes = set_mode() && !(value & 0x80);
            cmos_[kRegB] = value;
            // Updates resume on the divider's second grid, never at once.
            uint64_t now = scheduler_.now_ns();
            if (resumes && next_update_ns_ <= now) {
                next_update_ns_ += ((now - next_update_ns_) / kSecondNs + 1) * kSecondNs;
            }
            rearm_update();
            rearm_periodic();
            update_irq();
            break;
        }
        case kRegC:
        case kRegD: break;  // read-only
        default: cmos_[reg & 0x7F] = value; break;
    }
}

void Rtc146818::tick_second() {
    Time& t = time_;
    if (++t.sec < 60) return;
    t.sec = 0;
    if (++t.min < 60) return;
    t.min = 0;
    if (++t.hour < 24) return;
    t.hour = 0;
    t.dow = t.dow >= 7 ? 1 : t.dow + 1;
    if (++t.day <= days_in_month(t.month, t.century * 100u + t.year)) return;
    t.day = 1;
    if (++t.month <= 12) return;
    t.month = 1;
    if (++t.year < 100) return;
    t.year = 0;
    ++t.century;
}

void Rtc146818::on_update(uint64_t deadline) {
    tick_second();
    flags_ |= kUF;
    auto matches = [this](uint8_t alarm, uint8_t now) {
        return (alarm & 0xC0) == 0xC0 || alarm == now;
    };
    if (matches(cmos_[kSecondsAlarm], encode(time_.sec)) &&
        matches(cmos_[kMinutesAlarm], encode(time_.min)) &&
        matches(cmos_[kHoursAlarm], encode_hour(time_.hour))) {
        flags_ |= kAF;
    }
    next_update_ns_ = deadline + kSecondNs;
    rearm_update();
    update_irq();
}

void Rtc146818::rearm_update() {
    if (!running() || set_mode()) {
        update_timer_.cancel();
        return;
    }
    uint64_t now = scheduler_.now_ns();
    if (next_update_ns_ < now)
        next_update_ns_ += (now - next_update_ns_ + kSecondNs - 1) / kSecondNs * kSecondNs;
    update_timer_.arm_at(next_update_ns_);
}

uint64_t Rtc146818::periodic_ticks() const {
    unsigned rs = cmos_[kRegA] & 0x0F;
    if (rs == 0 || !running()) return 0;
    if (rs < 3) rs += 7;  // 256 Hz and 128 Hz
    return 1ull << (rs - 1);
}

uint64_t Rtc146818::tick32(uint64_t ns) const {
    if (ns < periodic_origin_ns_) return 0;
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ns - periodic_origin_ns_) * 32768 /
                                 kSecondNs);
}

void Rtc146818::refresh_pf() {
    uint64_t period = periodic_ticks();
    uint64_t now = tick32(scheduler_.now_ns());
    if (period && now / period > pf_mark_ / period) flags_ |= kPF;
    pf_mark_ = now;
}

void Rtc146818::rearm_periodic() {
    uint64_t period = periodic_ticks();
    if (!period || !(cmos_[kRegB] & 0x40)) {
        periodic_timer_.cancel();
        return;
    }
    uint64_t next = (tick32(scheduler_.now_ns()) / period + 1) * period;
    auto ns =
        static_cast<uint64_t>((static_cast<unsigned __int128>(next) * kSecondNs + 32767) / 32768);
    periodic_timer_.arm_at(periodic_origin_ns_ + ns);
}

void Rtc146818::on_periodic(uint64_t) {
    flags_ |= kPF;
    pf_mark_ = tick32(scheduler_.now_ns());
    rearm_periodic();
    update_irq();
}

void Rtc146818::update_irq() {
    irq8_.set_level(flags_ & cmos_[kRegB] & 0x70);
}

void Rtc146818::save(StateWriter& w) const {
    w.begin_section("rtc146818", 1);
    w.bytes(cmos_);
    for (uint8_t v : {time_.sec, time_.min, time_.hour, time_.dow, time_.day, time_.month,
                      time_.year, time_.century, index_, flags_}) {
        w.u8(v);
    }
    w.boolean(nmi_masked_);
    w.u64(next_update_ns_);
    w.u64(periodic_origin_ns_);
    w.u64(pf_mark_);
    w.end_section();
}

void Rtc146818::load(StateReader& r) {
    r.begin_section("rtc146818", 1);
    std::array<uint8_t, 128> cmos;
    r.bytes(cmos);
    Time t;
    uint8_t index, flags;
    for (uint8_t* v :
         {&t.sec, &t.min, &t.hour, &t.dow, &t.day, &t.month, &t.year, &t.century, &index, &flags}) {
        *v = r.u8();
    }
    bool nmi = r.boolean();
    uint64_t next_update = r.u64();
    uint64_t origin = r.u64();
    uint64_t mark = r.u64();
    r.end_section();
    if (index > 0x7F || (flags & ~0x70))
        throw StateError("state: rtc146818 registers out of range");
    // Time fields hold whatever the guest wrote; the update logic copes.
    cmos_ = cmos;
    time_ = t;
    index_ = index;
    flags_ = flags;
    nmi_masked_ = nmi;
    next_update_ns_ = next_update;
    periodic_origin_ns_ = origin;
    pf_mark_ = mark;
    rearm_update();
    rearm_periodic();
    update_irq();
}

}  // namespace sandpc
