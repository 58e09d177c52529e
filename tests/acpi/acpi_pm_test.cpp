#include "devices/acpi_pm/acpi_pm.h"

#include <gtest/gtest.h>

#include <memory>

namespace sandpc {
namespace {

constexpr uint64_t kPmTimerHz = 3'579'545;  // ACPI specification

class LevelSink : public IrqSink {
  public:
    void set_irq_level(unsigned irq, bool level) override {
        last_irq = irq;
        this->level = level;
    }
    unsigned last_irq = ~0u;
    bool level = false;
};

// Ticks after `ns` nanoseconds, computed independently of the device.
uint64_t expected_ticks(uint64_t ns) {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ns) * kPmTimerHz / 1'000'000'000);
}

class AcpiPmTest : public ::testing::Test {
  protected:
    explicit AcpiPmTest(AcpiPmConfig config = {}) { make(config); }

    void make(AcpiPmConfig config) {
        pm.reset();
        pm = std::make_unique<AcpiPm>(
            bus, scheduler, InterruptLine(sink, 9), config, [this] { ++power_offs; },
            [this] { ++resets; });
        base = config.base;
    }

    // Advances virtual time to `ns` (10 ns per instruction) and runs timers.
    void run_to_ns(uint64_t ns) {
        uint64_t target = ns / 10;
        while (scheduler.instructions() < target) {
            uint64_t step = std::min(target - scheduler.instructions(),
                                     scheduler.instructions_until_next_event());
            scheduler.advance(step);
            scheduler.run_due_events();
        }
        scheduler.run_due_events();
    }

    uint16_t status() { return bus.read16(base + AcpiPm::kPm1Event); }
    uint16_t port(uint16_t offset) const { return static_cast<uint16_t>(base + offset); }

    IoBus bus;
    Scheduler scheduler;
    LevelSink sink;
    int power_offs = 0;
    int resets = 0;
    uint16_t base = 0;
    std::unique_ptr<AcpiPm> pm;
};

TEST_F(AcpiPmTest, TimerCountsAt3579545HzOfVirtualTime) {
    for (uint64_t ns : {0ull, 10ull, 280ull, 1'000'000ull, 1'234'567'890ull, 4'000'000'000ull}) {
        run_to_ns(ns);
        EXPECT_EQ(bus.read32(port(AcpiPm::kPmTimer)), expected_ticks(ns) & 0xFFFFFF) << ns;
    }
    uint32_t before = bus.read32(port(AcpiPm::kPmTimer));
    run_to_ns(scheduler.now_ns() + 1'000'000'000);
    uint32_t after = bus.read32(port(AcpiPm::kPmTimer));
    uint32_t ticks = (after - before) & 0xFFFFFF;
    EXPECT_NEAR(double(ticks), double(kPmTimerHz), 1.0);
}

TEST_F(AcpiPmTest, TimerIsTwentyFourBitsUnlessConfiguredWider) {
    uint64_t ns = 10'000'000'000;  // 35.8 M ticks: past 2^24 and 2^25
    run_to_ns(ns);
    EXPECT_GT(expected_ticks(ns), 0xFFFFFFu);
    EXPECT_EQ(bus.read32(port(AcpiPm::kPmTimer)), expected_ticks(ns) & 0xFFFFFF);
    make({.base = 0xB000, .timer_32bit = true});
    EXPECT_EQ(bus.read32(port(AcpiPm::kPmTimer)), expected_ticks(ns));
    // Byte and word reads see the same counter.
    uint32_t bytes = 0;
    for (int i = 0; i < 4; ++i) bytes |= uint32_t(bus.read8(port(AcpiPm::kPmTimer + i))) << (8 * i);
    EXPECT_EQ(bytes, expected_ticks(ns));
}

TEST_F(AcpiPmTest, TimerStatusSetsWhenTheTopBitChangesAndClearsOnWriteOne) {
    uint64_t first_change_ns = 0;
    while (expected_ticks(first_change_ns) < (1u << 23)) first_change_ns += 1'000;
    // Find the exact instruction (10 ns granularity) at which bit 23 sets.
    while (expected_ticks(first_change_ns - 10) >= (1u << 23)) first_change_ns -= 10;
    run_to_ns(first_change_ns - 10);
    EXPECT_EQ(status() & AcpiPm::kTmrSts, 0);
    run_to_ns(first_change_ns);
    EXPECT_NE(status() & AcpiPm::kTmrSts, 0);
    bus.write16(port(AcpiPm::kPm1Event), 0);  // writing 0 clears nothing
    EXPECT_NE(status() & AcpiPm::kTmrSts, 0);
    bus.write16(port(AcpiPm::kPm1Event), AcpiPm::kTmrSts);
    EXPECT_EQ(status() & AcpiPm::kTmrSts, 0);
    // Bit 23 changes again (1 -> 0) at 2^24 ticks.
    run_to_ns(first_change_ns * 2 - 1'000);
    EXPECT_EQ(status() & AcpiPm::kTmrSts, 0);
    run_to_ns(first_change_ns * 2 + 1'000);
    EXPECT_NE(status() & AcpiPm::kTmrSts, 0);
}

TEST_F(AcpiPmTest, TimerSciFollowsStatusAndEnableWithoutPolling) {
    EXPECT_FALSE(sink.level);
    bus.write16(port(AcpiPm::kPm1Event + 2), AcpiPm::kTmrSts);  // TMR_EN
    EXPECT_EQ(bus.read16(port(AcpiPm::kPm1Event + 2)), AcpiPm::kTmrSts);
    EXPECT_FALSE(sink.level);
    // The device armed a timer for the change: skipping to it raises the SCI.
    ASSERT_TRUE(scheduler.skip_to_next_event());
    EXPECT_EQ(sink.last_irq, 9u);
    EXPECT_TRUE(sink.level);
    EXPECT_TRUE(pm->sci_level());
    EXPECT_GE(expected_ticks(scheduler.now_ns()), 1u << 23);
    // ... at the first instruction boundary (10 ns) after it.
    EXPECT_LT(expected_ticks(scheduler.now_ns() - 10), 1u << 23);
    bus.write16(port(AcpiPm::kPm1Event), AcpiPm::kTmrSts);
    EXPECT_FALSE(sink.level);
    // Disabling TMR_EN leaves the status latching but keeps the SCI low.
    bus.write16(port(AcpiPm::kPm1Event + 2), 0);
    EXPECT_FALSE(scheduler.skip_to_next_event());
    run_to_ns(scheduler.now_ns() + 5'000'000'000);
    EXPECT_NE(status() & AcpiPm::kTmrSts, 0);
    EXPECT_FALSE(sink.level);
    // Enabling with the status already set asserts at once.
    bus.write8(port(AcpiPm::kPm1Event + 2), 0x01);
    EXPECT_TRUE(sink.level);
}

TEST_F(AcpiPmTest, PowerButtonStatusIsWriteOneToClearAndGatedByItsEnable) {
    pm->press_power_button();
    EXPECT_NE(status() & AcpiPm::kPwrBtnSts, 0);
    EXPECT_FALSE(sink.level);
    bus.write8(port(AcpiPm::kPm1Event + 3), AcpiPm::kPwrBtnSts >> 8);  // PWRBTN_EN, high byte
    EXPECT_TRUE(sink.level);
    bus.write8(port(AcpiPm::kPm1Event), 0xFF);  // low byte only: PWRBTN_STS stays
    EXPECT_NE(status() & AcpiPm::kPwrBtnSts, 0);
    EXPECT_TRUE(sink.level);
    bus.write8(port(AcpiPm::kPm1Event + 1), AcpiPm::kPwrBtnSts >> 8);
    EXPECT_EQ(status() & AcpiPm::kPwrBtnSts, 0);
    EXPECT_FALSE(sink.level);
}

TEST_F(AcpiPmTest, SleepEnableWithTheS5TypePowersOffAndOtherwiseNot) {
    auto control = [&](unsigned type, bool enable) {
        return static_cast<uint16_t>(type << AcpiPm::kSlpTypShift | (enable ? AcpiPm::kSlpEn : 0));
    };
    // What an OS does: the type first, then the type with SLP_EN.
    bus.write16(port(AcpiPm::kPm1Control), control(AcpiPm::kS5SleepType, false));
    EXPECT_EQ(power_offs, 0);
    for (unsigned type = 0; type < 8; ++type) {
        if (type == AcpiPm::kS5SleepType) continue;
        bus.write16(port(AcpiPm::kPm1Control), control(type, true));
        EXPECT_EQ(power_offs, 0) << type;
        // SLP_EN reads 0, SLP_TYP keeps the value, SCI_EN is always set.
        EXPECT_EQ(bus.read16(port(AcpiPm::kPm1Control)), control(type, false) | AcpiPm::kSciEn);
    }
    bus.write16(port(AcpiPm::kPm1Control), control(AcpiPm::kS5SleepType, true));
    EXPECT_EQ(power_offs, 1);
    // A byte write of the high half (where SLP_TYP and SLP_EN live) works too.
    bus.write8(port(AcpiPm::kPm1Control + 1), control(AcpiPm::kS5SleepType, true) >> 8);
    EXPECT_EQ(power_offs, 2);
    EXPECT_EQ(resets, 0);
}

TEST_F(AcpiPmTest, SciEnableStaysOnWithoutAnSmiCommandPort) {
    bus.write16(port(AcpiPm::kPm1Control), 0);
    EXPECT_EQ(bus.read16(port(AcpiPm::kPm1Control)) & AcpiPm::kSciEn, AcpiPm::kSciEn);
}

TEST_F(AcpiPmTest, ResetRegisterResetsOnTheCpuResetBit) {
    bus.write8(port(AcpiPm::kReset), 0x02);
    EXPECT_EQ(resets, 0);
    EXPECT_EQ(bus.read8(port(AcpiPm::kReset)), 0x02);
    bus.write8(port(AcpiPm::kReset), AcpiPm::kResetValue);
    EXPECT_EQ(resets, 1);
    bus.write8(port(AcpiPm::kReset), AcpiPm::kResetValue);
    EXPECT_EQ(resets, 2);
    EXPECT_EQ(power_offs, 0);
}

TEST_F(AcpiPmTest, Gpe0HasNoSourcesButKeepsItsEnable) {
    bus.write16(port(AcpiPm::kGpe0), 0xFFFF);
    bus.write16(port(AcpiPm::kGpe0 + 2), 0xA5C3);
    EXPECT_EQ(bus.read16(port(AcpiPm::kGpe0)), 0);
    EXPECT_EQ(bus.read16(port(AcpiPm::kGpe0 + 2)), 0xA5C3);
    EXPECT_FALSE(sink.level);
    // Reserved offsets read 0 and ignore writes.
    bus.write16(port(0x06), 0xFFFF);
    EXPECT_EQ(bus.read16(port(0x06)), 0);
    EXPECT_EQ(bus.read8(port(0x1F)), 0);
}

TEST_F(AcpiPmTest, SaveAndLoadKeepRegistersAndTheArmedTimer) {
    run_to_ns(1'000'000'000);
    pm->press_power_button();
    bus.write16(port(AcpiPm::kPm1Event + 2), AcpiPm::kTmrSts | AcpiPm::kPwrBtnSts);
    bus.write16(port(AcpiPm::kPm1Control), 3 << AcpiPm::kSlpTypShift);
    bus.write16(port(AcpiPm::kGpe0 + 2), 0x0042);
    bus.write8(port(AcpiPm::kReset), 0x02);
    StateWriter w;
    scheduler.save(w);
    pm->save(w);
    std::vector<uint8_t> state = w.take();

    IoBus bus2;
    Scheduler scheduler2;
    LevelSink sink2;
    int power_offs2 = 0;
    AcpiPm pm2(bus2, scheduler2, InterruptLine(sink2, 9), {}, [&] { ++power_offs2; }, {});
    StateReader r(state);
    scheduler2.load(r);
    pm2.load(r);
    for (uint16_t offset : {0x00, 0x02, 0x04, 0x08, 0x0C, 0x0E}) {
        EXPECT_EQ(bus2.read16(port(offset)), bus.read16(port(offset))) << offset;
    }
    EXPECT_EQ(bus2.read8(port(AcpiPm::kReset)), 0x02);
    EXPECT_TRUE(sink2.level);  // PWRBTN_STS & PWRBTN_EN re-driven on load
    bus2.write16(port(AcpiPm::kPm1Event), AcpiPm::kPwrBtnSts);
    EXPECT_FALSE(sink2.level);
    ASSERT_TRUE(scheduler2.skip_to_next_event());  // the TMR_EN timer was re-armed
    EXPECT_TRUE(sink2.level);
}

TEST_F(AcpiPmTest, LoadRejectsBitsTheDeviceDoesNotHave) {
    auto corrupt = [&](size_t payload_offset, uint8_t value) {
        StateWriter w;
        pm->save(w);
        std::vector<uint8_t> state = w.take();
        // Section: name length (4), "acpi_pm" (7), version (4), length (8), payload.
        size_t payload = 4 + 7 + 4 + 8;
        state[payload + payload_offset] = value;
        // Fix the CRC so only the content check can refuse it.
        std::span<const uint8_t> body(state.data() + payload, state.size() - payload - 4);
        uint32_t crc = crc32_of(body);
        for (int i = 0; i < 4; ++i)
            state[state.size() - 4 + i] = static_cast<uint8_t>(crc >> (8 * i));
        return state;
    };
    std::vector<uint8_t> good = corrupt(1, 0);  // status 0: valid
    {
        StateReader r(good);
        EXPECT_NO_THROW(pm->load(r));
    }
    for (auto [offset, value] : {std::pair<size_t, uint8_t>{1, 0x02},  // status bit 1
                                 {3, 0x02},                            // enable bit 1
                                 {5, 0x00},                            // SCI_EN clear
                                 {0, 0x01},                            // 32-bit timer
                                 {9, 0x04}}) {                         // reset bit 2
        std::vector<uint8_t> bad = corrupt(offset, value);
        StateReader r(bad);
        EXPECT_THROW(pm->load(r), StateError) << offset;
    }
}

}  // namespace
}  // namespace sandpc
