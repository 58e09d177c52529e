// Differential test of the MMX unit: each instruction form runs in the unit
// and natively on the host from the same FRSTOR state; the FNSAVE images
// (registers, TOP, tags), memory and EAX must agree bit for bit.
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/fpu/fpu_test_util.h"
#include "tests/fpu/host_runner.h"

namespace sandpc::test {
namespace {

const uint8_t kBinaryOps[] = {
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6f, 0x74, 0x75,
    0x76, 0xd1, 0xd2, 0xd3, 0xd5, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xdf, 0xe1, 0xe2, 0xe5, 0xe8,
    0xe9, 0xeb, 0xec, 0xed, 0xef, 0xf1, 0xf2, 0xf3, 0xf5, 0xf8, 0xf9, 0xfa, 0xfc, 0xfd, 0xfe};
const uint8_t kShiftCounts[] = {0, 1, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 200};

struct MmxForm {
    uint8_t op, modrm, imm;
    bool has_imm;
    size_t snippet;
};

uint64_t lane_pattern(OperandGen& gen) {
    // Values that hit saturation and sign boundaries more often than random bits.
    static const uint64_t kEdges[] = {0,
                                      ~0ull,
                                      0x7f7f7f7f7f7f7f7full,
                                      0x8080808080808080ull,
                                      0x7fff7fff7fff7fffull,
                                      0x8000800080008000ull,
                                      0x7fffffff80000000ull,
                                      0x00ff00ff00ff00ffull};
    uint64_t v = gen.bits();
    switch (gen.pick(4)) {
        case 0: return kEdges[gen.pick(8)];
        case 1: return v & 0x8181818181818181ull;
        default: return v;
    }
}

TEST(MmxDiff, AllFormsMatchHost) {
    std::vector<MmxForm> forms;
    for (uint8_t op : kBinaryOps) {
        for (unsigned m = 0; m < 64; ++m)
            forms.push_back({op, static_cast<uint8_t>(0xc0 | m), 0, false, 0});
        for (unsigned r = 0; r < 8; ++r)
            forms.push_back({op, static_cast<uint8_t>(r << 3 | 6), 0, false, 0});
    }
    for (uint8_t op : {uint8_t{0x7f}})
        for (unsigned r = 0; r < 8; ++r) {
            forms.push_back({op, static_cast<uint8_t>(r << 3 | 6), 0, false, 0});
            for (unsigned k = 0; k < 8; ++k)
                forms.push_back({op, static_cast<uint8_t>(0xc0 | r << 3 | k), 0, false, 0});
        }
    for (uint8_t op : {uint8_t{0x6e}, uint8_t{0x7e}})
        for (unsigned r = 0; r < 8; ++r) {
            forms.push_back({op, static_cast<uint8_t>(r << 3 | 6), 0, false, 0});
            forms.push_back({op, static_cast<uint8_t>(0xc0 | r << 3), 0, false, 0});  // EAX
        }
    for (uint8_t op : {uint8_t{0x71}, uint8_t{0x72}, uint8_t{0x73}})
        for (unsigned sub : {2u, 4u, 6u}) {
            if (op == 0x73 && sub == 4) continue;
            for (unsigned rm = 0; rm < 8; ++rm)
                for (uint8_t c : kShiftCounts)
                    forms.push_back({op, static_cast<uint8_t>(0xc0 | sub << 3 | rm), c, true, 0});
        }
    forms.push_back({0x77, 0, 0, false, 0});

    HostRunner host;
    for (auto& f : forms) {
        std::vector<uint8_t> bytes{0x0f, f.op};
        if (f.op != 0x77) bytes.push_back(f.modrm);
        if (f.has_imm) bytes.push_back(f.imm);
        f.snippet = host.add(bytes);
    }
    host.finalize();

    OperandGen gen(11);
    size_t runs = 0, mismatches = 0;
    for (const auto& f : forms) {
        for (int n = 0; n < 40; ++n) {
            uint8_t state[108];
            gen.state(state, true);
            for (unsigned k = 0; k < 8; ++k)
                if (gen.pick(2)) f80_from_mmx(lane_pattern(gen)).to_bytes(state + 28 + 10 * k);
            alignas(16) uint8_t host_mem[64], emu_mem[64];
            for (unsigned k = 0; k < 8; ++k) {
                uint64_t v = lane_pattern(gen);
                std::memcpy(host_mem + 8 * k, &v, 8);
            }
            std::memcpy(emu_mem, host_mem, sizeof host_mem);
            HostCtx ctx;
            ctx.rax = gen.bits();
            uint32_t gpr[8] = {static_cast<uint32_t>(ctx.rax)};
            const uint64_t rax_in = ctx.rax;

            uint8_t host_img[108];
            std::memcpy(host_img, state, 108);
            host.run(f.snippet, host_img, host_mem, ctx);

            X87 fpu;
            {
                uint8_t copy[108];
                std::memcpy(copy, state, 108);
                MockMemory m(copy, 108, 0x1000);
                X87Instruction frstor;
                frstor.opcode = 0xdd;
                frstor.modrm = 0x20;
                frstor.has_mem = true;
                frstor.mem_offset = 0x1000;
                fpu.execute(frstor, m);
            }
            MmxInstruction insn;
            insn.opcode = f.op;
            insn.modrm = f.modrm;
            insn.has_mem = f.op != 0x77 && f.modrm < 0xc0;
            insn.mem_offset = 0x2000;
            insn.imm8 = f.imm;
            MockMemory mm(emu_mem, sizeof emu_mem, 0x2000);
            EXPECT_EQ(fpu.execute_mmx(insn, mm, gpr).fault, X87Fault::none);
            uint8_t emu_img[108];
            {
                MockMemory m(emu_img, 108, 0x1000);
                X87Instruction fnsave;
                fnsave.opcode = 0xdd;
                fnsave.modrm = 0x30;
                fnsave.has_mem = true;
                fnsave.mem_offset = 0x1000;
                fpu.execute(fnsave, m);
            }
            const uint64_t emu_rax = (rax_in & ~0xffffffffull) | gpr[0];
            const uint64_t host_rax =
                f.op == 0x7e && f.modrm >= 0xc0 ? ctx.rax & 0xffffffffull : ctx.rax;
            const uint64_t want_rax =
                f.op == 0x7e && f.modrm >= 0xc0 ? emu_rax & 0xffffffffull : emu_rax;
            ++runs;
            if (std::memcmp(host_img, emu_img, 108) != 0 ||
                std::memcmp(host_mem, emu_mem, sizeof host_mem) != 0 || host_rax != want_rax) {
                if (++mismatches < 4) {
                    std::printf("MMX mismatch 0F %02X %02X imm %u\n", f.op, f.modrm, f.imm);
                    for (int k = 0; k < 28; ++k) std::printf("%02x", state[k]);
                    std::printf("\n");
                    for (int k = 0; k < 28; ++k) std::printf("%02x", host_img[k]);
                    std::printf("\n");
                    for (int k = 0; k < 28; ++k) std::printf("%02x", emu_img[k]);
                    std::printf("\n");
                }
            }
        }
    }
    std::printf("MMX: %zu forms, %zu runs, %zu mismatches\n", forms.size(), runs, mismatches);
    EXPECT_EQ(mismatches, 0u);
}

TEST(MmxDiff, UndefinedOpcodes) {
    X87 fpu;
    uint8_t buf[16] = {};
    MockMemory m(buf, sizeof buf, 0);
    uint32_t gpr[8] = {};
    // SSE/SSE2 additions in the MMX space are not P6 MMX instructions.
    for (uint8_t op : {0xd4, 0xd7, 0xe0, 0xe3, 0xe4, 0xe7, 0xf4, 0xf6, 0xf7, 0x70, 0x6c, 0x6d}) {
        MmxInstruction insn;
        insn.opcode = op;
        insn.modrm = 0xc1;
        EXPECT_EQ(fpu.execute_mmx(insn, m, gpr).fault, X87Fault::invalid_opcode) << int(op);
    }
    MmxInstruction bad_shift;
    bad_shift.opcode = 0x73;
    bad_shift.modrm = 0xe1;  // /4: no PSRAQ
    EXPECT_EQ(fpu.execute_mmx(bad_shift, m, gpr).fault, X87Fault::invalid_opcode);
    bad_shift.opcode = 0x71;
    bad_shift.modrm = 0x06;  // memory form
    EXPECT_EQ(fpu.execute_mmx(bad_shift, m, gpr).fault, X87Fault::invalid_opcode);
}

}  // namespace
}  // namespace sandpc::test
