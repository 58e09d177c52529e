// Checkpoints taken while FreeDOS writes a file to its floppy: at points
// spread from the command's Enter to the prompt's return, a checkpoint file
// is saved, restored into a new machine over a fresh temporary overlay of
// the same image, and run on. Every resumed run must end with the same
// screen, instruction count and disk content as one straight run. (DOS
// writes through our BIOS's INT 13h, which moves each request at once; the
// floppy controller's own mid-DMA states are saved and resumed in
// tests/floppy, FloppyMidDmaSave.)
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <string>
#include <vector>

#include "frontends/machine/machine_checkpoint.h"
#include "tests/guests/guest_session.h"

namespace sandpc {
namespace {

const std::string kCommand = "ECHO HELLO > A:\\T.TXT\n";

struct Outcome {
    std::string screen;
    uint64_t instructions;
    std::vector<uint8_t> disk;
};

Outcome outcome(Machine& m) {
    BlockBackend* floppy = m.drive_backend(0);
    std::vector<uint8_t> disk(floppy->size());
    floppy->read(0, disk);
    return {m.text_screen(), m.instructions(), disk};
}

// Boots, types the command and returns the instruction count at which the
// whole command has reached the guest.
uint64_t boot_and_type(GuestSession& s) {
    EXPECT_TRUE(s.run_until_text("A:\\>", 30'000'000));
    s.type(kCommand);
    EXPECT_TRUE(s.run_until_typed(kCommand.size(), 30'000'000));
    return s.machine().instructions();
}

TEST(CheckpointDuringDiskWrite, EveryPointAcrossAFloppyWriteResumesExactly) {
    GuestSession straight(freedos_config());
    uint64_t typed_at = boot_and_type(straight);
    // The write is done when the prompt is back under the command.
    ASSERT_TRUE(straight.run_until_text("A:\\>ECHO HELLO > A:\\T.TXT", 1'000'000));
    uint64_t done_at = 0;
    for (uint64_t n = straight.machine().instructions(); n < typed_at + 40'000'000; n += 100'000) {
        straight.run_to(n);
        std::string screen = straight.machine().text_screen();
        size_t cmd = screen.find("A:\\>ECHO HELLO > A:\\T.TXT");
        if (cmd != std::string::npos && screen.find("A:\\>", cmd + 4) != std::string::npos) {
            done_at = n;
            break;
        }
    }
    ASSERT_NE(done_at, 0u) << "the command never finished:\n" << straight.machine().text_screen();
    uint64_t end = done_at + 2'000'000;
    straight.run_to(end);
    Outcome expected = outcome(straight.machine());

    constexpr unsigned kPoints = 8;
    std::vector<uint64_t> points;
    for (unsigned i = 0; i < kPoints; ++i)
        points.push_back(typed_at + (done_at - typed_at) * i / kPoints);

    std::string path = ::testing::TempDir() + "sandpc_mid_write_" + std::to_string(::getpid());
    for (uint64_t at : points) {
        GuestSession first(freedos_config());
        ASSERT_EQ(boot_and_type(first), typed_at);
        first.run_to(at);
        ASSERT_EQ(first.machine().instructions(), at);
        save_machine_checkpoint(first.machine(), path);

        GuestSession second(freedos_config());
        restore_machine_checkpoint(second.machine(), path);
        second.run_to(end);
        Outcome got = outcome(second.machine());
        EXPECT_EQ(got.instructions, expected.instructions) << "resumed at " << at;
        EXPECT_EQ(got.screen, expected.screen) << "resumed at " << at;
        EXPECT_TRUE(got.disk == expected.disk) << "disk differs after resuming at " << at;
    }
    std::remove(path.c_str());
    std::printf("checkpoints across the write: %zu points between %llu and %llu\n", points.size(),
                (unsigned long long)typed_at, (unsigned long long)done_at);
}

}  // namespace
}  // namespace sandpc
