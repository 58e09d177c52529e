// x87 loops through the CPU: decode, the escape handler, the x87 unit and
// the host arithmetic behind it ("MIPS" = guest instructions per second).
// Each loop starts with FNINIT: the power-on control word unmasks everything.
#include "benchmarks/cpu/loop_runner.h"

namespace {

using sandpc::bench::run_loop;

// fninit; fld1; fld1; then fmul st0,st1; fadd st0,st1 (twice); jmp back.
void BM_X87MulAddChain(benchmark::State& state) {
    run_loop(state, {0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xD8, 0xC9, 0xD8, 0xC1, 0xD8, 0xC9, 0xD8,
                     0xC1, 0xEB, 0xF6});
}
// fninit; fld1; fld1; then x = sqrt(x) + 1: fsqrt; fadd st0,st1; jmp back.
void BM_X87Sqrt(benchmark::State& state) {
    run_loop(state, {0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xFA, 0xD8, 0xC1, 0xEB, 0xFA});
}
// fninit; fld1; fld1; then x = sin(x) + 1: fsin; fadd st0,st1; jmp back.
void BM_X87Sin(benchmark::State& state) {
    run_loop(state, {0xDB, 0xE3, 0xD9, 0xE8, 0xD9, 0xE8, 0xD9, 0xFE, 0xD8, 0xC1, 0xEB, 0xFA});
}
// fninit; then fld qword [esi]; fmul qword [esi+8]; fstp qword [edi]; jmp back (memory operands).
void BM_X87LoadMulStore(benchmark::State& state) {
    run_loop(state, {0xDB, 0xE3, 0xDD, 0x06, 0xDC, 0x4E, 0x08, 0xDD, 0x1F, 0xEB, 0xF7});
}
BENCHMARK(BM_X87MulAddChain);
BENCHMARK(BM_X87Sqrt);
BENCHMARK(BM_X87Sin);
BENCHMARK(BM_X87LoadMulStore);

}  // namespace
