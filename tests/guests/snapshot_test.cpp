// Machine state round trip: run N instructions, save every component and
// RAM, restore into a freshly built machine, run M more; the screen, the
// instruction count and RAM must equal one straight run of N + M.
#include <gtest/gtest.h>

#include <cstring>

#include "devices/storage/image_open.h"
#include "snapshot/state_stream.h"
#include "tests/guests/guest_session.h"

namespace sandpc {
namespace {

struct Outcome {
    std::string screen;
    uint64_t instructions;
    std::vector<uint8_t> ram;
};

Outcome outcome_of(Machine& m) {
    std::span<uint8_t> ram = m.memory().ram();
    return {m.text_screen(), m.instructions(), std::vector<uint8_t>(ram.begin(), ram.end())};
}

void run_to(GuestSession& s, uint64_t instructions) {
    s.run_until_text("text that never appears", instructions - s.machine().instructions());
    ASSERT_EQ(s.machine().instructions(), instructions);
}

class MachineSnapshot : public ::testing::TestWithParam<uint64_t> {};

TEST_P(MachineSnapshot, RestoredRunEqualsStraightRun) {
    const uint64_t n = GetParam();
    const uint64_t total = 60'000'000;
    const std::string job = "PRIMES /N:4000 /P:CON\n";

    GuestSession straight(freedos_config());
    straight.type(job);
    run_to(straight, total);
    Outcome want = outcome_of(straight.machine());

    GuestSession first(freedos_config());
    first.type(job);
    run_to(first, n);
    StateWriter w;
    first.machine().save(w);
    std::vector<uint8_t> state = w.take();
    std::span<uint8_t> ram = first.machine().memory().ram();
    std::vector<uint8_t> saved_ram(ram.begin(), ram.end());

    GuestSession second(freedos_config());
    second.type(job.substr(first.typed()));  // host input not yet delivered
    StateReader r(state);
    second.machine().load(r);
    std::span<uint8_t> dst = second.machine().memory().ram();
    ASSERT_EQ(dst.size(), saved_ram.size());
    std::memcpy(dst.data(), saved_ram.data(), saved_ram.size());
    second.machine().cpu().invalidate_physical(0, uint32_t(saved_ram.size()));
    run_to(second, total);
    Outcome got = outcome_of(second.machine());

    EXPECT_EQ(got.instructions, want.instructions);
    EXPECT_EQ(got.screen, want.screen);
    EXPECT_TRUE(got.ram == want.ram) << "RAM differs after restore at " << n;
    EXPECT_NE(want.screen.find("3989,"), std::string::npos) << want.screen;
}

// Before the prompt (BIOS/kernel boot), at the prompt while typing, and
// while PRIMES computes and prints.
INSTANTIATE_TEST_SUITE_P(AtSeveralPoints, MachineSnapshot,
                         ::testing::Values(3'000'000, 8'000'000, 20'000'000, 41'000'000));

TEST(MachineSnapshotErrors, StateForAnotherRamSizeIsRefused) {
    GuestSession a(freedos_config());
    run_to(a, 1'000'000);
    StateWriter w;
    a.machine().save(w);
    std::vector<uint8_t> state = w.take();
    MachineConfig other = freedos_config();
    other.ram_mb = 64;
    Machine b(std::move(other));
    StateReader r(state);
    EXPECT_THROW(b.load(r), StateError);
}

TEST(MachineSnapshotErrors, TruncatedStateIsRefused) {
    GuestSession a(freedos_config());
    run_to(a, 1'000'000);
    StateWriter w;
    a.machine().save(w);
    std::vector<uint8_t> state = w.take();
    for (size_t cut : {size_t(0), size_t(10), state.size() / 3, state.size() - 1}) {
        Machine b(freedos_config());
        StateReader r(std::span<const uint8_t>(state.data(), cut));
        EXPECT_THROW(b.load(r), StateError) << "cut at " << cut;
    }
}

}  // namespace
}  // namespace sandpc
