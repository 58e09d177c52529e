// FXSAVE/FXRSTOR images and the set of undefined encodings, against the host.
#include <gtest/gtest.h>
#include <xmmintrin.h>

#include <csetjmp>
#include <csignal>
#include <cstdio>

#include "tests/fpu/fpu_test_util.h"
#include "tests/fpu/host_runner.h"

namespace sandpc::test {
namespace {

void exec_mem(X87& fpu, uint8_t op, uint8_t modrm, uint8_t* buf, size_t size) {
    MockMemory m(buf, size, 0x1000);
    X87Instruction insn;
    insn.opcode = op;
    insn.modrm = modrm;
    insn.has_mem = true;
    insn.mem_offset = 0x1000;
    ASSERT_EQ(fpu.execute(insn, m).fault, X87Fault::none);
}

// A state image; with `pending`, some unmasked flags set so ES = 1.
void make_state(OperandGen& gen, uint8_t* img, bool pending) {
    gen.state(img, false);
    if (pending) {
        uint16_t cw, sw;
        std::memcpy(&cw, img, 2);
        std::memcpy(&sw, img + 4, 2);
        cw &= ~0x0004;  // ZE unmasked
        sw |= 0x0084;   // ZE raised, ES
        std::memcpy(img, &cw, 2);
        std::memcpy(img + 4, &sw, 2);
    }
}

TEST(X87Image, FxsaveMatchesHost) {
    HostRunner host;
    size_t fx = host.add({0x0f, 0xae, 0x06});  // fxsave [rsi]
    host.finalize();
    OperandGen gen(7);
    const unsigned mxcsr = _mm_getcsr();
    size_t compared = 0, pointer_checks = 0;
    for (int n = 0; n < 2000; ++n) {
        uint8_t state[108];
        make_state(gen, state, n % 2 == 1);
        // Some pointer values to see in the image.
        for (int k = 12; k < 28; ++k) state[k] = static_cast<uint8_t>(gen.bits());
        state[19] &= 0x07;
        alignas(16) uint8_t host_area[512] = {};
        uint8_t img[108];
        std::memcpy(img, state, 108);
        HostCtx ctx;
        host.run(fx, img, host_area, ctx);

        X87 fpu;
        exec_mem(fpu, 0xdd, 0x20, state, 108);  // FRSTOR
        uint8_t area[512] = {};
        MockMemory m(area, sizeof area, 0);
        uint32_t host_mxcsr, host_mask;
        std::memcpy(&host_mxcsr, host_area + 24, 4);
        std::memcpy(&host_mask, host_area + 28, 4);
        fpu.fxsave(m, 0, host_mxcsr, host_mask);
        // The host (an AMD part) leaves FOP/FIP/FDP out unless ES is set; the
        // unit stores them always, as the P6 does.
        const bool es = (host_area[2] & 0x80) != 0;
        if (es) {
            ++pointer_checks;
            EXPECT_EQ(0, std::memcmp(area, host_area, 160)) << "image " << n;
        } else {
            EXPECT_EQ(0, std::memcmp(area, host_area, 6)) << "image " << n;
            EXPECT_EQ(0, std::memcmp(area + 24, host_area + 24, 160 - 24)) << "image " << n;
        }
        ++compared;
    }
    _mm_setcsr(mxcsr);
    std::printf("FXSAVE: %zu images compared, %zu with pointers\n", compared, pointer_checks);
    EXPECT_GT(pointer_checks, 500u);
}

TEST(X87Image, FxrstorMatchesHost) {
    HostRunner host;
    size_t fx = host.add({0x0f, 0xae, 0x0e});  // fxrstor [rsi]
    host.finalize();
    OperandGen gen(8);
    const unsigned mxcsr = _mm_getcsr();
    for (int n = 0; n < 2000; ++n) {
        alignas(16) uint8_t area[512];
        for (auto& b : area) b = static_cast<uint8_t>(gen.bits());
        uint32_t new_mxcsr = 0x1f80 | static_cast<uint32_t>(gen.bits() & 0x3f);
        std::memcpy(area + 24, &new_mxcsr, 4);
        uint8_t img[108] = {};
        img[0] = 0x7f;
        img[1] = 0x03;
        img[8] = img[9] = 0xff;
        uint8_t emu_area[512];
        std::memcpy(emu_area, area, sizeof area);
        // A preemption between FXRSTOR and FNSAVE loses the pointer registers
        // on this host (see x87_diff_test.cpp); repeat such a run.
        alignas(16) uint8_t area_in[512];
        std::memcpy(area_in, area, sizeof area);
        for (int attempt = 0; attempt < 64; ++attempt) {
            std::memcpy(area, area_in, sizeof area);
            std::memset(img, 0, sizeof img);
            img[0] = 0x7f;
            img[1] = 0x03;
            img[8] = img[9] = 0xff;
            HostCtx ctx;
            host.run(fx, img, area, ctx);
            static const uint8_t kZero[16] = {};
            if (std::memcmp(img + 12, kZero, 16) != 0 || (img[5] & 0x80)) break;
        }
        unsigned host_mxcsr = _mm_getcsr();

        X87 fpu;
        MockMemory m(emu_area, sizeof emu_area, 0);
        uint32_t loaded = 0;
        ASSERT_EQ(fpu.fxrstor(m, 0, 0xffff, loaded), X87Fault::none);
        EXPECT_EQ(loaded, host_mxcsr);
        uint8_t emu_img[108];
        exec_mem(fpu, 0xdd, 0x30, emu_img, 108);  // FNSAVE
        ASSERT_EQ(0, std::memcmp(img, emu_img, 108)) << "image " << n;
    }
    _mm_setcsr(mxcsr);
}

TEST(X87Image, FxrstorRefusesReservedMxcsrBits) {
    uint8_t area[512] = {};
    uint32_t bad = 0x1f80 | 0x10000;
    std::memcpy(area + 24, &bad, 4);
    X87 fpu;
    fpu.fninit();
    MockMemory m(area, sizeof area, 0);
    uint32_t mxcsr = 0x1234;
    EXPECT_EQ(fpu.fxrstor(m, 0, 0xffff, mxcsr), X87Fault::general_protection);
    EXPECT_EQ(mxcsr, 0x1234u);
    EXPECT_EQ(fpu.control_word(), 0x037f);
}

sigjmp_buf g_jump;  // test-only: the SIGILL handler's way back
void on_sigill(int) {
    siglongjmp(g_jump, 1);
}

// Runs a snippet on an initialised state; true if it raised #UD (SIGILL).
__attribute__((noinline)) bool host_raises_ud(const HostRunner& host, size_t snippet) {
    alignas(16) static thread_local uint8_t mem[256];
    static thread_local uint8_t img[108];
    std::memset(mem, 0, sizeof mem);
    std::memset(img, 0, sizeof img);
    img[0] = 0x7f;
    img[1] = 0x03;
    img[8] = img[9] = 0xff;
    static thread_local HostCtx ctx;
    if (sigsetjmp(g_jump, 1) == 0) {
        host.run(snippet, img, mem, ctx);
        return false;
    }
    asm volatile("fninit");
    return true;
}

// Every D8-DF encoding the unit refuses with #UD must raise #UD on the host
// and every one it accepts must run there, except FISTTP (an SSE3 addition).
TEST(X87Image, UndefinedEncodingsMatchHost) {
    HostRunner host;
    struct Enc {
        uint8_t op, modrm;
        size_t snippet;
    };
    std::vector<Enc> encs;
    for (unsigned op = 0xd8; op <= 0xdf; ++op)
        for (unsigned k = 0; k < 8 + 64; ++k) {
            uint8_t modrm = static_cast<uint8_t>(k < 8 ? (k << 3) | 6 : 0xc0 + (k - 8));
            encs.push_back({static_cast<uint8_t>(op), modrm, 0});
        }
    for (auto& e : encs) e.snippet = host.add({e.op, e.modrm});
    host.finalize();

    struct sigaction sa = {}, old = {};
    sa.sa_handler = on_sigill;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGILL, &sa, &old);
    size_t undefined = 0, checked = 0;
    for (const auto& e : encs) {
        const bool host_ud = host_raises_ud(host, e.snippet);
        X87 fpu;
        fpu.fninit();
        uint8_t buf[256] = {};
        MockMemory m(buf, sizeof buf, 0);
        X87Instruction insn;
        insn.opcode = e.op;
        insn.modrm = e.modrm;
        insn.has_mem = e.modrm < 0xc0;
        bool emu_ud = fpu.execute(insn, m).fault == X87Fault::invalid_opcode;
        const bool fisttp = insn.has_mem && ((e.modrm >> 3) & 7) == 1 &&
                            (e.op == 0xdb || e.op == 0xdd || e.op == 0xdf);
        if (fisttp) {
            EXPECT_TRUE(emu_ud);
            continue;
        }
        ++checked;
        undefined += emu_ud;
        EXPECT_EQ(emu_ud, host_ud) << std::hex << unsigned(e.op) << " " << unsigned(e.modrm);
    }
    sigaction(SIGILL, &old, nullptr);
    std::printf("encodings checked: %zu, undefined: %zu\n", checked, undefined);
}

}  // namespace
}  // namespace sandpc::test
