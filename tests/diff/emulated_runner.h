// Runs a differential test case on sandpc's CPU in the same address space
// the native runner builds: user mode (CPL 3), flat segments, paging with
// only the test areas mapped, CR0.AM set as under Linux.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <vector>

#include "cpu/cpu.h"
#include "tests/diff/diff_protocol.h"
#include "tests/support/ram_only_bus.h"
#include "tests/support/test_cpu_engine.h"

namespace sandpc {

struct EmulatedResult {
    int32_t vector = -1;  // -1: reached the end, -2: instruction budget ran out
    uint32_t error_code = 0;
    DiffRegs regs{};
    std::vector<DiffChange> changes;
    uint64_t instructions = 0;
    // FXSAVE image of the x87/MMX state at the end (bytes 0-159; pointers
    // cleared as the native runner does; the rest zero).
    std::array<uint8_t, 512> fxsave_out{};
};

enum class RunnerEngine : uint8_t { kFromEnvironment, kInterpreter, kJit };

class EmulatedRunner {
  public:
    // kFromEnvironment: the JIT when SANDPC_CPU=jit (test_cpu_engine.h).
    explicit EmulatedRunner(bool low_area, RunnerEngine engine = RunnerEngine::kFromEnvironment);
    ~EmulatedRunner();
    EmulatedResult run(const DiffRequest& request, std::span<const uint8_t> code);

  private:
    std::unique_ptr<RamOnlyBus> bus_;
    std::unique_ptr<Cpu> cpu_;
    TestCpuEngine engine_;
    bool low_area_;
};

}  // namespace sandpc
