// Self-modifying and cross-modifying code on both CPU engines: code patched
// inside the running block, in a loop that also writes data on the code's
// page, rewritten by the host (as DMA does), and remapped through the page
// tables. With the JIT every block is compiled on its first run, so each
// case runs native code that must notice the change exactly as the
// interpreter does.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "jit/host_compiler.h"
#include "tests/support/ram_only_bus.h"

namespace sandpc {
namespace {

constexpr uint32_t kRam = 4u << 20;
constexpr uint32_t kPageDirectory = 0x3000;
constexpr uint32_t kPageTable = 0x4000;
constexpr uint32_t kCode = 0x10000;

// Flat 32-bit protected mode at CPL 0 with 4 KiB pages identity-mapping the
// first 4 MiB.
class SmcMachine {
  public:
    explicit SmcMachine(bool jit) : bus_(kRam), cpu_(bus_, CpuConfig{kRam}) {
        if (jit) {
            std::string why;
            compiler_ = make_host_block_compiler(why);
            if (!compiler_) throw std::runtime_error(why);
            cpu_.set_block_compiler(compiler_.get(), 1);
        }
        put32(kPageDirectory, kPageTable | 7);
        for (uint32_t page = 0; page < 1024; ++page) put32(kPageTable + page * 4, (page << 12) | 7);
        cpu_.s.cr3 = kPageDirectory;
        cpu_.s.cr0 = cr0::PE | cr0::MP | cr0::ET | cr0::NE | cr0::PG;
        for (unsigned seg = 0; seg < 6; ++seg)
            cpu_.set_segment_cache(seg, seg == CS ? 8 : 16, 0, 0xFFFFFFFF,
                                   seg == CS ? 0xCF9B : 0xCF93);
        cpu_.flush_tlb(false);
        cpu_.s.gpr[ESP] = 0x200000;
    }

    void load(uint32_t addr, const std::vector<uint8_t>& code) {
        std::memcpy(bus_.ram.data() + addr, code.data(), code.size());
    }
    void put32(uint32_t addr, uint32_t v) { std::memcpy(bus_.ram.data() + addr, &v, 4); }
    uint32_t get32(uint32_t addr) const {
        uint32_t v;
        std::memcpy(&v, bus_.ram.data() + addr, 4);
        return v;
    }
    // Runs from `eip` until HLT; returns EAX.
    uint32_t run_from(uint32_t eip) {
        cpu_.s.eip = eip;
        cpu_.s.halted = false;
        StopReason why = cpu_.run(1'000'000);
        EXPECT_EQ(why, StopReason::kHalted);
        return cpu_.s.gpr[EAX];
    }
    Cpu& cpu() { return cpu_; }

  private:
    RamOnlyBus bus_;
    Cpu cpu_;
    std::unique_ptr<BlockCompiler> compiler_;
};

class SelfModifyingCode : public testing::TestWithParam<bool> {};

TEST_P(SelfModifyingCode, ByteStoreIntoTheNextInstructionOfTheRunningBlock) {
    SmcMachine m(GetParam());
    m.load(kCode, {
                      0xC6, 0x05, 0x08, 0x00, 0x01, 0x00, 0x05,  // mov byte [0x10008], 5
                      0xB8, 0x01, 0x00, 0x00, 0x00,              // mov eax, 1 (imm at 0x10008)
                      0xF4,                                      // hlt
                  });
    EXPECT_EQ(m.run_from(kCode), 5u);
}

TEST_P(SelfModifyingCode, DwordStoreIntoTheNextInstructionOfTheRunningBlock) {
    SmcMachine m(GetParam());
    m.load(kCode, {
                      0xBA, 0x78, 0x56, 0x34, 0x12,        // mov edx, 0x12345678
                      0x89, 0x15, 0x0C, 0x00, 0x01, 0x00,  // mov [0x1000C], edx
                      0xB8, 0x00, 0x00, 0x00, 0x00,        // mov eax, 0 (imm at 0x1000C)
                      0xF4,                                // hlt
                  });
    EXPECT_EQ(m.run_from(kCode), 0x12345678u);
}

TEST_P(SelfModifyingCode, LoopPatchesItsOwnImmediateBetweenDataWritesOnTheSamePage) {
    SmcMachine m(GetParam());
    m.load(kCode, {
                      0x31, 0xDB,                          // xor ebx, ebx
                      0xB9, 0x64, 0x00, 0x00, 0x00,        // mov ecx, 100
                      0x81, 0xC3, 0x01, 0x00, 0x00, 0x00,  // loop: add ebx, 1 (imm at 0x10009)
                      0x89, 0x0D, 0x00, 0x08, 0x01, 0x00,  // mov [0x10800], ecx
                      0x83, 0xF9, 0x32,                    // cmp ecx, 50
                      0x75, 0x0A,                          // jne skip
                      0xC7, 0x05, 0x09, 0x00, 0x01, 0x00, 0x03,  // mov dword [0x10009], 3
                      0x00, 0x00, 0x00,                          //
                      0x49,                                      // skip: dec ecx
                      0x75, 0xE2,                                // jnz loop
                      0x89, 0xD8,                                // mov eax, ebx
                      0xF4,                                      // hlt
                  });
    // ECX = 100..50 add 1 (the patch lands after the add at 50), 49..1 add 3.
    EXPECT_EQ(m.run_from(kCode), 51u + 49u * 3u);
    EXPECT_EQ(m.get32(0x10800), 1u);
}

TEST_P(SelfModifyingCode, HostRewriteWithInvalidateRunsTheNewCode) {
    SmcMachine m(GetParam());
    m.load(kCode, {0xB8, 0x01, 0x00, 0x00, 0x00, 0xF4});  // mov eax, 1; hlt
    EXPECT_EQ(m.run_from(kCode), 1u);
    EXPECT_EQ(m.run_from(kCode), 1u);  // now cached (and compiled under the JIT)
    // A DMA transfer or the host loading a file writes RAM behind the CPU.
    m.load(kCode + 1, {0x02});
    m.cpu().invalidate_physical(kCode + 1, 1);
    EXPECT_EQ(m.run_from(kCode), 2u);
}

TEST_P(SelfModifyingCode, RemappedCodePageRunsTheNewPhysicalPage) {
    SmcMachine m(GetParam());
    constexpr uint32_t kLinear = 0x30000, kOther = 0x31000;
    m.load(kLinear, {0xB8, 0x11, 0x00, 0x00, 0x00, 0xF4});  // mov eax, 0x11; hlt
    m.load(kOther, {0xB8, 0x22, 0x00, 0x00, 0x00, 0xF4});   // mov eax, 0x22; hlt
    EXPECT_EQ(m.run_from(kLinear), 0x11u);
    EXPECT_EQ(m.run_from(kLinear), 0x11u);
    // The guest points the page at other memory and flushes its TLB entry.
    m.put32(kPageTable + (kLinear >> 12) * 4, kOther | 7);
    m.load(kCode, {0x0F, 0x01, 0x3D, 0x00, 0x00, 0x03, 0x00, 0xF4});  // invlpg [0x30000]; hlt
    m.run_from(kCode);
    EXPECT_EQ(m.run_from(kLinear), 0x22u);
}

TEST_P(SelfModifyingCode, FaultInsideACompiledBlockIsPrecise) {
    SmcMachine m(GetParam());
    m.cpu().set_stop_on_exception(true);
    // Unmap the page at 0x50000, then store to it in the middle of a block.
    m.put32(kPageTable + (0x50000 >> 12) * 4, 0);
    m.load(kCode, {
                      0xB8,
                      0x07,
                      0x00,
                      0x00,
                      0x00,  // mov eax, 7
                      0x40,  // inc eax
                      0x89,
                      0x05,
                      0x00,
                      0x00,
                      0x05,
                      0x00,  // mov [0x50000], eax  (#PF)
                      0xB8,
                      0x09,
                      0x00,
                      0x00,
                      0x00,  // mov eax, 9
                      0xF4,
                  });
    m.cpu().s.eip = kCode;
    EXPECT_EQ(m.cpu().run(1000), StopReason::kException);
    EXPECT_EQ(m.cpu().stopped_exception().vector, 14);
    EXPECT_EQ(m.cpu().s.eip, kCode + 6);  // the faulting MOV
    EXPECT_EQ(m.cpu().s.gpr[EAX], 8u);
    EXPECT_EQ(m.cpu().s.cr2, 0x50000u);
    EXPECT_EQ(m.cpu().instruction_count(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Engines, SelfModifyingCode, testing::Values(false, true),
                         [](const testing::TestParamInfo<bool>& p) {
                             return p.param ? "Jit" : "Interpreter";
                         });

}  // namespace
}  // namespace sandpc
