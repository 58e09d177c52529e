// Self-test of sandpc_native_runner through NativeRunner: hand-assembled
// sequences with results worked out from the Intel SDM.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tests/diff/native/native_runner_client.h"

namespace sandpc {
namespace {

enum Gpr { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

constexpr uint32_t kStackTop = DIFF_STACK_ADDR + 0x800;
constexpr uint32_t kEflagsBase = 0x202;  // IF and the fixed bit 1
constexpr uint32_t CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, DF = 0x400,
                   OF = 0x800, AC = 0x40000, ID = 0x200000;

DiffRequest make_request(uint32_t seed = 7) {
    DiffRequest r{};
    r.data_seed = seed;
    for (uint32_t i = 0; i < 8; ++i) r.init.gpr[i] = 0x11111111u * (i + 1);
    r.init.gpr[ESP] = kStackTop;
    r.init.eflags = 0x2;
    return r;
}

// Initial byte at a linear address, per diff_protocol.h.
uint8_t initial_byte(uint32_t addr, uint32_t seed) {
    struct Area {
        uint32_t base, size, seed_offset;
    };
    static const Area areas[] = {{DIFF_DATA_ADDR, DIFF_DATA_SIZE, 0},
                                 {DIFF_STACK_ADDR, DIFF_STACK_SIZE, 1},
                                 {DIFF_LOW_ADDR, DIFF_LOW_SIZE, 2}};
    for (const Area& a : areas) {
        if (addr >= a.base && addr - a.base < a.size) {
            std::vector<uint8_t> fill(a.size);
            diff_fill(fill.data(), a.size, seed + a.seed_offset);
            return fill[addr - a.base];
        }
    }
    ADD_FAILURE() << "address outside the filled areas";
    return 0;
}

// The changes a store of bytes at addr must produce (bytes equal to the fill
// are not changes).
std::vector<std::pair<uint32_t, uint8_t>> expected_changes(uint32_t addr,
                                                           const std::vector<uint8_t>& bytes,
                                                           uint32_t seed) {
    std::vector<std::pair<uint32_t, uint8_t>> out;
    for (size_t i = 0; i < bytes.size(); ++i)
        if (initial_byte(addr + static_cast<uint32_t>(i), seed) != bytes[i])
            out.emplace_back(addr + static_cast<uint32_t>(i), bytes[i]);
    return out;
}

std::vector<std::pair<uint32_t, uint8_t>> changes_of(const NativeResult& r) {
    std::vector<std::pair<uint32_t, uint8_t>> out;
    for (const DiffChange& c : r.changes) {
        const uint32_t addr = c.addr;  // packed field: copy before binding a reference
        out.emplace_back(addr, c.value);
    }
    return out;
}

uint32_t fx_u32(const NativeResult& r, size_t offset) {
    uint32_t v;
    std::memcpy(&v, r.reply.fxsave_out + offset, 4);
    return v;
}

uint16_t fx_u16(const NativeResult& r, size_t offset) {
    uint16_t v;
    std::memcpy(&v, r.reply.fxsave_out + offset, 2);
    return v;
}

class NativeRunnerTest : public ::testing::Test {
  protected:
    NativeResult run(const std::vector<uint8_t>& code,
                     const DiffRequest& request = make_request()) {
        return runner.run(request, code);
    }

    NativeRunner runner{SANDPC_NATIVE_RUNNER};
};

TEST_F(NativeRunnerTest, AddRunsToEndMarkerWithFlags) {
    DiffRequest req = make_request();
    req.init.gpr[EBX] = 5;
    const std::vector<uint8_t> code = {0xb8, 0x01, 0x00, 0x00, 0x00,  // mov eax, 1
                                       0x01, 0xd8};                   // add eax, ebx
    NativeResult r = run(code, req);
    EXPECT_EQ(r.reply.magic, DIFF_MAGIC_REPLY);
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 7);
    EXPECT_EQ(r.reply.regs.gpr[EAX], 6u);
    EXPECT_EQ(r.reply.regs.eflags, kEflagsBase | PF);  // 6 = 0b110: even parity
    for (int i : {ECX, EDX, EBX, ESP, EBP, ESI, EDI})
        EXPECT_EQ(r.reply.regs.gpr[i], req.init.gpr[i]) << "gpr " << i;
    EXPECT_TRUE(r.changes.empty());
    EXPECT_EQ(r.reply.changes_truncated, 0u);

    req.init.gpr[EBX] = 0xffffffff;  // 1 + 0xffffffff = 0 with carry out of bits 3 and 31
    r = run(code, req);
    EXPECT_EQ(r.reply.regs.gpr[EAX], 0u);
    EXPECT_EQ(r.reply.regs.eflags, kEflagsBase | CF | PF | AF | ZF);
}

TEST_F(NativeRunnerTest, EmptyCodeStopsAtTheMarker) {
    const DiffRequest req = make_request();
    NativeResult r = run({}, req);
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR);
    EXPECT_EQ(std::memcmp(r.reply.regs.gpr, req.init.gpr, sizeof req.init.gpr), 0);
    EXPECT_EQ(r.reply.regs.eflags, kEflagsBase);
    EXPECT_TRUE(r.changes.empty());
}

TEST_F(NativeRunnerTest, DivideByZeroIsVector0AtTheDiv) {
    NativeResult r = run({0x31, 0xc0, 0xf7, 0xf0});  // xor eax, eax; div eax
    EXPECT_EQ(r.reply.vector, 0);
    EXPECT_EQ(r.reply.error_code, 0u);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 2);
    EXPECT_EQ(r.reply.regs.gpr[EAX], 0u);
    EXPECT_EQ(r.reply.regs.eflags, kEflagsBase | PF | ZF);
}

TEST_F(NativeRunnerTest, Ud2IsVector6) {
    NativeResult r = run({0x90, 0x0f, 0x0b});  // nop; ud2
    EXPECT_EQ(r.reply.vector, 6);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 1);
}

TEST_F(NativeRunnerTest, HltIsGeneralProtection) {
    NativeResult r = run({0xf4});
    EXPECT_EQ(r.reply.vector, 13);
    EXPECT_EQ(r.reply.error_code, 0u);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR);
}

TEST_F(NativeRunnerTest, Int3InsideTheCodeIsVector3AfterIt) {
    NativeResult r = run({0xcc, 0x90});
    EXPECT_EQ(r.reply.vector, 3);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 1);
}

TEST_F(NativeRunnerTest, StoreToDataAreaIsReported) {
    const DiffRequest req = make_request(1234);
    // mov dword [DIFF_DATA_ADDR + 0x10], 0x11223344
    NativeResult r = run({0xc7, 0x05, 0x10, 0x00, 0x20, 0x00, 0x44, 0x33, 0x22, 0x11}, req);
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(changes_of(r),
              expected_changes(DIFF_DATA_ADDR + 0x10, {0x44, 0x33, 0x22, 0x11}, 1234));
    EXPECT_FALSE(r.changes.empty());

    // The next run starts from the fill again: reading the byte gives the fill.
    r = run({0xa0, 0x10, 0x00, 0x20, 0x00}, req);  // mov al, [DIFF_DATA_ADDR + 0x10]
    EXPECT_EQ(r.reply.regs.gpr[EAX] & 0xff, initial_byte(DIFF_DATA_ADDR + 0x10, 1234));
    EXPECT_TRUE(r.changes.empty());
}

TEST_F(NativeRunnerTest, DataAreaFollowsTheSeed) {
    for (uint32_t seed : {1u, 2u, 0xffffffffu, 2u}) {
        // mov eax, [DIFF_DATA_ADDR + 0xffc]; mov ebx, [DIFF_STACK_ADDR]
        NativeResult r = run({0xa1, 0xfc, 0x0f, 0x20, 0x00, 0x8b, 0x1d, 0x00, 0x00, 0x30, 0x00},
                             make_request(seed));
        uint32_t want_eax = 0, want_ebx = 0;
        for (uint32_t i = 0; i < 4; ++i) {
            want_eax |= uint32_t{initial_byte(DIFF_DATA_ADDR + 0xffc + i, seed)} << (8 * i);
            want_ebx |= uint32_t{initial_byte(DIFF_STACK_ADDR + i, seed)} << (8 * i);
        }
        EXPECT_EQ(r.reply.regs.gpr[EAX], want_eax) << "seed " << seed;
        EXPECT_EQ(r.reply.regs.gpr[EBX], want_ebx) << "seed " << seed;
    }
}

TEST_F(NativeRunnerTest, PushChangesTheStack) {
    DiffRequest req = make_request();
    req.init.gpr[EAX] = 0xaabbccdd;
    NativeResult r = run({0x50}, req);  // push eax
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.gpr[ESP], kStackTop - 4);
    EXPECT_EQ(changes_of(r),
              expected_changes(kStackTop - 4, {0xdd, 0xcc, 0xbb, 0xaa}, req.data_seed));
}

TEST_F(NativeRunnerTest, StoreToUnmappedAddressIsPageFault) {
    NativeResult r = run({0x90, 0xa3, 0x00, 0x00, 0x50, 0x00});  // nop; mov [0x500000], eax
    EXPECT_EQ(r.reply.vector, 14);
    EXPECT_EQ(r.reply.error_code, 0x6u);  // user-mode write to a not-present page
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 1);
    EXPECT_TRUE(r.changes.empty());

    r = run({0x8b, 0x05, 0x00, 0x00, 0x50, 0x00});  // mov eax, [0x500000]
    EXPECT_EQ(r.reply.vector, 14);
    EXPECT_EQ(r.reply.error_code, 0x4u);
}

TEST_F(NativeRunnerTest, ExecutingTheDataAreaIsAnInstructionFetchFault) {
    // mov eax, DIFF_DATA_ADDR; jmp eax
    NativeResult r = run({0xb8, 0x00, 0x00, 0x20, 0x00, 0xff, 0xe0});
    EXPECT_EQ(r.reply.vector, 14);
    EXPECT_EQ(r.reply.regs.eip, DIFF_DATA_ADDR);
    EXPECT_EQ(r.reply.error_code, 0x15u);  // present, user, instruction fetch
}

TEST_F(NativeRunnerTest, RunnerSurvivesZeroStackPointer) {
    DiffRequest req = make_request();
    NativeResult r = run({0xbc, 0x00, 0x00, 0x00, 0x00, 0x50}, req);  // mov esp, 0; push eax
    EXPECT_EQ(r.reply.vector, 14);
    EXPECT_EQ(r.reply.regs.gpr[ESP], 0u);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 5);

    r = run({0x50}, req);
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.gpr[ESP], kStackTop - 4);
}

TEST_F(NativeRunnerTest, OnlyArithmeticFlagsAndDfAreLoaded) {
    DiffRequest req = make_request();
    req.init.eflags = 0xffffffff;             // TF, AC, ID, IOPL... must not be loaded
    NativeResult r = run({0x9c, 0x58}, req);  // pushf; pop eax
    const uint32_t loaded = kEflagsBase | CF | PF | AF | ZF | SF | DF | OF;
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.gpr[EAX], loaded);
    EXPECT_EQ(r.reply.regs.eflags, loaded);
    EXPECT_EQ(r.reply.regs.gpr[ESP], kStackTop);
    EXPECT_EQ(changes_of(r),
              expected_changes(kStackTop - 4, {uint8_t(loaded), uint8_t(loaded >> 8), 0, 0},
                               req.data_seed));
    EXPECT_EQ(r.reply.regs.eflags & (TF | AC | ID), 0u);
}

TEST_F(NativeRunnerTest, TrapFlagSetByTheCode) {
    // pushf; or dword [esp], TF; popf; nop: single-step trap after the nop
    const std::vector<uint8_t> set_tf = {0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d};
    std::vector<uint8_t> code = set_tf;
    code.push_back(0x90);
    NativeResult r = run(code);
    EXPECT_EQ(r.reply.vector, 1);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 10);
    EXPECT_NE(r.reply.regs.eflags & TF, 0u);

    // With popf last, the code ends before the trap would be taken.
    r = run(set_tf);
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 9);
    EXPECT_NE(r.reply.regs.eflags & TF, 0u);

    r = run({0x90});  // and the next run does not inherit it
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.eflags, kEflagsBase);
}

TEST_F(NativeRunnerTest, AlignmentCheckWhenTheCodeSetsAc) {
    // pushf; or dword [esp], AC; popf; mov eax, [DIFF_DATA_ADDR + 1]
    NativeResult r =
        run({0x9c, 0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00, 0x9d, 0xa1, 0x01, 0x00, 0x20, 0x00});
    EXPECT_EQ(r.reply.vector, 17);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 9);
    EXPECT_NE(r.reply.regs.eflags & AC, 0u);
}

TEST_F(NativeRunnerTest, SelfModifiedCodeAreaIsReportedAndRestored) {
    // mov byte [DIFF_CODE_ADDR + 0x100], 0x90
    NativeResult r = run({0xc6, 0x05, 0x00, 0x01, 0x10, 0x00, 0x90});
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(changes_of(r),
              (std::vector<std::pair<uint32_t, uint8_t>>{{DIFF_CODE_ADDR + 0x100, 0x90}}));
    r = run({0xa0, 0x00, 0x01, 0x10, 0x00});  // mov al, [DIFF_CODE_ADDR + 0x100]
    EXPECT_EQ(r.reply.regs.gpr[EAX] & 0xff, 0u);
    EXPECT_TRUE(r.changes.empty());
}

TEST_F(NativeRunnerTest, ManyChangesAreTruncated) {
    DiffRequest req = make_request(99);
    req.init.gpr[EDI] = DIFF_DATA_ADDR;
    req.init.gpr[ECX] = DIFF_DATA_SIZE;
    req.init.gpr[EAX] = 0x5a;
    NativeResult r = run({0xf3, 0xaa}, req);  // rep stosb
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.change_count, DIFF_MAX_CHANGES);
    EXPECT_EQ(r.reply.changes_truncated, 1u);
    EXPECT_EQ(r.reply.regs.gpr[EDI], DIFF_DATA_ADDR + DIFF_DATA_SIZE);
    for (const DiffChange& c : r.changes) EXPECT_EQ(c.value, 0x5a);
    // Bytes beyond the reported ones were restored as well.
    r = run({0xa1, 0xfc, 0x0f, 0x20, 0x00}, req);  // mov eax, [DIFF_DATA_ADDR + 0xffc]
    EXPECT_EQ(r.reply.regs.gpr[EAX] & 0xff, initial_byte(DIFF_DATA_ADDR + 0xffc, 99));
    EXPECT_TRUE(r.changes.empty());
}

TEST_F(NativeRunnerTest, LowAreaForSixteenBitAddressing) {
    if (!runner.low_area_mapped()) GTEST_SKIP() << "vm.mmap_min_addr forbids mapping DIFF_LOW_ADDR";
    for (uint32_t seed : {5u, 6u, 6u}) {
        DiffRequest req = make_request(seed);
        req.init.gpr[EBX] = 0x8345;
        // mov al, [0x8bcd]; addr16 mov [bx+si], al
        req.init.gpr[ESI] = 0x100;
        NativeResult r = run({0xa0, 0xcd, 0x8b, 0x00, 0x00, 0x67, 0x88, 0x00}, req);
        EXPECT_EQ(r.reply.vector, -1);
        const uint8_t value = initial_byte(0x8bcd, seed);
        EXPECT_EQ(r.reply.regs.gpr[EAX] & 0xff, value);
        EXPECT_EQ(changes_of(r), expected_changes(0x8445, {value}, seed));
    }
    NativeResult r = run({0x90});  // untouched low area: nothing reported
    EXPECT_TRUE(r.changes.empty());
    r = run({0xa2, 0x00, 0x90, 0x00, 0x00});  // mov [0x9000], al: just past the low area
    EXPECT_EQ(r.reply.vector, 14);
}

TEST_F(NativeRunnerTest, DefaultFpuStateAndX87Result) {
    NativeResult r = run({0xd9, 0xe8});  // fld1
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(fx_u16(r, 0), 0x037f);         // FCW after FNINIT
    EXPECT_EQ(fx_u16(r, 2), 0x3800);         // FSW: TOP = 7
    EXPECT_EQ(r.reply.fxsave_out[4], 0x80);  // abridged FTW: register 7 valid
    EXPECT_EQ(fx_u32(r, 24), 0x1f80u);       // MXCSR
    const uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};
    EXPECT_EQ(std::memcmp(r.reply.fxsave_out + 32, one, 10), 0);

    // The same state taken from the signal frame of a fault.
    NativeResult f = run({0xd9, 0xe8, 0x0f, 0x0b});  // fld1; ud2
    EXPECT_EQ(f.reply.vector, 6);
    EXPECT_EQ(std::memcmp(r.reply.fxsave_out, f.reply.fxsave_out, 512), 0);
}

TEST_F(NativeRunnerTest, FxsaveInputIsLoaded) {
    DiffRequest req = make_request();
    req.flags = 1;
    const uint16_t fcw = 0x027f;
    const uint32_t mxcsr = 0x7f80u | 0xffff0000u;  // reserved bits are dropped
    std::memcpy(req.fxsave_in, &fcw, 2);
    std::memcpy(req.fxsave_in + 24, &mxcsr, 4);
    for (int i = 0; i < 16; ++i) req.fxsave_in[160 + i] = static_cast<uint8_t>(0xa0 + i);  // xmm0
    const std::vector<uint8_t> movaps = {0x0f, 0x28, 0xc8};  // movaps xmm1, xmm0
    NativeResult r = run(movaps, req);
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(fx_u16(r, 0), fcw);
    EXPECT_EQ(fx_u32(r, 24), 0x7f80u);
    EXPECT_EQ(std::memcmp(r.reply.fxsave_out + 176, req.fxsave_in + 160, 16), 0);

    // Signal-frame path: the same after a fault.
    std::vector<uint8_t> faulting = movaps;
    faulting.insert(faulting.end(), {0x0f, 0x0b});
    NativeResult f = run(faulting, req);
    EXPECT_EQ(f.reply.vector, 6);
    EXPECT_EQ(std::memcmp(r.reply.fxsave_out, f.reply.fxsave_out, 512), 0);

    r = run(movaps);  // without flags bit 0 everything is reset
    EXPECT_EQ(fx_u16(r, 0), 0x037f);
    EXPECT_EQ(fx_u32(r, 24), 0x1f80u);
    const uint8_t zero[16] = {};
    EXPECT_EQ(std::memcmp(r.reply.fxsave_out + 176, zero, 16), 0);
}

TEST_F(NativeRunnerTest, SseExceptionIsVector19) {
    DiffRequest req = make_request();
    req.flags = 1;
    const uint32_t mxcsr = 0x1f80u & ~0x200u;  // unmask divide-by-zero
    std::memcpy(req.fxsave_in + 24, &mxcsr, 4);
    const uint16_t fcw = 0x037f;
    std::memcpy(req.fxsave_in, &fcw, 2);
    // xorps xmm1, xmm1; mov eax, 1; cvtsi2ss xmm0, eax; divss xmm0, xmm1
    NativeResult r = run({0x0f, 0x57, 0xc9, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xf3, 0x0f, 0x2a, 0xc0,
                          0xf3, 0x0f, 0x5e, 0xc1},
                         req);
    EXPECT_EQ(r.reply.vector, 19);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 12);
    EXPECT_NE(fx_u32(r, 24) & 0x4u, 0u);  // MXCSR.ZE
}

TEST_F(NativeRunnerTest, EndlessLoopTimesOut) {
    NativeResult r = run({0x90, 0xeb, 0xfe});  // nop; jmp $
    EXPECT_EQ(r.reply.vector, -2);
    EXPECT_EQ(r.reply.regs.eip, DIFF_CODE_ADDR + 1);
    r = run({0x40});  // inc eax: the runner carries on
    EXPECT_EQ(r.reply.vector, -1);
    EXPECT_EQ(r.reply.regs.gpr[EAX], make_request().init.gpr[EAX] + 1);
}

TEST_F(NativeRunnerTest, BatchMatchesSingleRuns) {
    std::vector<NativeCase> cases;
    const std::vector<std::vector<uint8_t>> codes = {
        {0x01, 0xd8},                    // add eax, ebx
        {0x31, 0xc0, 0xf7, 0xf0},        // div by zero
        {0x50, 0x53},                    // push eax; push ebx
        {0x0f, 0x0b},                    // ud2
        {0xa3, 0x00, 0x00, 0x50, 0x00},  // store to unmapped
        {0x89, 0x07, 0xf3, 0xa4},        // mov [edi], eax; rep movsb
    };
    for (uint32_t i = 0; i < 3000; ++i) {
        NativeCase c;
        c.request = make_request(i / 3);
        c.request.init.gpr[EAX] = i * 0x9e3779b9u;
        c.request.init.gpr[EBX] = i;
        c.request.init.gpr[ECX] = i % 64;
        c.request.init.gpr[ESI] = DIFF_DATA_ADDR + (i % 512);
        c.request.init.gpr[EDI] = DIFF_DATA_ADDR + 0x800 + (i % 256);
        c.request.init.eflags = i & 0xcd5;
        c.code = codes[i % codes.size()];
        cases.push_back(std::move(c));
    }
    const std::vector<NativeResult> batch = runner.run_batch(cases);
    ASSERT_EQ(batch.size(), cases.size());
    for (size_t i = 0; i < cases.size(); i += 97) {
        const NativeResult single = runner.run(cases[i].request, cases[i].code);
        EXPECT_EQ(std::memcmp(&single.reply, &batch[i].reply, sizeof single.reply), 0)
            << "case " << i;
        EXPECT_EQ(changes_of(single), changes_of(batch[i])) << "case " << i;
    }
}

TEST_F(NativeRunnerTest, Throughput) {
    const char* env = std::getenv("SANDPC_NATIVE_BENCH_COUNT");
    const size_t count = env ? std::strtoul(env, nullptr, 10) : 20000;
    std::vector<NativeCase> cases(count);
    for (size_t i = 0; i < count; ++i) {
        cases[i].request = make_request(static_cast<uint32_t>(i));
        cases[i].code = {0x01, 0xd8, 0x50, 0x89, 0x07};  // add eax, ebx; push eax; mov [edi], eax
        cases[i].request.init.gpr[EDI] = DIFF_DATA_ADDR + 0x100;
    }
    size_t seen = 0;
    const auto start = std::chrono::steady_clock::now();
    runner.run_batch(cases, [&seen](size_t, NativeResult&& r) { seen += r.reply.vector == -1; });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(seen, count);
    std::printf("native runner: %zu sequences in %.3f s = %.0f per second\n", count, seconds,
                static_cast<double>(count) / seconds);
}

TEST(NativeRunnerProcess, ExitsCleanlyAtEndOfInput) {
    NativeRunner runner{SANDPC_NATIVE_RUNNER};
    runner.run(make_request(), std::vector<uint8_t>{0x90});
    EXPECT_EQ(runner.finish(), 0);
}

TEST(NativeRunnerProcess, RejectsBadRequests) {
    const std::string runner = SANDPC_NATIVE_RUNNER;
    // 600 zero bytes: a request with magic 0.
    const std::string bad_magic = "head -c 600 /dev/zero | '" + runner + "' >/dev/null 2>&1";
    int status = std::system(bad_magic.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
    // A complete header with magic "DREQ" and code_len 0xffffffff.
    const std::string too_long =
        "{ printf 'DREQ\\377\\377\\377\\377'; head -c 600 /dev/zero; } | '" + runner +
        "' 2>&1 >/dev/null";
    FILE* pipe = popen(too_long.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char message[256] = {};
    const size_t n = std::fread(message, 1, sizeof message - 1, pipe);
    status = pclose(pipe);
    EXPECT_NE(std::string(message, n).find("code_len"), std::string::npos) << message;
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace sandpc
