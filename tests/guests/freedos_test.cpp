// FreeDOS 7.22 from a 720K floppy: boot to the prompt, then run programs
// from the disk and check what they print on the VGA text screen.
#include <gtest/gtest.h>

#include "devices/storage/image_open.h"
#include "tests/guests/guest_session.h"

namespace sandpc {
namespace {

// The screen's last lines, for failure messages.
std::string screen_of(Machine& m) {
    return "screen:\n" + m.text_screen();
}

TEST(FreeDos, BootsToThePromptAndRunsProgramsTypedAtIt) {
    GuestSession s(freedos_config());
    ASSERT_TRUE(s.run_until_text("A:\\>", 50'000'000)) << screen_of(s.machine());
    std::string boot = s.machine().text_screen();
    EXPECT_NE(boot.find("FreeDOS kernel"), std::string::npos);
    EXPECT_NE(boot.find("HIMEM"), std::string::npos);
    // HIMEM must find an A20 gate it can switch both ways.
    EXPECT_EQ(boot.find("A20"), std::string::npos) << boot;

    s.type("PRIMES /N:100 /P:CON\n");
    ASSERT_TRUE(s.run_until_text("97,", 200'000'000)) << screen_of(s.machine());
    EXPECT_NE(s.machine().text_screen().find("The prime numbers between 1 and 100"),
              std::string::npos);

    // DEBUG: hex arithmetic (1234 + 5678 = 68AC, 1234 - 5678 = BBBC), then
    // assemble and run nothing else; quit back to the shell.
    s.type("DEBUG\n");
    s.type("H 1234 5678\n");
    ASSERT_TRUE(s.run_until_text("BBBC", 200'000'000)) << screen_of(s.machine());
    EXPECT_NE(s.machine().text_screen().find("68AC"), std::string::npos);
    s.type("Q\n");
    s.type("NASM HELLO.ASM -o H.COM\n");
    s.type("H\n");
    ASSERT_TRUE(s.run_until_text("Hello, World!", 400'000'000)) << screen_of(s.machine());
}

TEST(FreeDos, SameInputsGiveTheSameScreenAndInstructionCount) {
    std::string screens[2];
    uint64_t counts[2];
    for (int run = 0; run < 2; ++run) {
        GuestSession s(freedos_config());
        s.type("PRIMES /N:300 /P:CON\n");
        s.run_until_text("never shown", 40'000'000);
        screens[run] = s.machine().text_screen();
        counts[run] = s.machine().instructions();
    }
    EXPECT_EQ(counts[0], counts[1]);
    EXPECT_EQ(screens[0], screens[1]);
    EXPECT_NE(screens[0].find("293"), std::string::npos) << screens[0];
}

}  // namespace
}  // namespace sandpc
