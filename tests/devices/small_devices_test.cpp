#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "devices/debug_console.h"
#include "devices/isa_debug_exit.h"
#include "devices/realtime_pacer.h"
#include "devices/system_control_port_a.h"

namespace sandpc {
namespace {

TEST(DebugConsole, WritesGoToSinkAndReadReturnsE9) {
    IoBus bus;
    std::ostringstream out;
    OstreamSerialBackend sink(out);
    DebugConsole con(bus, sink);
    for (char c : std::string("boot ok")) bus.write8(0xE9, static_cast<uint8_t>(c));
    EXPECT_EQ(out.str(), "boot ok");
    EXPECT_EQ(bus.read8(0xE9), 0xE9);
    StateWriter w;
    con.save(w);
    StateReader r(w.data());
    con.load(r);
    EXPECT_TRUE(r.at_end());
}

TEST(IsaDebugExit, RecordsQemuExitStatus) {
    IoBus bus;
    IsaDebugExit dev(bus);
    EXPECT_FALSE(dev.exit_requested());
    bus.write8(0xF4, 0x10);
    ASSERT_TRUE(dev.exit_requested());
    EXPECT_EQ(*dev.exit_status(), 0x21u);
    bus.write32(0xF4, 0x31);
    EXPECT_EQ(*dev.exit_status(), 0x63u);
    StateWriter w;
    dev.save(w);
    IoBus bus2;
    IsaDebugExit copy(bus2);
    StateReader r(w.data());
    copy.load(r);
    EXPECT_EQ(copy.exit_status(), dev.exit_status());
}

TEST(SystemControlPortA, FastA20AndResetRequest) {
    IoBus bus;
    int a20_calls = 0;
    bool a20 = false;
    SystemControlPortA port(bus, [&](bool on) {
        ++a20_calls;
        a20 = on;
    });
    bus.write8(0x92, 0x02);
    EXPECT_TRUE(a20);
    EXPECT_EQ(bus.read8(0x92), 0x02);
    bus.write8(0x92, 0x02);
    EXPECT_EQ(a20_calls, 1);  // no change, no call
    EXPECT_FALSE(port.reset_requested());
    bus.write8(0x92, 0x03);
    EXPECT_TRUE(port.take_reset_request());
    EXPECT_FALSE(port.take_reset_request());
    bus.write8(0x92, 0x03);  // bit already 1: no new request
    EXPECT_FALSE(port.reset_requested());

    StateWriter w;
    port.save(w);
    IoBus bus2;
    bool a20b = false;
    SystemControlPortA copy(bus2, [&](bool on) { a20b = on; });
    StateReader r(w.data());
    copy.load(r);
    EXPECT_TRUE(a20b);  // replayed on load
    EXPECT_EQ(bus2.read8(0x92), 0x03);
}

TEST(FileSerialBackend, AppendsToFileAndReportsOpenErrors) {
    std::string path = ::testing::TempDir() + "sandpc_serial_backend_test.txt";
    {
        FileSerialBackend f(path, false);
        f.write_byte('A');
    }
    {
        FileSerialBackend f(path, true);
        f.write_byte('B');
    }
    std::ifstream in(path);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "AB");
    std::remove(path.c_str());
    EXPECT_THROW(FileSerialBackend("/nonexistent-dir/x", false), std::runtime_error);
}

TEST(RealTimePacer, SleepsWhileVirtualTimeIsAhead) {
    Scheduler s;
    RealTimePacer pacer(s);
    s.advance(s.instructions_per_second() / 50);  // 20 ms of virtual time at once
    auto slept = pacer.pace();
    EXPECT_GE(slept.count(), 10'000'000);  // at least most of the 20 ms
    EXPECT_LE(pacer.ahead().count(), 1'000'000);
    s.advance(s.instructions_per_second());  // a full second ahead: rebase, no sleep
    EXPECT_EQ(pacer.pace().count(), 0);
}

}  // namespace
}  // namespace sandpc
