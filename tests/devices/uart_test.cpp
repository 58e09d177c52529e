#include "devices/uart16550.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "device_test_util.h"

namespace sandpc {
namespace {

using test::run_until;

class UartTest : public ::testing::Test {
  protected:
    uint8_t in(unsigned off) { return bus.read8(static_cast<uint16_t>(0x3F8 + off)); }
    void out(unsigned off, uint8_t v) { bus.write8(static_cast<uint16_t>(0x3F8 + off), v); }
    void receive(const std::string& s) {
        uart.receive(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    }

    Scheduler sched{1'000'000'000};
    IoBus bus;
    test::RecordingIrqSink irqs{sched};
    std::string sent;
    CallbackSerialBackend backend{
        [this](std::span<const uint8_t> b) { sent.append(b.begin(), b.end()); }};
    Uart16550 uart{bus, sched, InterruptLine(irqs, 4), 0x3F8, backend};
};

TEST_F(UartTest, DivisorLatchAndScratch) {
    out(3, 0x83);  // DLAB, 8N1
    out(0, 0x01);
    out(1, 0x00);
    EXPECT_EQ(uart.divisor(), 1u);
    EXPECT_EQ(in(0), 0x01);
    out(3, 0x03);
    EXPECT_EQ(in(3), 0x03);
    out(7, 0x5A);
    EXPECT_EQ(in(7), 0x5A);
    EXPECT_EQ(in(2), 0x01);  // no interrupt, FIFOs off
    EXPECT_EQ(in(5), 0x60);  // THRE + TEMT
}

TEST_F(UartTest, TransmitGoesToBackendAndRaisesThre) {
    out(4, 0x0B);  // DTR, RTS, OUT2
    out(1, 0x02);  // ETBEI
    EXPECT_TRUE(irqs.levels[4]);
    EXPECT_EQ(in(2), 0x02);  // THRE; reading IIR clears it
    EXPECT_FALSE(irqs.levels[4]);
    EXPECT_EQ(in(2), 0x01);
    for (char c : std::string("hi\n")) out(0, static_cast<uint8_t>(c));
    EXPECT_EQ(sent, "hi\n");
    EXPECT_TRUE(irqs.levels[4]);
    out(4, 0x03);  // OUT2 low gates the IRQ off
    EXPECT_FALSE(irqs.levels[4]);
}

TEST_F(UartTest, ReceiveWithoutFifo) {
    out(4, 0x08);
    out(1, 0x01);
    receive("ab");
    EXPECT_TRUE(irqs.levels[4]);
    EXPECT_EQ(in(2), 0x04);
    EXPECT_EQ(in(5) & 0x01, 0x01);
    EXPECT_EQ(in(0), 'a');
    EXPECT_EQ(in(0), 'b');  // refilled from the host queue, nothing lost
    EXPECT_EQ(in(5) & 0x01, 0x00);
    EXPECT_FALSE(irqs.levels[4]);
}

TEST_F(UartTest, FifoTriggerLevelAndCharacterTimeout) {
    out(3, 0x83);
    out(0, 12);  // 9600 baud: 10 bits = 1.0417 ms per character
    out(1, 0);
    out(3, 0x03);
    out(2, 0x81);  // FIFO on, trigger 8
    out(4, 0x08);
    out(1, 0x01);
    receive("12345");
    EXPECT_EQ(in(2), 0xC1);  // below trigger, no timeout yet
    receive("678");
    EXPECT_EQ(in(2), 0xC4);
    for (int i = 0; i < 4; ++i) in(0);
    EXPECT_EQ(in(2), 0xC1);
    uint64_t char_ns = 10ull * 12 * 16 * 1'000'000'000 / 1'843'200;
    run_until(sched, sched.now_ns() + 4 * char_ns - 1);
    EXPECT_EQ(in(2), 0xC1);
    run_until(sched, sched.now_ns() + 1);
    EXPECT_EQ(in(2), 0xCC);
    EXPECT_TRUE(irqs.levels[4]);
    EXPECT_EQ(in(0), '5');
    EXPECT_EQ(in(2), 0xC1);  // reading RBR clears the timeout
    out(2, 0x07);            // clear FIFOs
    EXPECT_EQ(in(5) & 0x01, 0);
}

TEST_F(UartTest, FifoHolds16AndHostQueueKeepsTheRest) {
    out(2, 0x01);
    std::string data(40, 'x');
    receive(data);
    EXPECT_EQ(uart.pending_input(), 40u);
    int count = 0;
    while (in(5) & 0x01) {
        in(0);
        ++count;
    }
    EXPECT_EQ(count, 40);
}

TEST_F(UartTest, LoopbackEchoesAndDrivesModemStatus) {
    out(4, 0x10);  // loopback, all outputs low
    in(6);
    EXPECT_EQ(in(6), 0x00);
    out(4, 0x1B);            // loopback + DTR + RTS + OUT2
    EXPECT_EQ(in(6), 0xBB);  // DCD, DSR, CTS and their deltas
    EXPECT_EQ(in(6), 0xB0);
    out(4, 0x1F);  // OUT1 -> RI
    out(4, 0x1B);  // RI falls: trailing edge
    EXPECT_EQ(in(6) & 0x4F, 0x04);
    out(0, 'Q');
    EXPECT_EQ(sent, "");
    EXPECT_EQ(in(5) & 0x01, 0x01);
    EXPECT_EQ(in(0), 'Q');
    out(0, '1');
    out(0, '2');  // no FIFO: the holding register overruns
    EXPECT_EQ(in(5) & 0x03, 0x03);
    EXPECT_EQ(in(5) & 0x02, 0x00);  // reading LSR cleared OE
}

TEST_F(UartTest, InterruptPriorityOrder) {
    out(4, 0x18);  // loopback + OUT2 (IRQ gated off but IIR still works)
    out(1, 0x0F);
    out(0, 'a');
    out(0, 'b');  // overrun -> line status
    EXPECT_EQ(in(2), 0x06);
    in(5);
    EXPECT_EQ(in(2), 0x04);
    in(0);
    EXPECT_EQ(in(2), 0x02);
    EXPECT_EQ(in(2), 0x00);  // modem status (DCD delta from OUT2)
    in(6);
    EXPECT_EQ(in(2), 0x01);
    EXPECT_FALSE(irqs.levels[4]);  // loopback keeps the IRQ pin inactive
}

TEST_F(UartTest, SaveLoadRoundTrip) {
    out(2, 0x41);
    out(4, 0x08);
    out(1, 0x01);
    receive(std::string(20, 'z'));
    in(0);
    StateWriter w;
    sched.save(w);
    uart.save(w);
    Scheduler s2{1};
    IoBus b2;
    NullSerialBackend null;
    test::RecordingIrqSink irqs2{s2};
    Uart16550 u2{b2, s2, InterruptLine(irqs2, 4), 0x3F8, null};
    StateReader r(w.data());
    s2.load(r);
    u2.load(r);
    EXPECT_EQ(u2.pending_input(), uart.pending_input());
    EXPECT_EQ(b2.read8(0x3FA), in(2));
    EXPECT_EQ(s2.next_deadline_ns(), sched.next_deadline_ns());
    EXPECT_TRUE(irqs2.levels[4]);

    std::vector<uint8_t> bad = w.data();
    bad[bad.size() - 30] ^= 1;
    StateReader rb(bad);
    Scheduler s3;
    IoBus b3;
    Uart16550 u3{b3, s3, InterruptLine(), 0x3F8, null};
    s3.load(rb);
    EXPECT_THROW(u3.load(rb), StateError);
}

// Host input through the backend interface, as the machine delivers it.
class FakeInputBackend final : public SerialBackend {
  public:
    void write(std::span<const uint8_t> b) override { sent.append(b.begin(), b.end()); }
    size_t read(std::span<uint8_t> out) override {
        ++reads;
        size_t n = 0;
        while (n < out.size() && !pending.empty()) {
            out[n++] = static_cast<uint8_t>(pending.front());
            pending.pop_front();
        }
        return n;
    }
    bool input_open() const override { return open; }
    void feed(const std::string& s) { pending.insert(pending.end(), s.begin(), s.end()); }

    std::deque<char> pending;
    std::string sent;
    bool open = true;
    int reads = 0;
};

class UartInputTest : public ::testing::Test {
  protected:
    uint8_t in(unsigned off) { return bus.read8(static_cast<uint16_t>(0x3F8 + off)); }
    void out(unsigned off, uint8_t v) { bus.write8(static_cast<uint16_t>(0x3F8 + off), v); }
    void feed_and_poll(const std::string& s) {
        backend.feed(s);
        uart.poll_input();
    }

    Scheduler sched{1'000'000'000};
    IoBus bus;
    test::RecordingIrqSink irqs{sched};
    FakeInputBackend backend;
    Uart16550 uart{bus, sched, InterruptLine(irqs, 4), 0x3F8, backend};
};

TEST_F(UartInputTest, PolledBytesRaiseReceiveDataAvailable) {
    out(4, 0x08);  // OUT2
    out(1, 0x01);  // ERBFI
    uart.poll_input();
    EXPECT_EQ(in(5) & 0x01, 0x00);
    EXPECT_FALSE(irqs.levels[4]);
    feed_and_poll("ok");
    EXPECT_EQ(in(5), 0x61);  // DR, THRE, TEMT
    EXPECT_EQ(in(2), 0x04);
    EXPECT_TRUE(irqs.levels[4]);
    EXPECT_EQ(in(0), 'o');
    EXPECT_EQ(in(0), 'k');
    EXPECT_EQ(in(5), 0x60);
    EXPECT_EQ(in(2), 0x01);
    EXPECT_FALSE(irqs.levels[4]);
}

TEST_F(UartInputTest, EveryFifoTriggerLevel) {
    out(4, 0x08);
    out(1, 0x01);
    const struct {
        uint8_t fcr;
        size_t level;
    } kLevels[] = {{0x07, 1}, {0x47, 4}, {0x87, 8}, {0xC7, 14}};
    for (const auto& t : kLevels) {
        out(2, t.fcr);  // FIFO on, both FIFOs cleared
        ASSERT_EQ(in(5) & 0x01, 0x00);
        if (t.level > 1) {
            feed_and_poll(std::string(t.level - 1, 'x'));
            EXPECT_EQ(in(2), 0xC1) << "below trigger level " << t.level;
            EXPECT_EQ(in(5) & 0x01, 0x01);
            EXPECT_FALSE(irqs.levels[4]);
        }
        feed_and_poll("y");
        EXPECT_EQ(in(2), 0xC4) << "at trigger level " << t.level;
        EXPECT_TRUE(irqs.levels[4]);
        in(0);  // one below the level again
        EXPECT_EQ(in(2), 0xC1) << "after reading one, level " << t.level;
    }
}

TEST_F(UartInputTest, CharacterTimeoutForAShortLine) {
    out(2, 0xC1);  // FIFO on, trigger 14
    out(4, 0x08);
    out(1, 0x01);
    feed_and_poll("hi\n");
    EXPECT_EQ(in(2), 0xC1);
    run_until(sched, sched.now_ns() + 4 * (10ull * 12 * 16 * 1'000'000'000 / 1'843'200));
    EXPECT_EQ(in(2), 0xCC);
    EXPECT_TRUE(irqs.levels[4]);
    std::string got;
    while (in(5) & 0x01) got += static_cast<char>(in(0));
    EXPECT_EQ(got, "hi\n");
    EXPECT_EQ(in(2), 0xC1);
    EXPECT_FALSE(irqs.levels[4]);
}

TEST_F(UartInputTest, PollStopsAtTheHostQueueLimitWithoutLoss) {
    out(2, 0x01);
    std::string data;
    for (size_t i = 0; i < Uart16550::kHostQueueLimit + 5000; ++i)
        data += static_cast<char>('a' + i % 26);
    feed_and_poll(data);
    EXPECT_EQ(uart.pending_input(), Uart16550::kHostQueueLimit + Uart16550::kFifoSize);
    EXPECT_EQ(backend.pending.size(), data.size() - uart.pending_input());
    std::string got;
    while (got.size() < data.size()) {
        uint8_t lsr = in(5);
        ASSERT_EQ(lsr & 0x02, 0) << "overrun after " << got.size();
        if (!(lsr & 0x01)) {
            uart.poll_input();
            ASSERT_TRUE(in(5) & 0x01) << "input stalled after " << got.size();
            continue;
        }
        got += static_cast<char>(in(0));
    }
    EXPECT_EQ(got, data);
}

TEST_F(UartInputTest, LostInputIsAnOverrunWithTopPriority) {
    out(2, 0x01);
    out(4, 0x08);
    out(1, 0x07);  // line status, THRE and RX interrupts
    std::string data(Uart16550::kHostQueueLimit + Uart16550::kFifoSize + 3, 'z');
    size_t accepted =
        uart.receive(std::span(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
    EXPECT_LT(accepted, data.size());
    EXPECT_EQ(in(2), 0xC6);  // line status outranks RX data and THRE
    EXPECT_TRUE(irqs.levels[4]);
    EXPECT_EQ(in(5), 0x63);  // DR, OE, THRE, TEMT; reading clears OE
    EXPECT_EQ(in(5), 0x61);
    EXPECT_EQ(in(2), 0xC4);  // then RX data
    while (in(5) & 0x01) in(0);
    EXPECT_EQ(in(2), 0xC2);  // then THR empty
    EXPECT_EQ(in(2), 0xC1);
    EXPECT_FALSE(irqs.levels[4]);
}

TEST_F(UartInputTest, ClosedBackendIsNotPolled) {
    backend.feed("never");
    backend.open = false;
    uart.poll_input();
    EXPECT_EQ(backend.reads, 0);
    EXPECT_EQ(in(5) & 0x01, 0x00);
}

TEST_F(UartInputTest, InputWaitsDuringLoopback) {
    out(4, 0x10);  // loopback
    feed_and_poll("h");
    EXPECT_EQ(in(5) & 0x01, 0x00);
    out(4, 0x00);
    EXPECT_EQ(in(5) & 0x01, 0x01);
    EXPECT_EQ(in(0), 'h');
}

}  // namespace
}  // namespace sandpc
