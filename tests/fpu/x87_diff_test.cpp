// Differential test: every x87 instruction form runs on random states in the
// X87 unit and natively on the host (FRSTOR state, instruction, FNSAVE); the
// FSAVE images, memory, AX and EFLAGS must agree bit for bit.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "tests/fpu/fpu_test_util.h"
#include "tests/fpu/host_runner.h"

namespace sandpc::test {
namespace {

struct Form {
    uint8_t op, modrm;
    bool op16 = false;
    unsigned mem_len = 0;  // bytes of memory operand prepared (0: register form)
    bool bcd = false;
    size_t snippet = 0;
};

constexpr uint32_t kArithFlags = 0x8d5;

unsigned mem_len_of(uint8_t op, unsigned r, bool op16) {
    const unsigned env = op16 ? 14 : 28;
    switch (op) {
        case 0xd8:
        case 0xda: return 4;
        case 0xdc: return 8;
        case 0xde: return 2;
        case 0xd9: return r == 4 || r == 6 ? env : (r == 5 || r == 7 ? 2 : 4);
        case 0xdb: return r == 5 || r == 7 ? 10 : 4;
        case 0xdd: return r == 4 || r == 6 ? env + 80 : (r == 7 ? 2 : 8);
        default: return r == 4 || r == 6 ? 10 : (r == 5 || r == 7 ? 8 : 2);
    }
}

bool is_env_form(uint8_t op, unsigned r) {
    return (op == 0xd9 && (r == 4 || r == 6)) || (op == 0xdd && (r == 4 || r == 6));
}

std::string hex(const uint8_t* p, size_t n) {
    std::string s;
    char b[4];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        s += b;
        if (i % 2 == 1) s += ' ';
    }
    return s;
}

// Loads an FSAVE image into the unit with its own FRSTOR.
void load_image(X87& fpu, const uint8_t* img) {
    uint8_t copy[108];
    std::memcpy(copy, img, 108);
    MockMemory m(copy, 108, 0x1000);
    X87Instruction frstor;
    frstor.opcode = 0xdd;
    frstor.modrm = 0x20;
    frstor.has_mem = true;
    frstor.mem_offset = 0x1000;
    ASSERT_EQ(fpu.execute(frstor, m).fault, X87Fault::none);
}

void save_image(X87& fpu, uint8_t* img) {
    MockMemory m(img, 108, 0x1000);
    X87Instruction fnsave;
    fnsave.opcode = 0xdd;
    fnsave.modrm = 0x30;
    fnsave.has_mem = true;
    fnsave.mem_offset = 0x1000;
    ASSERT_EQ(fpu.execute(fnsave, m).fault, X87Fault::none);
}

struct DiffStats {
    size_t runs = 0, mismatches = 0, forms = 0, host_reruns = 0;
    std::map<std::string, size_t> by_form;
};

// pending: only the non-waiting instructions, on states with ES set.
void run_diff(bool biased_masked, uint64_t seed, int states_per_form, DiffStats& stats,
              bool pending = false) {
    std::vector<Form> forms;
    X87 probe;
    uint8_t scratch[256] = {};
    for (unsigned op = 0xd8; op <= 0xdf; ++op) {
        for (unsigned k = 0; k < 8 + 64; ++k) {
            Form f;
            f.op = static_cast<uint8_t>(op);
            f.modrm = static_cast<uint8_t>(k < 8 ? (k << 3) | 6 : 0xc0 + (k - 8));
            X87Instruction t;
            t.opcode = f.op;
            t.modrm = f.modrm;
            t.has_mem = k < 8;
            t.mem_offset = 0;
            MockMemory sm(scratch, sizeof scratch, 0);
            probe.fninit();
            if (probe.execute(t, sm).fault == X87Fault::invalid_opcode) continue;
            if (pending && X87::is_waiting(f.op, f.modrm)) continue;
            if (k < 8) {
                f.mem_len = mem_len_of(f.op, k, false);
                f.bcd = op == 0xdf && k == 4;
                if (is_env_form(f.op, k)) {
                    Form g = f;
                    g.op16 = true;
                    g.mem_len = mem_len_of(f.op, k, true);
                    forms.push_back(g);
                }
            }
            forms.push_back(f);
        }
    }
    HostRunner host;
    for (Form& f : forms) {
        std::vector<uint8_t> bytes;
        if (f.op16) bytes.push_back(0x66);
        bytes.push_back(f.op);
        bytes.push_back(f.modrm);
        f.snippet = host.add(bytes);
    }
    host.finalize();
    stats.forms = forms.size();

    OperandGen gen(seed);
    alignas(16) uint8_t host_mem[256];
    alignas(16) uint8_t emu_mem[256];
    for (const Form& f : forms) {
        for (int n = 0; n < states_per_form; ++n) {
            uint8_t state[108];
            gen.state(state, biased_masked);
            if (pending) {  // unmask ZE and raise it: ES = 1
                state[0] &= static_cast<uint8_t>(~0x04);
                state[4] |= 0x84;
            }
            for (int k = 12; k < 28; ++k) state[k] = static_cast<uint8_t>(gen.bits() | 1);
            state[19] &= 0x07;  // FOP is 11 bits
            for (auto& b : host_mem) b = static_cast<uint8_t>(gen.bits());
            if (f.mem_len == 2 || f.mem_len == 4 || f.mem_len == 8 || f.mem_len == 10)
                gen.mem_operand(host_mem, f.mem_len, f.bcd);
            if (f.mem_len >= 94) {
                gen.state(host_mem, biased_masked);
                if (f.op16) {  // squeeze the 28-byte environment into 14 bytes
                    uint8_t env16[14];
                    for (int k = 0; k < 3; ++k) std::memcpy(env16 + 2 * k, host_mem + 4 * k, 2);
                    std::memset(env16 + 6, 0, 8);
                    std::memmove(host_mem + 14, host_mem + 28, 80);
                    std::memcpy(host_mem, env16, 14);
                }
            }
            if (f.op == 0xd9 && f.modrm == 0x26) gen.state(host_mem, biased_masked);  // FLDENV
            std::memcpy(emu_mem, host_mem, sizeof emu_mem);

            HostCtx ctx;
            ctx.rax = gen.bits();
            ctx.rflags_in = gen.bits() & kArithFlags;
            const uint64_t rax_in = ctx.rax;
            const uint32_t flags_in = static_cast<uint32_t>((ctx.rflags_in & kArithFlags) | 2);

            X87 fpu;
            load_image(fpu, state);
            X87Instruction insn;
            insn.opcode = f.op;
            insn.modrm = f.modrm;
            insn.has_mem = f.modrm < 0xc0;
            insn.mem_offset = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(host_mem));
            insn.mem_selector = 0;
            insn.cs = 0x33;
            insn.eip = static_cast<uint32_t>(host.insn_address(f.snippet) - (f.op16 ? 1 : 0));
            insn.op32 = !f.op16;
            insn.protected_mode = true;
            insn.eflags = flags_in;
            MockMemory mm(emu_mem, sizeof emu_mem, insn.mem_offset);
            X87Outcome out = fpu.execute(insn, mm);
            uint8_t emu_img[108];
            save_image(fpu, emu_img);

            // The x87 pointer registers (FIP, FCS, FOP, FDP, FDS) do not
            // survive a preemption on this host: Linux on AMD parts, whose
            // FXSAVE/XSAVE drop them while ES = 0, reloads them with other
            // values. A host run whose pointers differ is therefore repeated;
            // a real difference persists.
            uint8_t host_img[108];
            const HostCtx ctx_in = ctx;
            uint8_t mem_in[sizeof host_mem];
            std::memcpy(mem_in, host_mem, sizeof host_mem);
            for (int attempt = 0; attempt < 4; ++attempt) {
                if (attempt) ++stats.host_reruns;
                ctx = ctx_in;
                std::memcpy(host_mem, mem_in, sizeof host_mem);
                std::memcpy(host_img, state, 108);
                host.run(f.snippet, host_img, host_mem, ctx);
                if (std::memcmp(host_img + 12, emu_img + 12, 16) == 0) break;
            }

            uint32_t emu_flags = (flags_in & ~out.eflags_mask) | (out.eflags & out.eflags_mask);
            uint64_t emu_rax = out.ax_valid ? ((rax_in & ~0xffffull) | out.ax) : rax_in;
            bool same = out.fault == X87Fault::none && std::memcmp(host_img, emu_img, 108) == 0 &&
                        std::memcmp(host_mem, emu_mem, sizeof emu_mem) == 0 &&
                        (ctx.rflags_out & kArithFlags) == (emu_flags & kArithFlags) &&
                        ctx.rax == emu_rax;
            ++stats.runs;
            if (!same) {
                ++stats.mismatches;
                char name[32];
                std::snprintf(name, sizeof name, "%s%02X %02X", f.op16 ? "66 " : "", f.op, f.modrm);
                if (stats.by_form[name]++ < 2) {
                    std::fprintf(stderr,
                                 "MISMATCH %s\n  state %s\n  mem   %s\n  host  %s\n  emu   %s\n",
                                 name, hex(state, 108).c_str(), hex(emu_mem, 16).c_str(),
                                 hex(host_img, 108).c_str(), hex(emu_img, 108).c_str());
                    if (std::memcmp(host_mem, emu_mem, sizeof emu_mem) != 0)
                        std::fprintf(stderr, "  memory differs: host %s\n",
                                     hex(host_mem, 28).c_str());
                    std::fprintf(stderr, "  flags host %llx emu %x  rax host %llx emu %llx\n",
                                 static_cast<unsigned long long>(ctx.rflags_out & kArithFlags),
                                 emu_flags & kArithFlags, static_cast<unsigned long long>(ctx.rax),
                                 static_cast<unsigned long long>(emu_rax));
                }
            }
        }
    }
}

void report(const char* what, const DiffStats& s) {
    std::printf("%s: %zu forms, %zu runs, %zu mismatches (%zu host runs repeated)\n", what, s.forms,
                s.runs, s.mismatches, s.host_reruns);
    for (const auto& [name, count] : s.by_form) std::printf("  %s: %zu\n", name.c_str(), count);
}

TEST(X87Diff, MostlyMaskedExceptions) {
    DiffStats s;
    run_diff(true, 1, 300, s);
    report("masked", s);
    EXPECT_GT(s.runs, 100000u);
    EXPECT_EQ(s.mismatches, 0u);
}

TEST(X87Diff, RandomExceptionMasks) {
    DiffStats s;
    run_diff(false, 2, 200, s);
    report("unmasked", s);
    EXPECT_EQ(s.mismatches, 0u);
}

// FNSTENV, FNSTCW, FNSAVE, FNSTSW, FNCLEX, FNINIT with an exception pending.
TEST(X87Diff, NonWaitingWithPendingException) {
    DiffStats s;
    run_diff(false, 3, 300, s, true);
    report("pending", s);
    EXPECT_GE(s.forms, 7u);
    EXPECT_EQ(s.mismatches, 0u);
}

}  // namespace
}  // namespace sandpc::test
