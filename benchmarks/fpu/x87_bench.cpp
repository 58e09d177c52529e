// Cost of one x87 instruction through X87::execute(), register operands.
#include <benchmark/benchmark.h>

#include <cstring>

#include "cpu/fpu/x87.h"

namespace sandpc {
namespace {

class NoMemory : public X87Memory {
  public:
    void read(uint32_t, void* dst, unsigned len) override { std::memset(dst, 0, len); }
    void write(uint32_t, const void*, unsigned) override {}
};

X87Instruction reg(uint8_t op, uint8_t modrm) {
    X87Instruction insn;
    insn.opcode = op;
    insn.modrm = modrm;
    return insn;
}

// Two values on the stack: ST(0) = 1, ST(1) = 1.
X87 two_ones() {
    X87 fpu;
    fpu.fninit();
    NoMemory m;
    fpu.execute(reg(0xd9, 0xe8), m);  // FLD1
    fpu.execute(reg(0xd9, 0xe8), m);
    return fpu;
}

void run_chain(benchmark::State& state, X87Instruction insn) {
    X87 fpu = two_ones();
    NoMemory m;
    for (auto _ : state) {
        fpu.execute(insn, m);
        benchmark::DoNotOptimize(fpu.st(0));
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_FaddChain(benchmark::State& state) {
    run_chain(state, reg(0xd8, 0xc1));
}  // FADD ST, ST(1)
void BM_FmulChain(benchmark::State& state) {
    run_chain(state, reg(0xd8, 0xc9));
}  // FMUL ST, ST(1)
void BM_Fsqrt(benchmark::State& state) {
    run_chain(state, reg(0xd9, 0xfa));
}
void BM_Fsin(benchmark::State& state) {
    run_chain(state, reg(0xd9, 0xfe));
}
void BM_Fxch(benchmark::State& state) {
    run_chain(state, reg(0xd9, 0xc9));
}  // no host x87

BENCHMARK(BM_FaddChain);
BENCHMARK(BM_FmulChain);
BENCHMARK(BM_Fsqrt);
BENCHMARK(BM_Fsin);
BENCHMARK(BM_Fxch);

}  // namespace
}  // namespace sandpc

BENCHMARK_MAIN();
