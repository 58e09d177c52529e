#include "tests/diff/emulated_runner.h"

#include <cstring>
#include <stdexcept>

namespace sandpc {

namespace {
constexpr uint32_t kRamSize = 4u << 20;
constexpr uint32_t kPageDirectory = 0x3F0000;
constexpr uint32_t kPageTable = 0x3F1000;
constexpr uint32_t kCodeAreaSize = 0x2000;
constexpr uint8_t kHlt = 0xF4;  // end marker: #GP(0) at CPL 3

// An FXSAVE image in host memory, for loading and reading the FPU state.
class ImageMemory final : public X87Memory {
  public:
    explicit ImageMemory(uint8_t* image) : image_(image) {}
    void read(uint32_t off, void* dst, unsigned len) override {
        std::memcpy(dst, image_ + off, len);
    }
    void write(uint32_t off, const void* src, unsigned len) override {
        std::memcpy(image_ + off, src, len);
    }

  private:
    uint8_t* image_;
};
}  // namespace

EmulatedRunner::EmulatedRunner(bool low_area, RunnerEngine engine)
    : bus_(std::make_unique<RamOnlyBus>(kRamSize)), low_area_(low_area) {
    cpu_ = std::make_unique<Cpu>(*bus_, CpuConfig{kRamSize});
    if (engine == RunnerEngine::kFromEnvironment)
        engine_.attach(*cpu_);
    else if (engine == RunnerEngine::kJit)
        engine_.attach_jit(*cpu_);
}

EmulatedRunner::~EmulatedRunner() = default;

EmulatedResult EmulatedRunner::run(const DiffRequest& req, std::span<const uint8_t> code) {
    std::vector<uint8_t>& ram = bus_->ram;
    // Page tables: identity-map exactly the areas the native runner maps.
    std::memset(ram.data() + kPageDirectory, 0, 0x2000);
    auto map = [&](uint32_t addr, uint32_t size) {
        for (uint32_t a = addr; a < addr + size; a += 0x1000) {
            uint32_t pte = a | 7;  // present, writable, user
            std::memcpy(ram.data() + kPageTable + (a >> 12) * 4, &pte, 4);
        }
    };
    uint32_t pde = kPageTable | 7;
    std::memcpy(ram.data() + kPageDirectory, &pde, 4);
    map(DIFF_CODE_ADDR, kCodeAreaSize);
    map(DIFF_DATA_ADDR, DIFF_DATA_SIZE);
    map(DIFF_STACK_ADDR, DIFF_STACK_SIZE);
    if (low_area_) map(DIFF_LOW_ADDR, DIFF_LOW_SIZE);

    diff_fill(ram.data() + DIFF_DATA_ADDR, DIFF_DATA_SIZE, req.data_seed);
    diff_fill(ram.data() + DIFF_STACK_ADDR, DIFF_STACK_SIZE, req.data_seed + 1);
    if (low_area_) diff_fill(ram.data() + DIFF_LOW_ADDR, DIFF_LOW_SIZE, req.data_seed + 2);
    std::memset(ram.data() + DIFF_CODE_ADDR, 0, kCodeAreaSize);
    std::memcpy(ram.data() + DIFF_CODE_ADDR, code.data(), code.size());
    ram[DIFF_CODE_ADDR + code.size()] = kHlt;

    Cpu& cpu = *cpu_;
    cpu.reset();
    cpu.set_stop_on_exception(true);
    CpuState& s = cpu.s;
    s.cr0 = cr0::PE | cr0::MP | cr0::ET | cr0::NE | cr0::WP | cr0::AM | cr0::PG;
    s.cr3 = kPageDirectory;
    s.cr4 = cr4::OSFXSR;
    // The x87 state: the request's FXSAVE image, or FNINIT with zero registers.
    std::array<uint8_t, 512> fx{};
    if (req.flags & 1u) {
        std::memcpy(fx.data(), req.fxsave_in, 512);
    } else {
        fx[0] = 0x7F;
        fx[1] = 0x03;
    }
    uint32_t mxcsr = 0x1F80;
    ImageMemory image(fx.data());
    cpu.fpu.reset();
    if (cpu.fpu.fxrstor(image, 0, 0xFFBF, mxcsr) != X87Fault::none)
        throw std::invalid_argument("diff request: reserved MXCSR bits in fxsave_in");
    s.mxcsr = mxcsr;
    for (unsigned seg = 0; seg < 6; ++seg) {
        uint16_t attr = seg == CS ? 0xCFFB : 0xCFF3;  // DPL 3, 4 GiB, 32-bit
        cpu.set_segment_cache(seg, seg == CS ? 0x23 : 0x2B, 0, 0xFFFFFFFF, attr);
    }
    cpu.set_cpl(3);
    cpu.flush_tlb(false);
    for (unsigned i = 0; i < 8; ++i) s.gpr[i] = req.init.gpr[i];
    s.lazy.op = FlagOp::kNone;
    s.eflags = (req.init.eflags & 0xCD5) | eflags::IF | eflags::kFixed1;
    s.eip = DIFF_CODE_ADDR;

    EmulatedResult r;
    uint64_t start = cpu.instruction_count();
    StopReason why = cpu.run(100000);
    r.instructions = cpu.instruction_count() - start;
    uint32_t marker = DIFF_CODE_ADDR + static_cast<uint32_t>(code.size());
    if (why == StopReason::kException) {
        const CpuFault& f = cpu.stopped_exception();
        bool at_marker = f.vector == kGeneralProtection && s.eip == marker;
        r.vector = at_marker ? -1 : f.vector;
        r.error_code = at_marker ? 0 : (f.has_error_code ? f.error_code : 0);
    } else {
        r.vector = -2;
    }
    for (unsigned i = 0; i < 8; ++i) r.regs.gpr[i] = s.gpr[i];
    r.regs.eip = s.eip;
    r.regs.eflags = cpu.get_eflags();
    ImageMemory out(r.fxsave_out.data());
    cpu.fpu.fxsave(out, 0, s.mxcsr, 0xFFBF);
    std::memset(r.fxsave_out.data() + 6, 0, 18);  // FOP, FIP, FCS, FDP, FDS

    // Bytes that differ from their initial contents, in address order.
    auto scan = [&](uint32_t addr, uint32_t size, const uint8_t* initial) {
        for (uint32_t i = 0; i < size; ++i)
            if (ram[addr + i] != initial[i]) r.changes.push_back({addr + i, ram[addr + i]});
    };
    std::vector<uint8_t> initial(std::max(DIFF_LOW_SIZE, kCodeAreaSize));
    if (low_area_) {
        diff_fill(initial.data(), DIFF_LOW_SIZE, req.data_seed + 2);
        scan(DIFF_LOW_ADDR, DIFF_LOW_SIZE, initial.data());
    }
    std::fill(initial.begin(), initial.end(), 0);
    std::memcpy(initial.data(), code.data(), code.size());
    initial[code.size()] = kHlt;
    scan(DIFF_CODE_ADDR, kCodeAreaSize, initial.data());
    diff_fill(initial.data(), DIFF_DATA_SIZE, req.data_seed);
    scan(DIFF_DATA_ADDR, DIFF_DATA_SIZE, initial.data());
    diff_fill(initial.data(), DIFF_STACK_SIZE, req.data_seed + 1);
    scan(DIFF_STACK_ADDR, DIFF_STACK_SIZE, initial.data());
    return r;
}

}  // namespace sandpc
