// RDMSR, WRMSR and RDPMC executed by the CPU (real mode, CPL 0) on the P6
// performance-monitoring and machine-check registers.
#include <gtest/gtest.h>

#include <cstring>
#include <optional>

#include "cpu/cpu.h"
#include "cpu/cpuid.h"
#include "snapshot/state_stream.h"
#include "tests/support/ram_only_bus.h"

namespace sandpc {
namespace {

constexpr uint32_t kRam = 1u << 20;
constexpr uint32_t kCode = 0x1000;

struct TestCpu {
    RamOnlyBus bus{kRam};
    Cpu cpu{bus, CpuConfig{kRam}};
    TestCpu() { cpu.set_stop_on_exception(true); }

    // Runs one instruction with ECX/EAX/EDX set; true if it completed, false
    // if it raised #GP(0) (any other stop fails the test).
    bool execute(std::initializer_list<uint8_t> insn, uint32_t ecx, uint32_t eax = 0,
                 uint32_t edx = 0) {
        std::memcpy(bus.ram.data() + kCode, std::data(insn), insn.size());
        cpu.invalidate_physical(kCode, uint32_t(insn.size()));  // drop the decoded block
        cpu.set_segment_cache(CS, 0, 0, 0xFFFF, 0x9B);
        cpu.s.eip = kCode;
        cpu.s.gpr[ECX] = ecx;
        cpu.s.gpr[EAX] = eax;
        cpu.s.gpr[EDX] = edx;
        StopReason r = cpu.run(1);
        if (r == StopReason::kException) {
            EXPECT_EQ(cpu.stopped_exception().vector, kGeneralProtection);
            EXPECT_EQ(cpu.stopped_exception().error_code, 0u);
            EXPECT_EQ(cpu.s.eip, kCode);  // faulting instruction, nothing committed
            return false;
        }
        EXPECT_EQ(cpu.s.eip, kCode + insn.size());
        return true;
    }
    std::optional<uint64_t> rdmsr(uint32_t msr) {
        if (!execute({0x0F, 0x32}, msr, 0xDEADBEEF, 0xDEADBEEF)) return std::nullopt;
        return uint64_t(cpu.s.gpr[EDX]) << 32 | cpu.s.gpr[EAX];
    }
    bool wrmsr(uint32_t msr, uint64_t v) {
        return execute({0x0F, 0x30}, msr, uint32_t(v), uint32_t(v >> 32));
    }
    std::optional<uint64_t> rdpmc(uint32_t counter) {
        if (!execute({0x0F, 0x33}, counter)) return std::nullopt;
        return uint64_t(cpu.s.gpr[EDX]) << 32 | cpu.s.gpr[EAX];
    }
};

TEST(Cpuid, DeclaresMachineCheckButNoApicOrSse) {
    TestCpu t;
    ASSERT_TRUE(t.execute({0x0F, 0xA2}, 0, 1));
    uint32_t d = t.cpu.s.gpr[EDX];
    EXPECT_EQ(d, cpuid_leaf(1).edx);
    EXPECT_TRUE(d & cpuid_edx::MCE);
    EXPECT_TRUE(d & cpuid_edx::MCA);
    EXPECT_TRUE(d & cpuid_edx::MSR);
    EXPECT_FALSE(d & cpuid_edx::APIC);
    EXPECT_FALSE(d & (1u << 25));  // SSE
    EXPECT_EQ(t.cpu.s.gpr[EAX], 0x0633u);
}

TEST(PerfCounters, EventSelectsHoldWrittenValues) {
    TestCpu t;
    EXPECT_EQ(t.rdmsr(0x186), 0u);  // reset: disabled
    EXPECT_EQ(t.rdmsr(0x187), 0u);
    EXPECT_TRUE(t.wrmsr(0x186, 0xFFDFFFFF));  // every defined bit, EN included
    EXPECT_TRUE(t.wrmsr(0x187, 0xFF9FFFFF));  // every defined bit: no EN
    EXPECT_EQ(t.rdmsr(0x186), 0xFFDFFFFFu);
    EXPECT_EQ(t.rdmsr(0x187), 0xFF9FFFFFu);
}

TEST(PerfCounters, ReservedEventSelectBitsFaultAndChangeNothing) {
    TestCpu t;
    ASSERT_TRUE(t.wrmsr(0x186, 0x004300C0));
    ASSERT_TRUE(t.wrmsr(0x187, 0x00030079));
    for (uint64_t bad : {1ull << 21, 1ull << 32, 1ull << 63}) {
        EXPECT_FALSE(t.wrmsr(0x186, 0x004300C0 | bad)) << std::hex << bad;
        EXPECT_FALSE(t.wrmsr(0x187, 0x00030079 | bad)) << std::hex << bad;
    }
    EXPECT_FALSE(t.wrmsr(0x187, 1u << 22));  // EN exists only in PerfEvtSel0
    EXPECT_EQ(t.rdmsr(0x186), 0x004300C0u);
    EXPECT_EQ(t.rdmsr(0x187), 0x00030079u);
}

TEST(PerfCounters, CountersAre40BitsSignExtendedFromBit31) {
    TestCpu t;
    // Linux's PMU probe: read, flip the low 16 bits, write, read back.
    std::optional<uint64_t> v = t.rdmsr(0xC1);
    ASSERT_TRUE(v);
    ASSERT_TRUE(t.wrmsr(0xC1, *v ^ 0xFFFF));
    EXPECT_EQ(t.rdmsr(0xC1), *v ^ 0xFFFF);

    EXPECT_TRUE(t.wrmsr(0xC2, 0x1234567880000001ull));  // EDX ignored
    EXPECT_EQ(t.rdmsr(0xC2), 0xFF80000001ull);
    EXPECT_TRUE(t.wrmsr(0xC2, 0xFFFFFFFF7FFFFFFFull));
    EXPECT_EQ(t.rdmsr(0xC2), 0x7FFFFFFFull);
}

TEST(PerfCounters, RdpmcReadsBothCountersAndFaultsBeyond) {
    TestCpu t;
    ASSERT_TRUE(t.wrmsr(0xC1, 0x11111111));
    ASSERT_TRUE(t.wrmsr(0xC2, 0x92222222));
    EXPECT_EQ(t.rdpmc(0), 0x11111111u);
    EXPECT_EQ(t.rdpmc(1), 0xFF92222222ull);
    EXPECT_FALSE(t.rdpmc(2));
}

TEST(PerfCounters, NoOtherCountersExist) {
    TestCpu t;
    for (uint32_t msr : {0xC0u, 0xC3u, 0x185u, 0x188u, 0x38Fu}) {
        EXPECT_FALSE(t.rdmsr(msr)) << std::hex << msr;
        EXPECT_FALSE(t.wrmsr(msr, 0)) << std::hex << msr;
    }
}

TEST(MachineCheck, CapabilitySaysFiveBanksAndGlobalControl) {
    TestCpu t;
    EXPECT_EQ(t.rdmsr(0x179), 0x105u);
    EXPECT_FALSE(t.wrmsr(0x179, 0x105));  // read-only
    EXPECT_EQ(t.rdmsr(0x17B), 0u);
    EXPECT_TRUE(t.wrmsr(0x17B, ~0ull));
    EXPECT_EQ(t.rdmsr(0x17B), ~0ull);
    EXPECT_TRUE(t.wrmsr(0x17A, 0x5));
    EXPECT_EQ(t.rdmsr(0x17A), 0x5u);
    EXPECT_FALSE(t.wrmsr(0x17A, 0x8));
    EXPECT_TRUE(t.wrmsr(0x17A, 0));
    EXPECT_EQ(t.rdmsr(0x17A), 0u);
}

TEST(MachineCheck, BankRegistersFollowTheP6Rules) {
    TestCpu t;
    for (uint32_t bank = 0; bank < 5; ++bank) {
        uint32_t base = 0x400 + 4 * bank;
        SCOPED_TRACE(bank);
        EXPECT_EQ(t.rdmsr(base), 0u);
        EXPECT_TRUE(t.wrmsr(base, ~0ull));  // all 1s or all 0s only
        EXPECT_EQ(t.rdmsr(base), ~0ull);
        EXPECT_FALSE(t.wrmsr(base, 0xFF));
        EXPECT_EQ(t.rdmsr(base), ~0ull);
        EXPECT_TRUE(t.wrmsr(base, 0));
        EXPECT_EQ(t.rdmsr(base), 0u);
        for (uint32_t reg : {base + 1, base + 2}) {  // STATUS, ADDR: no error, clear with 0
            EXPECT_EQ(t.rdmsr(reg), 0u);
            EXPECT_TRUE(t.wrmsr(reg, 0));
            EXPECT_FALSE(t.wrmsr(reg, 1));
        }
        EXPECT_FALSE(t.rdmsr(base + 3));  // MISC: not implemented on a P6
        EXPECT_FALSE(t.wrmsr(base + 3, 0));
    }
    EXPECT_FALSE(t.rdmsr(0x414));  // a sixth bank does not exist
    EXPECT_FALSE(t.wrmsr(0x414, 0));
}

TEST(ModelSpecificRegisters, SavedStateKeepsThem) {
    TestCpu a;
    ASSERT_TRUE(a.wrmsr(0x186, 0x004300C0));
    ASSERT_TRUE(a.wrmsr(0xC2, 0x80000000));
    ASSERT_TRUE(a.wrmsr(0x17B, ~0ull));
    ASSERT_TRUE(a.wrmsr(0x404, ~0ull));
    StateWriter w;
    a.cpu.save(w);
    std::vector<uint8_t> bytes = w.take();
    TestCpu b;
    StateReader r(bytes);
    b.cpu.load(r);
    EXPECT_EQ(b.rdmsr(0x186), 0x004300C0u);
    EXPECT_EQ(b.rdmsr(0xC2), 0xFF80000000ull);
    EXPECT_EQ(b.rdmsr(0x17B), ~0ull);
    EXPECT_EQ(b.rdmsr(0x404), ~0ull);
    EXPECT_EQ(b.rdmsr(0x400), 0u);
}

// A version-2 "cpu" section (written before these MSRs existed) still
// loads, with them at their reset values: the v3 stream cut back to v2.
TEST(ModelSpecificRegisters, VersionTwoStateLoadsWithThemReset) {
    TestCpu a;
    ASSERT_TRUE(a.wrmsr(0x186, 0x004300C0));
    ASSERT_TRUE(a.wrmsr(0x17B, ~0ull));
    StateWriter w;
    a.cpu.save(w);
    std::vector<uint8_t> bytes = w.take();
    auto u32_at = [&](size_t at) {
        return uint32_t(bytes[at]) | uint32_t(bytes[at + 1]) << 8 | uint32_t(bytes[at + 2]) << 16 |
               uint32_t(bytes[at + 3]) << 24;
    };
    auto put32 = [&](size_t at, uint32_t v) {
        for (unsigned i = 0; i < 4; ++i) bytes[at + i] = uint8_t(v >> (8 * i));
    };
    // name length, "cpu", version, payload length (u64), payload, CRC.
    ASSERT_EQ(u32_at(0), 3u);
    ASSERT_EQ(u32_at(7), 3u);
    size_t payload = 19, length = u32_at(11);
    constexpr size_t kMsrBytes = 2 * 16 + 16 + 5 * 8;
    size_t v2_length = length - kMsrBytes;
    bytes.erase(bytes.begin() + long(payload + v2_length), bytes.begin() + long(payload + length));
    put32(7, 2);
    put32(11, uint32_t(v2_length));
    put32(payload + v2_length,
          crc32_of(std::span<const uint8_t>(bytes.data() + payload, v2_length)));

    TestCpu b;
    ASSERT_TRUE(b.wrmsr(0x186, 0x00430079));  // must be reset by the load
    StateReader r(bytes);
    b.cpu.load(r);
    EXPECT_EQ(b.rdmsr(0x186), 0u);
    EXPECT_EQ(b.rdmsr(0x17B), 0u);
    EXPECT_EQ(b.cpu.s.eip, a.cpu.s.eip);
}

}  // namespace
}  // namespace sandpc
