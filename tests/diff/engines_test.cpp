// The interpreter and the JIT (every block compiled on first use) run the
// same random instruction sequences and must end in the same state: all
// registers and EFLAGS bits (undefined ones included: both engines share the
// handlers' choices), the exception, every memory byte written, the x87/MMX
// state and the instruction count. No host CPU is involved.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "tests/diff/emulated_runner.h"
#include "tests/diff/sequence_generator.h"
#include "tests/diff/test_env.h"

namespace sandpc {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kDefaultCount = 20000;
#else
constexpr uint64_t kDefaultCount = 100000;
#endif

std::string difference(const EmulatedResult& a, const EmulatedResult& b) {
    std::string why;
    if (a.vector != b.vector || a.error_code != b.error_code) why += "exception; ";
    if (std::memcmp(&a.regs, &b.regs, sizeof a.regs) != 0) why += "registers; ";
    if (a.instructions != b.instructions) why += "instruction count; ";
    if (a.fxsave_out != b.fxsave_out) why += "x87 state; ";
    bool same_memory = a.changes.size() == b.changes.size();
    for (size_t i = 0; same_memory && i < a.changes.size(); ++i)
        same_memory = std::memcmp(&a.changes[i], &b.changes[i], sizeof(DiffChange)) == 0;
    if (!same_memory) why += "memory; ";
    return why;
}

TEST(Engines, JitAndInterpreterEndInTheSameState) {
    uint64_t count = env_u64("SANDPC_ENGINES_COUNT", kDefaultCount);
    EmulatedRunner interpreter(true, RunnerEngine::kInterpreter);
    EmulatedRunner jit(true, RunnerEngine::kJit);
    GeneratorOptions options;
    options.low_area = true;
    options.max_insns = 16;  // longer blocks: more translations meet in one block
    SequenceGenerator gen(20261124, options);
    std::mt19937_64 rng(99);
    uint64_t failures = 0, faults = 0;
    for (uint64_t i = 0; i < count; ++i) {
        Sequence seq = gen.next();
        std::vector<uint8_t> code = seq.code();
        DiffRequest req{};
        req.data_seed = static_cast<uint32_t>(rng());
        for (unsigned r = 0; r < 8; ++r) req.init.gpr[r] = static_cast<uint32_t>(rng());
        req.init.gpr[ESP] = DIFF_STACK_ADDR + 0x800;
        req.init.eflags = static_cast<uint32_t>(rng()) & 0xCD5;
        EmulatedResult a = interpreter.run(req, code);
        EmulatedResult b = jit.run(req, code);
        if (a.vector >= 0) ++faults;
        std::string why = difference(a, b);
        if (!why.empty() && ++failures <= 10)
            ADD_FAILURE() << "sequence " << i << ": " << why << "\n"
                          << seq.disassembly() << "  interpreter: eip=" << std::hex << a.regs.eip
                          << " eflags=" << a.regs.eflags << " vector=" << std::dec << a.vector
                          << " count=" << a.instructions << "\n  jit:         eip=" << std::hex
                          << b.regs.eip << " eflags=" << b.regs.eflags << " vector=" << std::dec
                          << b.vector << " count=" << b.instructions;
    }
    std::printf("engines: %llu sequences, %llu differ, %llu ended in an exception\n",
                (unsigned long long)count, (unsigned long long)failures,
                (unsigned long long)faults);
    EXPECT_EQ(failures, 0u);
}

}  // namespace
}  // namespace sandpc
