// Runs a guest code loop in flat 32-bit protected mode (CPL 0, paging on,
// 4 MiB identity page) and reports guest instructions per second ("MIPS").
// SANDPC_CPU=jit runs the loops on the JIT instead of the interpreter.
#pragma once

#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "cpu/cpu.h"
#include "tests/support/ram_only_bus.h"
#include "tests/support/test_cpu_engine.h"

namespace sandpc::bench {

constexpr uint32_t kLoopRam = 4u << 20;
constexpr uint32_t kLoopCode = 0x1000;

// `loop` must never end (a backward jump closes it); execution starts at its
// first byte. Returns the guest instructions run (a REP string instruction
// counts once, however many iterations it makes).
inline uint64_t run_loop(benchmark::State& state, const std::vector<uint8_t>& loop) {
    RamOnlyBus bus(kLoopRam);
    Cpu cpu(bus, CpuConfig{kLoopRam});
    TestCpuEngine engine;
    engine.attach(cpu);
    std::memcpy(bus.ram.data() + kLoopCode, loop.data(), loop.size());
    uint32_t pd = 0x3000;
    uint32_t pde = 0x83;  // 4 MiB page, present, writable
    std::memcpy(bus.ram.data() + pd, &pde, 4);
    cpu.s.cr4 = cr4::PSE;
    cpu.s.cr3 = pd;
    cpu.s.cr0 = cr0::PE | cr0::MP | cr0::ET | cr0::NE | cr0::PG;
    for (unsigned seg = 0; seg < 6; ++seg)
        cpu.set_segment_cache(seg, seg == CS ? 8 : 16, 0, 0xFFFFFFFF, seg == CS ? 0xCF9B : 0xCF93);
    cpu.flush_tlb(false);
    cpu.s.eip = kLoopCode;
    cpu.s.gpr[ESP] = 0x200000;
    cpu.s.gpr[ESI] = 0x100000;
    cpu.s.gpr[EDI] = 0x180000;
    uint64_t total = 0;
    for (auto _ : state) {
        uint64_t before = cpu.instruction_count();
        cpu.run(1000000);
        total += cpu.instruction_count() - before;
    }
    state.counters["MIPS"] =
        benchmark::Counter(static_cast<double>(total) / 1e6, benchmark::Counter::kIsRate);
    return total;
}

}  // namespace sandpc::bench
