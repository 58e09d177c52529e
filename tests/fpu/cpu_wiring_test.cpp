// The CPU around the x87 unit: #NM/#UD/#MF/#GP rules, FERR#/IGNNE# with
// CR0.NE = 0, CPUID feature bits and the FPU in the CPU's saved state.
// (Arithmetic is compared with the host in tests/diff/x87_diff_test.cpp.)
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "cpu/cpu.h"
#include "snapshot/state_stream.h"
#include "tests/support/ram_only_bus.h"

namespace sandpc {
namespace {

constexpr uint32_t kRam = 1u << 20;
constexpr uint32_t kCode = 0x1000;

class FerrBus : public RamOnlyBus {
  public:
    FerrBus() : RamOnlyBus(kRam) {}
    void set_ferr(bool on) override { ferr_calls.push_back(on); }
    std::vector<bool> ferr_calls;
};

// Real mode, CS = DS = 0, code at 0:1000.
struct Machine {
    FerrBus bus;
    Cpu cpu{bus, CpuConfig{kRam}};
    explicit Machine(std::vector<uint8_t> code, uint32_t cr0_bits = cr0::NE) {
        if (!code.empty()) std::memcpy(bus.ram.data() + kCode, code.data(), code.size());
        cpu.set_stop_on_exception(true);
        cpu.s.cr0 = cr0::ET | cr0_bits;
        cpu.set_segment_cache(CS, 0, 0, 0xFFFF, 0x9B);
        cpu.s.eip = kCode;
    }
    StopReason run(uint64_t n = 100) { return cpu.run(n); }
    uint8_t vector() const { return cpu.stopped_exception().vector; }
};

// fninit; fldcw [0x2000] (all unmasked); fldz; fld1; fdiv st0,st1 (ZE); fwait
const std::vector<uint8_t> kDivideByZeroThenWait = {0xDB, 0xE3, 0xD9, 0x2E, 0x00, 0x20, 0xD9,
                                                    0xEE, 0xD9, 0xE8, 0xD8, 0xF1, 0x9B};
constexpr uint32_t kWaitEip = kCode + 12;

void unmask_all(Machine& m) {
    m.bus.ram[0x2000] = 0x40;
    m.bus.ram[0x2001] = 0x03;
}

TEST(CpuX87Wiring, EscapeWithEmOrTsIsNm) {
    for (uint32_t bit : {cr0::EM, cr0::TS}) {
        Machine m({0xD9, 0xE8}, cr0::NE | bit);
        EXPECT_EQ(m.run(), StopReason::kException);
        EXPECT_EQ(m.vector(), kDeviceNotAvailable);
        EXPECT_EQ(m.cpu.s.eip, kCode);
    }
}

TEST(CpuX87Wiring, WaitNeedsMpAndTsForNm) {
    Machine ts_only({0x9B, 0xF4}, cr0::NE | cr0::TS);
    ts_only.run(1);
    EXPECT_EQ(ts_only.cpu.s.eip, kCode + 1);
    Machine both({0x9B}, cr0::NE | cr0::TS | cr0::MP);
    EXPECT_EQ(both.run(), StopReason::kException);
    EXPECT_EQ(both.vector(), kDeviceNotAvailable);
}

TEST(CpuX87Wiring, MmxAndFxsaveWithEmAreUd) {
    Machine mmx({0x0F, 0xEF, 0xC0}, cr0::NE | cr0::EM);  // pxor mm0, mm0
    mmx.run();
    EXPECT_EQ(mmx.vector(), kInvalidOpcode);
    Machine fx({0x0F, 0xAE, 0x06, 0x00, 0x30}, cr0::NE | cr0::EM);  // fxsave [0x3000]
    fx.run();
    EXPECT_EQ(fx.vector(), kInvalidOpcode);
}

TEST(CpuX87Wiring, PendingExceptionIsMfWithNe) {
    Machine m(kDivideByZeroThenWait);
    unmask_all(m);
    EXPECT_EQ(m.run(), StopReason::kException);
    EXPECT_EQ(m.vector(), kFpuError);
    EXPECT_EQ(m.cpu.s.eip, kWaitEip);
    EXPECT_TRUE(m.cpu.fpu.exception_pending());
    EXPECT_TRUE(m.bus.ferr_calls.empty());
}

TEST(CpuX87Wiring, PendingExceptionWithoutNeAssertsFerrAndWaits) {
    Machine m(kDivideByZeroThenWait, 0);
    unmask_all(m);
    EXPECT_EQ(m.run(), StopReason::kHalted);
    EXPECT_EQ(m.cpu.s.eip, kWaitEip);
    ASSERT_EQ(m.bus.ferr_calls, std::vector<bool>{true});
    EXPECT_TRUE(m.cpu.ferr());
    // Still waiting: nothing runs until an interrupt or IGNNE#.
    EXPECT_EQ(m.run(), StopReason::kHalted);
    EXPECT_EQ(m.cpu.s.eip, kWaitEip);
    m.cpu.set_ignne(true);
    m.cpu.s.halted = false;
    m.bus.ram[kWaitEip + 1] = 0xDB;  // fnclex after the wait
    m.bus.ram[kWaitEip + 2] = 0xE2;
    m.run(2);
    EXPECT_EQ(m.cpu.s.eip, kWaitEip + 3);
    EXPECT_FALSE(m.cpu.fpu.exception_pending());
    EXPECT_EQ(m.bus.ferr_calls, (std::vector<bool>{true, false}));
}

TEST(CpuX87Wiring, UndefinedEscapeIsUdBeforeMf) {
    std::vector<uint8_t> code = kDivideByZeroThenWait;
    code.back() = 0xD9;  // D9 D1: undefined
    code.push_back(0xD1);
    Machine m(code);
    unmask_all(m);
    m.run();
    EXPECT_EQ(m.vector(), kInvalidOpcode);
}

TEST(CpuX87Wiring, FxsaveAlignmentAndFxrstorMxcsr) {
    Machine misaligned({0x0F, 0xAE, 0x06, 0x08, 0x30});  // fxsave [0x3008]
    misaligned.run();
    EXPECT_EQ(misaligned.vector(), kGeneralProtection);
    Machine bad({0x0F, 0xAE, 0x0E, 0x00, 0x30});  // fxrstor [0x3000]
    bad.bus.ram[0x3000 + 24 + 2] = 1;             // MXCSR bit 16: reserved
    bad.run();
    EXPECT_EQ(bad.vector(), kGeneralProtection);
    EXPECT_EQ(bad.cpu.s.mxcsr, 0x1F80u);
}

TEST(CpuX87Wiring, CpuidReportsFpuMmxFxsrNoSse) {
    Machine m({0x0F, 0xA2});
    m.cpu.s.gpr[EAX] = 1;
    m.run(1);
    uint32_t d = m.cpu.s.gpr[EDX];
    for (unsigned bit : {0u, 8u, 15u, 23u, 24u}) EXPECT_TRUE(d >> bit & 1) << bit;
    for (unsigned bit : {25u, 26u}) EXPECT_FALSE(d >> bit & 1) << bit;
}

TEST(CpuX87Wiring, SavedStateKeepsTheFpu) {
    Machine m({0xD9, 0xEB, 0xD9, 0xE8});  // fldpi; fld1
    m.run(2);
    StateWriter w;
    m.cpu.save(w);
    std::vector<uint8_t> bytes = w.take();
    Machine other({});
    StateReader r(bytes);
    other.cpu.load(r);
    for (unsigned i = 0; i < 8; ++i) EXPECT_EQ(other.cpu.fpu.physical(i), m.cpu.fpu.physical(i));
    EXPECT_EQ(other.cpu.fpu.status_word(), m.cpu.fpu.status_word());
    EXPECT_EQ(other.cpu.fpu.tag_word(), m.cpu.fpu.tag_word());
    EXPECT_EQ(other.cpu.fpu.fip(), m.cpu.fpu.fip());
}

}  // namespace
}  // namespace sandpc
