#include "devices/rtc146818.h"

#include <gtest/gtest.h>

#include "device_test_util.h"
#include "devices/cmos_layout.h"

namespace sandpc {
namespace {

using test::run_until;

constexpr int64_t kLeapDayEvening = 1709251198;  // 2024-02-29 23:59:58 UTC, a Thursday
constexpr uint64_t kSecond = 1'000'000'000;

class RtcTest : public ::testing::Test {
  protected:
    uint8_t reg(uint8_t index) {
        bus.write8(0x70, index);
        return bus.read8(0x71);
    }
    void set_reg(uint8_t index, uint8_t value) {
        bus.write8(0x70, index);
        bus.write8(0x71, value);
    }

    Scheduler sched{1'000'000'000};
    IoBus bus;
    test::RecordingIrqSink irqs{sched};
    Rtc146818 rtc{bus, sched, InterruptLine(irqs, 8), kLeapDayEvening};
};

TEST_F(RtcTest, StartsAtEpochInBcdAndRollsOverLeapDay) {
    EXPECT_EQ(reg(0x00), 0x58);
    EXPECT_EQ(reg(0x02), 0x59);
    EXPECT_EQ(reg(0x04), 0x23);
    EXPECT_EQ(reg(0x06), 0x05);  // Thursday (Sunday = 1)
    EXPECT_EQ(reg(0x07), 0x29);
    EXPECT_EQ(reg(0x08), 0x02);
    EXPECT_EQ(reg(0x09), 0x24);
    EXPECT_EQ(reg(0x32), 0x20);
    EXPECT_EQ(reg(0x0D), 0x80);
    run_until(sched, 2 * kSecond);
    EXPECT_EQ(reg(0x00), 0x00);
    EXPECT_EQ(reg(0x04), 0x00);
    EXPECT_EQ(reg(0x06), 0x06);
    EXPECT_EQ(reg(0x07), 0x01);
    EXPECT_EQ(reg(0x08), 0x03);
    EXPECT_EQ(rtc.unix_time(), kLeapDayEvening + 2);
}

TEST_F(RtcTest, CenturyRollover) {
    Scheduler s{1'000'000'000};
    IoBus b;
    Rtc146818 r{b, s, InterruptLine(), 946684799};  // 1999-12-31 23:59:59, Friday
    run_until(s, kSecond);
    b.write8(0x70, 0x09);
    EXPECT_EQ(b.read8(0x71), 0x00);
    b.write8(0x70, 0x32);
    EXPECT_EQ(b.read8(0x71), 0x20);
    b.write8(0x70, 0x06);
    EXPECT_EQ(b.read8(0x71), 0x07);  // Saturday
}

TEST_F(RtcTest, BinaryAnd12HourModes) {
    set_reg(0x0B, 0x82);         // SET while changing the time
    set_reg(0x04, 0x13);         // 13h in BCD 24h mode
    set_reg(0x0B, 0x04);         // binary, 12 hour
    EXPECT_EQ(reg(0x04), 0x81);  // 1 PM
    EXPECT_EQ(reg(0x00), 58);
    set_reg(0x04, 0x8C);  // 12 PM = noon
    set_reg(0x0B, 0x06);  // binary, 24 hour
    EXPECT_EQ(reg(0x04), 12);
    set_reg(0x0B, 0x04);
    set_reg(0x04, 0x0C);  // 12 AM = midnight
    set_reg(0x0B, 0x02);
    EXPECT_EQ(reg(0x04), 0x00);
}

TEST_F(RtcTest, UpdateInProgressIsSetFor244usBeforeTheUpdate) {
    // The first update after power-on is one second in.
    run_until(sched, kSecond - Rtc146818::kUipNs - 1);
    EXPECT_EQ(reg(0x0A), 0x26);
    run_until(sched, kSecond - Rtc146818::kUipNs);
    EXPECT_EQ(reg(0x0A), 0xA6);
    EXPECT_EQ(reg(0x00), 0x58);
    run_until(sched, kSecond);
    EXPECT_EQ(reg(0x0A), 0x26);
    EXPECT_EQ(reg(0x00), 0x59);
}

TEST_F(RtcTest, SetBitFreezesTheClockAndClearsUie) {
    set_reg(0x0B, 0x12);  // UIE
    set_reg(0x0B, 0x92);
    EXPECT_EQ(reg(0x0B), 0x82);
    run_until(sched, 3 * kSecond);
    EXPECT_EQ(reg(0x00), 0x58);
    EXPECT_EQ(reg(0x0A) & 0x80, 0);
    set_reg(0x00, 0x30);
    set_reg(0x0B, 0x02);
    run_until(sched, 4 * kSecond + 1);
    EXPECT_EQ(reg(0x00), 0x31);
}

TEST_F(RtcTest, UpdateEndedInterruptAndRegisterCClears) {
    set_reg(0x0B, 0x12);
    run_until(sched, kSecond);
    ASSERT_EQ(irqs.rising[8].size(), 1u);
    EXPECT_EQ(irqs.rising[8][0], kSecond);
    EXPECT_TRUE(irqs.levels[8]);
    EXPECT_EQ(reg(0x0C) & 0xB0, 0x90);  // PF may be set too (rate 6 runs)
    EXPECT_FALSE(irqs.levels[8]);
    EXPECT_EQ(reg(0x0C) & 0xB0, 0x00);
}

TEST_F(RtcTest, PeriodicInterruptAt1024Hz) {
    set_reg(0x0B, 0x42);  // PIE
    uint64_t period = (kSecond + 1023) / 1024;
    for (int i = 1; i <= 5; ++i) {
        run_until(sched, static_cast<uint64_t>(i) * kSecond / 1024 + 1);
        ASSERT_EQ(irqs.rising[8].size(), static_cast<size_t>(i));
        EXPECT_EQ(reg(0x0C), 0xC0);  // IRQF + PF; the handler's read re-arms the line
    }
    EXPECT_EQ(irqs.rising[8][0], period);
    // Rate 15 = 2 Hz.
    set_reg(0x0A, 0x2F);
    size_t before = irqs.rising[8].size();
    run_until(sched, kSecond / 2 + 1);
    reg(0x0C);
    run_until(sched, kSecond + 1);
    reg(0x0C);
    EXPECT_EQ(irqs.rising[8].size() - before, 2u);
}

TEST_F(RtcTest, PeriodicFlagSetWithoutInterruptEnable) {
    run_until(sched, 2'000'000);
    EXPECT_EQ(reg(0x0C), 0x40);  // PF without IRQF
    EXPECT_TRUE(irqs.rising[8].empty());
    set_reg(0x0A, 0x20);  // rate 0: no periodic flag
    run_until(sched, 4'000'000);
    EXPECT_EQ(reg(0x0C), 0x00);
}

TEST_F(RtcTest, AlarmWithDontCareBytes) {
    set_reg(0x01, 0x01);            // second 01
    set_reg(0x03, 0xC0);            // any minute
    set_reg(0x05, 0xFF);            // any hour
    set_reg(0x0B, 0x22);            // AIE
    run_until(sched, 2 * kSecond);  // 23:59:59, then 00:00:00
    EXPECT_TRUE(irqs.rising[8].empty());
    run_until(sched, 3 * kSecond);  // 00:00:01
    ASSERT_EQ(irqs.rising[8].size(), 1u);
    EXPECT_EQ(reg(0x0C) & 0xB0, 0xB0);  // IRQF, AF, UF
}

TEST_F(RtcTest, NmiMaskBitAndNvram) {
    bus.write8(0x70, 0x80 | 0x20);
    EXPECT_TRUE(rtc.nmi_masked());
    bus.write8(0x71, 0x5A);
    bus.write8(0x70, 0x20);
    EXPECT_FALSE(rtc.nmi_masked());
    EXPECT_EQ(bus.read8(0x71), 0x5A);
    set_reg(0x7F, 0xA5);
    EXPECT_EQ(rtc.nvram(0x7F), 0xA5);
}

TEST_F(RtcTest, StandardPcCmosLayoutAndChecksum) {
    PcCmosConfig cfg;
    cfg.ram_bytes = 64ull << 20;
    cfg.floppy_a = FloppyType::k1440K;
    cfg.hard_disk0_type = 47;
    fill_pc_cmos(rtc, cfg);
    EXPECT_EQ(reg(0x10), 0x40);
    EXPECT_EQ(reg(0x12), 0xF0);
    EXPECT_EQ(reg(0x19), 47);
    EXPECT_EQ(reg(0x14), 0x03);  // one floppy, FPU, EGA/VGA
    EXPECT_EQ(reg(0x15) | reg(0x16) << 8, 640);
    EXPECT_EQ(reg(0x17) | reg(0x18) << 8, 63 * 1024);
    EXPECT_EQ(reg(0x30) | reg(0x31) << 8, 63 * 1024);
    EXPECT_EQ(reg(0x34) | reg(0x35) << 8, 48 * 16);
    unsigned sum = 0;
    for (uint8_t i = 0x10; i <= 0x2D; ++i) sum += reg(i);
    EXPECT_EQ(reg(0x2E) << 8 | reg(0x2F), sum & 0xFFFF);
    cfg.ram_bytes = 8ull << 30;  // capped fields
    fill_pc_cmos(rtc, cfg);
    EXPECT_EQ(reg(0x17) | reg(0x18) << 8, 0xFFFF);
    EXPECT_EQ(reg(0x34) | reg(0x35) << 8, 0xFFFF);
}

TEST_F(RtcTest, SaveLoadRoundTripKeepsTimersAndTime) {
    set_reg(0x0B, 0x52);  // PIE + UIE
    set_reg(0x40, 0x77);
    run_until(sched, kSecond / 2);
    reg(0x0C);
    StateWriter w;
    sched.save(w);
    rtc.save(w);

    Scheduler s2{1};
    IoBus b2;
    test::RecordingIrqSink irqs2{s2};
    Rtc146818 r2{b2, s2, InterruptLine(irqs2, 8), 0};
    StateReader rd(w.data());
    s2.load(rd);
    r2.load(rd);
    EXPECT_EQ(r2.unix_time(), rtc.unix_time());
    EXPECT_EQ(s2.next_deadline_ns(), sched.next_deadline_ns());
    run_until(sched, 3 * kSecond);
    run_until(s2, 3 * kSecond);
    EXPECT_EQ(r2.unix_time(), rtc.unix_time());
    b2.write8(0x70, 0x40);
    EXPECT_EQ(b2.read8(0x71), 0x77);
    b2.write8(0x70, 0x0C);
    EXPECT_EQ(b2.read8(0x71), reg(0x0C));

    std::vector<uint8_t> bad = w.data();
    bad.resize(bad.size() - 10);
    StateReader rb(bad);
    Scheduler s3;
    IoBus b3;
    Rtc146818 r3{b3, s3, InterruptLine(), 0};
    s3.load(rb);
    EXPECT_THROW(r3.load(rb), StateError);
}

}  // namespace
}  // namespace sandpc
