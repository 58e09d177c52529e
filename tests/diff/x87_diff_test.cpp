// Differential test of the x87 and MMX instructions through the CPU against
// the host: random sequences (x87_sequence_generator.h) and the resulting
// registers, EFLAGS, exception (#MF at the next waiting instruction with
// CR0.NE = 1, as Linux runs), FXSAVE image of the final x87 state (all 80-bit
// registers, control, status and abridged tag words, MXCSR) and memory,
// including a final FNSTENV image for the full tag word, must agree bit for
// bit. Not compared: the FPU instruction/data pointers and opcode (the host
// is an AMD part, which keeps them differently), the XMM part of FXSAVE
// images and MXCSR_MASK. SANDPC_X87_DIFF_COUNT sets the number of
// sequences, SANDPC_DIFF_SEED the seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "cpu/cpu_state.h"
#include "tests/diff/emulated_runner.h"
#include "tests/diff/native/native_runner_client.h"
#include "tests/diff/test_env.h"
#include "tests/diff/x87_sequence_generator.h"

namespace sandpc {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kDefaultCount = 20000;
#else
constexpr uint64_t kDefaultCount = 300000;
#endif

bool ignored(const std::vector<IgnoredRange>& ranges, uint32_t addr) {
    for (const IgnoredRange& r : ranges)
        if (addr >= r.addr && addr - r.addr < r.len) return true;
    return false;
}

std::string hex_bytes(const uint8_t* p, unsigned n) {
    std::string s;
    char b[4];
    for (unsigned i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        s += b;
    }
    return s;
}

// The compared part of an FXSAVE image: FCW FSW FTW, MXCSR, ST0-7.
bool fx_byte_compared(unsigned i) {
    return i < 5 || (i >= 24 && i < 28) || (i >= 32 && i < 160 && (i - 32) % 16 < 10);
}

std::string compare(const NativeResult& n, const EmulatedResult& e, const X87Sequence& x) {
    std::string why;
    if (n.reply.vector != e.vector)
        why += "exception differs (native " + std::to_string(n.reply.vector) + ", sandpc " +
               std::to_string(e.vector) + "); ";
    for (unsigned i = 0; i < 8; ++i)
        if (n.reply.regs.gpr[i] != e.regs.gpr[i]) why += "gpr differs; ";
    if (n.reply.regs.eip != e.regs.eip) why += "eip differs; ";
    uint32_t mask = eflags::kValid & ~eflags::RF;
    if ((n.reply.regs.eflags & mask) != (e.regs.eflags & mask)) why += "eflags differ; ";
    for (unsigned i = 0; i < 160; ++i) {
        if (fx_byte_compared(i) && n.reply.fxsave_out[i] != e.fxsave_out[i]) {
            why += "x87 state differs:\n    native " + hex_bytes(n.reply.fxsave_out, 160) +
                   "\n    sandpc " + hex_bytes(e.fxsave_out.data(), 160) + "\n";
            break;
        }
    }
    if (n.reply.changes_truncated) return why + "native change list truncated; ";
    std::vector<std::pair<uint32_t, uint8_t>> a, b;
    for (const DiffChange& c : n.changes)
        if (!ignored(x.ignored, c.addr)) a.emplace_back(uint32_t(c.addr), uint8_t(c.value));
    for (const DiffChange& c : e.changes)
        if (!ignored(x.ignored, c.addr)) b.emplace_back(uint32_t(c.addr), uint8_t(c.value));
    if (a != b) {
        why += "memory differs; ";
        size_t shown = 0;
        for (size_t i = 0; i < std::max(a.size(), b.size()) && shown < 8; ++i) {
            if (i < a.size() && i < b.size() && a[i] == b[i]) continue;
            char buf[80];
            std::snprintf(buf, sizeof buf, "[native %08x=%02x emu %08x=%02x] ",
                          i < a.size() ? a[i].first : 0, i < a.size() ? a[i].second : 0,
                          i < b.size() ? b[i].first : 0, i < b.size() ? b[i].second : 0);
            why += buf;
            ++shown;
        }
    }
    return why;
}

TEST(X87Differential, RandomSequencesAgreeWithHostCpu) {
    NativeRunner native(SANDPC_NATIVE_RUNNER);
    EmulatedRunner emulated(native.low_area_mapped());
    // Under the JIT (SANDPC_CPU=jit) another seed and fewer sequences.
    bool jit = test_wants_jit();
    uint64_t seed = env_u64("SANDPC_DIFF_SEED", jit ? 7 : 20261123);
    uint64_t count = env_u64("SANDPC_X87_DIFF_COUNT", jit ? kDefaultCount / 3 : kDefaultCount);
    X87SequenceGenerator gen(seed);
    std::mt19937_64 rng(seed ^ 0x87);

    constexpr size_t kBatch = 10000;
    uint64_t failures = 0, done = 0, mf = 0, faults = 0;
    std::map<const InsnInfo*, uint64_t> executed;
    while (done < count) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(kBatch, count - done));
        std::vector<NativeCase> cases(n);
        std::vector<X87Sequence> seqs(n);
        for (size_t i = 0; i < n; ++i) {
            seqs[i] = gen.next();
            DiffRequest& req = cases[i].request;
            req.data_seed = static_cast<uint32_t>(rng());
            for (unsigned r = 0; r < 8; ++r) req.init.gpr[r] = static_cast<uint32_t>(rng());
            req.init.gpr[ESP] = DIFF_STACK_ADDR + 0x800;
            req.init.eflags = static_cast<uint32_t>(rng()) & 0x8D5;
            req.flags = 1;
            std::copy(seqs[i].fxsave_in.begin(), seqs[i].fxsave_in.end(), req.fxsave_in);
            cases[i].code = seqs[i].seq.code();
        }
        native.run_batch(cases, [&](size_t i, NativeResult&& nr) {
            EmulatedResult er = emulated.run(cases[i].request, cases[i].code);
            std::string why = compare(nr, er, seqs[i]);
            if (nr.reply.vector == kFpuError) ++mf;
            if (nr.reply.vector >= 0) ++faults;
            if (why.empty()) {
                for (const auto& g : seqs[i].seq.insns)
                    if (g.info) ++executed[g.info];
                return;
            }
            if (++failures <= 10) {
                ADD_FAILURE() << "x87 sequence " << (done + i) << " (seed " << seed << "): " << why
                              << "\n"
                              << seqs[i].seq.disassembly() << "  initial x87 image: "
                              << hex_bytes(seqs[i].fxsave_in.data(), 160);
            }
        });
        done += n;
    }
    std::printf(
        "x87 differential: %llu sequences, %llu agreed, %llu disagreed, %llu ended in an "
        "exception (%llu #MF); %zu table rows covered (of %zu)\n",
        (unsigned long long)count, (unsigned long long)(count - failures),
        (unsigned long long)failures, (unsigned long long)faults, (unsigned long long)mf,
        executed.size(), gen.rows().size());
    EXPECT_EQ(failures, 0u);
}

}  // namespace
}  // namespace sandpc
