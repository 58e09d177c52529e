#include "devices/scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sandpc {
namespace {

TEST(Scheduler, VirtualTimeFollowsInstructions) {
    Scheduler s;  // 100 M instructions per second: 10 ns each
    s.advance(250);
    EXPECT_EQ(s.now_ns(), 2500u);
    s.set_instructions_per_second(3);  // 333.33 ms per instruction
    s.advance(1);
    EXPECT_EQ(s.now_ns(), 2500u + 333'333'333u);
    s.advance(2);
    EXPECT_EQ(s.now_ns(), 2500u + 1'000'000'000u);
}

TEST(Scheduler, CountsInstructionsExactlyUpToTheEvent) {
    Scheduler s;
    std::vector<uint64_t> fired;
    Timer t(s, "t", [&](uint64_t deadline) { fired.push_back(deadline); });
    EXPECT_EQ(s.instructions_until_next_event(), Scheduler::kNever);
    t.arm_at(1005);  // not on an instruction boundary: due after 101 instructions
    EXPECT_EQ(s.instructions_until_next_event(), 101u);
    s.advance(100);
    s.run_due_events();
    EXPECT_TRUE(fired.empty());
    EXPECT_EQ(s.instructions_until_next_event(), 1u);
    s.advance(1);
    s.run_due_events();
    ASSERT_EQ(fired.size(), 1u);
    EXPECT_EQ(fired[0], 1005u);
    EXPECT_FALSE(t.armed());
}

TEST(Scheduler, SameDeadlineFiresInCreationOrderAndCancelWorks) {
    Scheduler s;
    std::string order;
    Timer a(s, "a", [&](uint64_t) { order += 'a'; });
    Timer b(s, "b", [&](uint64_t) { order += 'b'; });
    Timer c(s, "c", [&](uint64_t) { order += 'c'; });
    c.arm_at(50);
    b.arm_at(100);
    a.arm_at(100);
    s.advance(20);
    s.run_due_events();
    EXPECT_EQ(order, "cab");
    a.arm_at(400);
    a.cancel();
    b.arm_at(300);
    b.arm_at(600);  // reschedule
    EXPECT_EQ(s.next_deadline_ns(), 600u);
    EXPECT_TRUE(s.skip_to_next_event());
    EXPECT_EQ(s.now_ns(), 600u);
    EXPECT_EQ(order, "cabb");
    EXPECT_FALSE(s.skip_to_next_event());
}

TEST(Scheduler, PeriodicRearmFromDeadlineDoesNotDrift) {
    Scheduler s(7);  // an awkward rate: 142857142.86 ns per instruction
    int count = 0;
    Timer t(s, "tick", [&](uint64_t deadline) {
        ++count;
        t.arm_at(deadline + 1'000'000'000);
    });
    t.arm_at(1'000'000'000);
    for (int i = 0; i < 100; ++i) {
        s.advance(s.instructions_until_next_event());
        s.run_due_events();
    }
    EXPECT_EQ(count, 100);
    EXPECT_EQ(s.instructions(), 700u);
    EXPECT_EQ(t.deadline(), 101'000'000'000u);
}

TEST(Scheduler, SaveLoadRestoresClockAndRejectsGarbage) {
    Scheduler s(1'000'000);
    s.advance(12345);
    StateWriter w;
    s.save(w);
    Scheduler t;
    Timer x(t, "x", [](uint64_t) {});
    x.arm_at(5);
    StateReader r(w.data());
    t.load(r);
    EXPECT_EQ(t.now_ns(), s.now_ns());
    EXPECT_EQ(t.instructions(), 12345u);
    EXPECT_EQ(t.instructions_per_second(), 1'000'000u);
    EXPECT_FALSE(x.armed());  // owners re-arm after load

    std::vector<uint8_t> bad = w.data();
    bad[bad.size() - 6] ^= 0xFF;
    StateReader rb(bad);
    EXPECT_THROW(t.load(rb), StateError);
}

}  // namespace
}  // namespace sandpc
