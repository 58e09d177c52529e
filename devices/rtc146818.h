// Motorola MC146818 real-time clock and 128 bytes of CMOS RAM at 0x70/0x71
// (bit 7 of the index write is the NMI mask, which the machine reads back
// through nmi_masked()).
//
// The clock starts from the epoch the caller passes (host time normally, a
// fixed time for deterministic runs) and advances one second per virtual
// second through a scheduler timer: the update cycle increments the time,
// compares the alarm (0xC0-0xFF in an alarm byte is "don't care") and sets UF.
// UIP in register A reads 1 during the 244 us before each update. The
// periodic interrupt follows the rate in register A on a 32.768 kHz grid;
// PF is set even with PIE off (computed on reading register C, no timer),
// and with PIE on a timer raises IRQ8 each period. Reading register C clears
// the flags and drops IRQ8.
//
// The time is kept in binary and encoded on each read per register B (BCD or
// binary, 12 or 24 hour), so switching modes shows the same time in the new
// format; the real chip would show the old bytes. DSE (daylight saving) is
// ignored. Divider values other than 010 stop the clock; leaving the
// divider reset (11x) starts the first update 500 ms later.
//
// Snapshots hold the registers, the time, the flags and the next update and
// periodic grid times; load() re-arms both timers from them.
#pragma once

#include <array>
#include <cstdint>

#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/scheduler.h"

namespace sandpc {

class Rtc146818 {
  public:
    enum Reg : uint8_t {
        kSeconds = 0x00,
        kSecondsAlarm = 0x01,
        kMinutes = 0x02,
        kMinutesAlarm = 0x03,
        kHours = 0x04,
        kHoursAlarm = 0x05,
        kDayOfWeek = 0x06,
        kDayOfMonth = 0x07,
        kMonth = 0x08,
        kYear = 0x09,
        kRegA = 0x0A,
        kRegB = 0x0B,
        kRegC = 0x0C,
        kRegD = 0x0D,
        kCentury = 0x32,
    };
    static constexpr uint64_t kUipNs = 244'000;

    Rtc146818(IoBus& bus, Scheduler& scheduler, InterruptLine irq8, int64_t start_unix_seconds);

    uint8_t read_port(unsigned index);  // 0 = 0x70, 1 = 0x71
    void write_port(unsigned index, uint8_t value);
    bool nmi_masked() const { return nmi_masked_; }

    // Plain NVRAM bytes (0x0E-0x7F except the century), for machine setup.
    uint8_t nvram(unsigned index) const { return cmos_[index & 0x7F]; }
    void set_nvram(unsigned index, uint8_t value);

    // Seconds since 1970 of the current clock contents (for tests and hosts).
    int64_t unix_time() const;

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    struct Time {
        uint8_t sec = 0, min = 0, hour = 0, dow = 1, day = 1, month = 1, year = 0, century = 19;
    };

    bool running() const { return (cmos_[kRegA] & 0x70) == 0x20; }
    bool set_mode() const { return cmos_[kRegB] & 0x80; }
    uint8_t encode(uint8_t v) const;
    uint8_t decode(uint8_t v) const;
    uint8_t encode_hour(uint8_t hour) const;
    uint8_t read_register(uint8_t reg);
    void write_register(uint8_t reg, uint8_t value);
    void tick_second();
    void on_update(uint64_t deadline);
    void on_periodic(uint64_t deadline);
    void rearm_update();
    void rearm_periodic();
    uint64_t periodic_ticks() const;  // period in 32.768 kHz ticks, 0 = off
    uint64_t tick32(uint64_t ns) const;
    void refresh_pf();
    void update_irq();

    Scheduler& scheduler_;
    InterruptLine irq8_;
    std::array<uint8_t, 128> cmos_{};
    Time time_;
    uint8_t index_ = 0;
    bool nmi_masked_ = false;
    uint8_t flags_ = 0;            // register C bits 6-4
    uint64_t next_update_ns_ = 0;  // while running and not SET
    uint64_t periodic_origin_ns_ = 0;
    uint64_t pf_mark_ = 0;  // tick32 when PF was last evaluated
    Timer update_timer_;
    Timer periodic_timer_;
    IoBus::Mapping ports_;
};

}  // namespace sandpc
