#include "devices/pit8254.h"

#include <gtest/gtest.h>

#include "device_test_util.h"
#include "devices/system_control_port_b.h"

namespace sandpc {
namespace {

using test::pit_ns;
using test::run_until;

class PitTest : public ::testing::Test {
  protected:
    // Power-on drives OUT0 high once; tests count edges after that.
    PitTest() { irqs.rising[0].clear(); }

    uint16_t read_latched(unsigned counter) {
        bus.write8(0x43, static_cast<uint8_t>(counter << 6));
        uint8_t lo = bus.read8(0x40 + counter);
        uint8_t hi = bus.read8(0x40 + counter);
        return static_cast<uint16_t>(lo | hi << 8);
    }
    void program(unsigned counter, uint8_t mode, uint16_t count, bool bcd = false) {
        bus.write8(0x43, static_cast<uint8_t>(counter << 6 | 0x30 | mode << 1 | bcd));
        bus.write8(0x40 + counter, static_cast<uint8_t>(count));
        bus.write8(0x40 + counter, static_cast<uint8_t>(count >> 8));
    }

    Scheduler sched{1'000'000'000};  // 1 ns per instruction
    IoBus bus;
    test::RecordingIrqSink irqs{sched};
    Pit8254 pit{bus, sched, InterruptLine(irqs, 0)};
    SystemControlPortB port61{bus, sched, pit};
};

TEST_F(PitTest, Mode2RateGeneratorRaisesIrq0EveryPeriod) {
    program(0, 2, 1193);
    EXPECT_TRUE(irqs.levels[0]);
    run_until(sched, 10'000'000);
    const auto& edges = irqs.rising[0];
    // OUT pulses low for one clock at count 1, rising when the count reloads.
    ASSERT_EQ(edges.size(), 10u);
    for (size_t k = 0; k < edges.size(); ++k) {
        EXPECT_EQ(edges[k], pit_ns(1193 * (k + 1))) << k;
    }
}

TEST_F(PitTest, Mode3SquareWaveWithFullCountIs18Hz) {
    program(0, 3, 0);
    run_until(sched, 1'000'000'000);
    // 1193182 / 65536 = 18.2 periods per second.
    EXPECT_EQ(irqs.rising[0].size(), 18u);
    EXPECT_EQ(irqs.rising[0][0], pit_ns(65536));
    // 1193182 mod 65536 = 13534 clocks into the period: high half.
    EXPECT_TRUE(pit.output(0));
    run_until(sched, pit_ns(19 * 65536));
    EXPECT_TRUE(pit.output(0));
    run_until(sched, pit_ns(19 * 65536 + 32767));
    EXPECT_TRUE(pit.output(0));
    run_until(sched, pit_ns(19 * 65536 + 32768));
    EXPECT_FALSE(pit.output(0));
}

TEST_F(PitTest, Mode0InterruptsOnTerminalCountOnce) {
    program(0, 0, 100);
    EXPECT_FALSE(irqs.levels[0]);
    run_until(sched, pit_ns(40));
    EXPECT_EQ(read_latched(0), 60);
    run_until(sched, pit_ns(100));
    ASSERT_EQ(irqs.rising[0].size(), 1u);
    EXPECT_EQ(irqs.rising[0][0], pit_ns(100));
    run_until(sched, pit_ns(200));
    EXPECT_TRUE(irqs.levels[0]);
    EXPECT_EQ(read_latched(0), 0x10000 - 100);  // keeps counting, wrapped
    EXPECT_EQ(irqs.rising[0].size(), 1u);
    EXPECT_FALSE(sched.instructions_until_next_event() != Scheduler::kNever);
}

TEST_F(PitTest, CounterLatchFreezesTheReadValue) {
    run_until(sched, 1000);
    program(2, 2, 1000);
    port61.write(0x01);
    uint64_t t0 = sched.now_ns();
    uint64_t c0 = pit.now_clock();
    run_until(sched, t0 + 50'000);
    bus.write8(0x43, 0x80);  // latch counter 2
    uint16_t expected = static_cast<uint16_t>(1000 - (pit.now_clock() - c0) % 1000);
    run_until(sched, t0 + 80'000);
    bus.write8(0x43, 0x80);  // a second latch before reading is ignored
    EXPECT_EQ(bus.read8(0x42), expected & 0xFF);
    EXPECT_EQ(bus.read8(0x42), expected >> 8);
    // After the latch is read, reads follow the counter again.
    uint16_t live = static_cast<uint16_t>(bus.read8(0x42) | bus.read8(0x42) << 8);
    EXPECT_EQ(live, 1000 - (pit.now_clock() - c0) % 1000);
}

TEST_F(PitTest, LsbOnlyAndMsbOnlyAccess) {
    port61.write(0x01);
    bus.write8(0x43, 0x94);  // counter 2, LSB only, mode 2
    bus.write8(0x42, 200);
    EXPECT_EQ(pit.initial_count(2), 200u);
    EXPECT_EQ(bus.read8(0x42), 200);
    run_until(sched, pit_ns(150));
    EXPECT_EQ(bus.read8(0x42), 50);
    bus.write8(0x43, 0xA4);  // MSB only
    bus.write8(0x42, 0x12);
    EXPECT_EQ(pit.initial_count(2), 0x1200u);
    EXPECT_EQ(bus.read8(0x42), 0x12);
}

TEST_F(PitTest, ReadBackStatusAndCount) {
    bus.write8(0x43, 0xB2);                          // counter 2, lo/hi, mode 1, binary
    bus.write8(0x43, 0xE8);                          // read-back status of counter 2
    EXPECT_EQ(bus.read8(0x42), 0x80 | 0x40 | 0x32);  // OUT high, null count
    bus.write8(0x42, 0x10);
    bus.write8(0x42, 0x00);
    bus.write8(0x43, 0xE8);
    EXPECT_EQ(bus.read8(0x42) & 0x40, 0x40);  // mode 1 waits for a trigger
    port61.write(0x01);                       // gate rising: trigger
    bus.write8(0x43, 0xC8);                   // status and count of counter 2
    EXPECT_EQ(bus.read8(0x42), 0x32);         // OUT low, count loaded
    EXPECT_EQ(bus.read8(0x42), 0x10);
    EXPECT_EQ(bus.read8(0x42), 0x00);
    run_until(sched, sched.now_ns() + pit_ns(16) + 1);
    EXPECT_TRUE(pit.output(2));  // one-shot finished
}

TEST_F(PitTest, Port61GateAndOut2AsLinuxCalibrates) {
    port61.write(0x00);
    program(2, 0, 1000);
    EXPECT_EQ(bus.read8(0x61) & 0x20, 0);
    run_until(sched, 100'000);
    EXPECT_EQ(read_latched(2), 1000);  // gate low: not counting
    port61.write(0x01);
    uint64_t start = pit.now_clock();
    run_until(sched, pit_ns(start + 999));
    EXPECT_EQ(bus.read8(0x61) & 0x21, 0x01);
    run_until(sched, pit_ns(start + 1000));
    EXPECT_EQ(bus.read8(0x61) & 0x21, 0x21);
}

TEST_F(PitTest, Mode0GateLowPausesCounting) {
    port61.write(0x01);
    program(2, 0, 500);
    run_until(sched, pit_ns(100));
    port61.write(0x00);
    run_until(sched, pit_ns(1000));
    EXPECT_EQ(read_latched(2), 400);
    EXPECT_FALSE(pit.output(2));
    port61.write(0x01);
    run_until(sched, pit_ns(1399));
    EXPECT_FALSE(pit.output(2));
    run_until(sched, pit_ns(1400));
    EXPECT_TRUE(pit.output(2));
}

TEST_F(PitTest, RefreshBitTogglesEvery15us) {
    uint8_t a = bus.read8(0x61) & 0x10;
    run_until(sched, SystemControlPortB::kRefreshToggleNs);
    uint8_t b = bus.read8(0x61) & 0x10;
    run_until(sched, 2 * SystemControlPortB::kRefreshToggleNs);
    EXPECT_NE(a, b);
    EXPECT_EQ(bus.read8(0x61) & 0x10, a);
}

TEST_F(PitTest, BcdCounting) {
    port61.write(0x01);
    program(2, 2, 0x1000, true);  // 1000 decimal
    run_until(sched, pit_ns(1));
    run_until(sched, pit_ns(1 + 1000 + 3));
    // 4 clocks into the second period: 1000 - 4 = 996.
    EXPECT_EQ(read_latched(2), 0x0996);
}

TEST_F(PitTest, Mode4SoftwareStrobe) {
    program(0, 4, 50);
    EXPECT_TRUE(irqs.levels[0]);
    run_until(sched, pit_ns(50));
    EXPECT_FALSE(irqs.levels[0]);
    run_until(sched, pit_ns(51));
    EXPECT_TRUE(irqs.levels[0]);
    EXPECT_EQ(irqs.rising[0].size(), 1u);
    run_until(sched, pit_ns(70000));
    EXPECT_EQ(irqs.rising[0].size(), 1u);  // one strobe per count written
}

TEST_F(PitTest, Mode2NewCountTakesEffectAtEndOfPeriod) {
    program(0, 2, 1000);
    run_until(sched, pit_ns(300));
    bus.write8(0x40, 0xF4);  // 500
    bus.write8(0x40, 0x01);
    run_until(sched, pit_ns(2100));
    ASSERT_GE(irqs.rising[0].size(), 3u);
    EXPECT_EQ(irqs.rising[0][0], pit_ns(1000));
    EXPECT_EQ(irqs.rising[0][1], pit_ns(1500));
    EXPECT_EQ(irqs.rising[0][2], pit_ns(2000));
}

TEST_F(PitTest, SaveLoadKeepsTheIrq0Schedule) {
    program(0, 2, 1193);
    port61.write(0x03);
    program(2, 3, 2000);
    run_until(sched, 3'500'000);
    StateWriter w;
    sched.save(w);
    pit.save(w);
    port61.save(w);

    Scheduler sched2{1};
    IoBus bus2;
    test::RecordingIrqSink irqs2{sched2};
    Pit8254 pit2{bus2, sched2, InterruptLine(irqs2, 0)};
    SystemControlPortB port61b{bus2, sched2, pit2};
    irqs2.rising[0].clear();
    irqs2.levels[0] = irqs.levels[0];  // the PIC already holds this level
    StateReader r(w.data());
    sched2.load(r);
    pit2.load(r);
    port61b.load(r);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(sched2.next_deadline_ns(), sched.next_deadline_ns());
    run_until(sched, 8'000'000);
    run_until(sched2, 8'000'000);
    std::vector<uint64_t> tail(irqs.rising[0].end() - irqs2.rising[0].size(), irqs.rising[0].end());
    EXPECT_EQ(irqs2.rising[0], tail);
    EXPECT_EQ(irqs2.rising[0].size(), 5u);
    EXPECT_EQ(bus2.read8(0x61), bus.read8(0x61));
    EXPECT_EQ(bus2.read8(0x42), bus.read8(0x42));

    std::vector<uint8_t> bad = w.data();
    bad[bad.size() / 2] ^= 0x5A;
    StateReader rb(bad);
    Scheduler s4;
    IoBus b4;
    Pit8254 p4{b4, s4, InterruptLine()};
    s4.load(rb);
    EXPECT_THROW(p4.load(rb), StateError);
}

}  // namespace
}  // namespace sandpc
