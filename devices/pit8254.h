// Intel 8254 programmable interval timer at 0x40-0x43, clocked at
// 1.193182 MHz of virtual time.
//
// Counters are not ticked: each one remembers when its current count started
// (in PIT clocks) and its value and OUT are computed from the elapsed clocks.
// For counter 0, whose OUT drives IRQ0, the next OUT transition is computed
// and a scheduler timer armed for it, so there is no per-tick work.
//
// Modes 0-5 with the gate rules of the datasheet, binary and BCD counting,
// LSB/MSB/LSB-then-MSB access, counter latch and read-back commands, null
// count and status. Simplification: a count is taken into the counting
// element at the write itself, not at the next clock falling edge (one PIT
// clock, 838 ns, earlier than the chip). Mode 3 with an odd count is high for
// (N+1)/2 and low for (N-1)/2 clocks; its read-back values are approximate.
//
// Snapshots hold every counter's registers and start clock; load() re-arms
// the counter 0 timer and re-drives IRQ0 from that state (run it after the
// scheduler's and the PIC's load()).
#pragma once

#include <array>
#include <cstdint>

#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/scheduler.h"

namespace sandpc {

class Pit8254 {
  public:
    static constexpr uint64_t kClockHz = 1'193'182;

    Pit8254(IoBus& bus, Scheduler& scheduler, InterruptLine irq0);

    uint8_t read_port(unsigned index);  // index 0-3 = ports 0x40-0x43
    void write_port(unsigned index, uint8_t value);

    // Gates 0 and 1 are tied high on a PC; gate 2 comes from port 0x61.
    void set_gate(unsigned counter, bool level);
    bool gate(unsigned counter) const { return counters_[counter].gate; }
    bool output(unsigned counter) const;
    // Programmed initial count (binary, 1..65536 / 1..10000), 0 if none.
    uint32_t initial_count(unsigned counter) const { return counters_[counter].initial; }

    uint64_t now_clock() const;

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    struct Counter {
        uint8_t mode = 0;        // 0-5 (6 and 7 fold to 2 and 3)
        uint8_t rw = 3;          // 1 LSB, 2 MSB, 3 LSB then MSB
        uint8_t control = 0x36;  // low six bits of the control word, for status
        bool bcd = false;
        bool gate = true;
        uint32_t initial = 0;  // N from the count register, binary 1..modulus
        bool has_count = false;
        bool null_count = true;
        // Counting segment.
        bool counting = false;
        uint64_t start = 0;         // PIT clock the segment began
        uint32_t start_value = 0;   // count at start (1..modulus)
        bool done = false;          // mode 0: OUT already high; 4/5: strobe given
        uint32_t next_initial = 0;  // modes 2/3: count to take at switch_at
        uint64_t switch_at = 0;
        uint32_t held_value = 0;  // value while not counting
        bool held_out = true;
        // Host interface state.
        bool write_msb_next = false;
        uint8_t lsb_written = 0;
        bool read_msb_next = false;
        bool count_latched = false;
        uint16_t latch = 0;
        bool latch_msb_next = false;
        bool status_latched = false;
        uint8_t status = 0;
    };

    uint32_t modulus(const Counter& c) const { return c.bcd ? 10000 : 65536; }
    void sync(Counter& c, uint64_t t) const;                // take a pending mode 2/3 count
    uint32_t value_at(const Counter& c, uint64_t t) const;  // 0..modulus-1
    bool out_at(const Counter& c, uint64_t t) const;
    uint64_t next_change(const Counter& c, uint64_t t) const;  // kNever: none
    void start(Counter& c, uint64_t t, uint32_t value, bool done);
    void hold(Counter& c, uint64_t t);
    void load_count(Counter& c, uint32_t raw);
    void write_control(uint8_t value);
    void latch_count(Counter& c);
    uint8_t read_counter(Counter& c);
    uint16_t encoded_value(const Counter& c, uint64_t t) const;
    void update_irq0();
    void on_timer(uint64_t deadline_ns);

    Scheduler& scheduler_;
    InterruptLine irq0_;
    std::array<Counter, 3> counters_;
    Timer timer_;
    IoBus::Mapping ports_;
};

}  // namespace sandpc
