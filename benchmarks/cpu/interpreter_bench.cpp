// Interpreter speed in guest instructions per second on small 32-bit loops
// (reported as the "MIPS" counter), and the cost of a TLB-hit load.
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "benchmarks/cpu/loop_runner.h"
#include "cpu/cpu.h"
#include "tests/support/ram_only_bus.h"

namespace {

using namespace sandpc;

constexpr uint32_t kRam = sandpc::bench::kLoopRam;
using sandpc::bench::run_loop;

// add eax,ebx; xor ecx,eax; sub edx,ecx; inc esi; dec ebx; jnz -> loop (6 insns)
void BM_AluLoop(benchmark::State& state) {
    run_loop(state, {0x01, 0xD8, 0x31, 0xC1, 0x29, 0xCA, 0x46, 0x4B, 0x75, 0xF6, 0xEB, 0xF4});
}
// mov eax,[esi]; add [edi],eax; mov [esi+4],edx; add esi,4; and esi,0x10FFFF; jmp
void BM_MemoryLoop(benchmark::State& state) {
    run_loop(state, {0x8B, 0x06, 0x01, 0x07, 0x89, 0x56, 0x04, 0x83, 0xC6, 0x04, 0x81, 0xE6, 0xFF,
                     0xFF, 0x10, 0x00, 0xEB, 0xEE});
}
// mov ecx,256; mov esi,0x100000; mov edi,0x180000; rep movsd; jmp: 5
// instructions per KiB copied. "MIPS" counts the whole REP as one
// instruction, so "MB/s" is the number to read here.
void BM_RepMovsd(benchmark::State& state) {
    uint64_t insns = run_loop(state, {0xB9, 0x00, 0x01, 0x00, 0x00, 0xBE, 0x00, 0x00, 0x10, 0x00,
                                      0xBF, 0x00, 0x00, 0x18, 0x00, 0xF3, 0xA5, 0xEB, 0xED});
    state.counters["MB/s"] = benchmark::Counter(static_cast<double>(insns / 5) * 1024 / 1e6,
                                                benchmark::Counter::kIsRate);
}
// Branchy: test eax,1; jz +2; inc ebx; (2 bytes) ; add eax,3; cmp eax,ecx; jb/ja mix
void BM_BranchyLoop(benchmark::State& state) {
    run_loop(state, {0xA8, 0x01, 0x74, 0x01, 0x43, 0x83, 0xC0, 0x03, 0x39, 0xC8, 0x72, 0xF4, 0x31,
                     0xC0, 0xEB, 0xF0});
}
BENCHMARK(BM_AluLoop);
BENCHMARK(BM_MemoryLoop);
BENCHMARK(BM_RepMovsd);
BENCHMARK(BM_BranchyLoop);

// One TLB-hit 32-bit load through the segment check and the TLB.
void BM_TlbHitLoad(benchmark::State& state) {
    RamOnlyBus bus(kRam);
    Cpu cpu(bus, CpuConfig{kRam});
    for (unsigned seg = 0; seg < 6; ++seg)
        cpu.set_segment_cache(seg, 0, 0, 0xFFFFFFFF, seg == CS ? 0xCF9B : 0xCF93);
    uint32_t sum = 0, off = 0x1000;
    cpu.read<uint32_t>(DS, off);
    for (auto _ : state) {
        sum += cpu.read<uint32_t>(DS, off);
        off ^= 4;
        benchmark::DoNotOptimize(sum);
    }
}
BENCHMARK(BM_TlbHitLoad);

}  // namespace

BENCHMARK_MAIN();
