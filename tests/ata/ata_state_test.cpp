#include <gtest/gtest.h>

#include "ata_test_util.h"

namespace sandpc::test {
namespace {

// A second machine over the same media, to load a saved state into.
struct Machine {
    explicit Machine(std::shared_ptr<PatternBackend> disk) {
        channel.attach_disk(0, std::make_unique<SharedDisk>(std::move(disk)));
    }
    struct SharedDisk : BlockBackend {
        explicit SharedDisk(std::shared_ptr<PatternBackend> d) : disk(std::move(d)) {}
        uint64_t size() const override { return disk->size(); }
        bool read_only() const override { return disk->read_only(); }
        std::string describe() const override { return disk->describe(); }
        void read(uint64_t o, std::span<uint8_t> out) override { disk->read(o, out); }
        void write(uint64_t o, std::span<const uint8_t> d) override { disk->write(o, d); }
        void flush() override {}
        std::shared_ptr<PatternBackend> disk;
    };
    uint8_t alt() { return bus.read8(kCtl); }
    void wait() {
        while (alt() & 0x80)
            if (!sched.skip_to_next_event()) break;
    }
    std::vector<uint8_t> read(size_t n) {
        std::vector<uint8_t> v;
        for (size_t i = 0; i < n; i += 2) {
            uint16_t w = bus.read16(kCmd);
            v.push_back(static_cast<uint8_t>(w));
            v.push_back(static_cast<uint8_t>(w >> 8));
        }
        return v;
    }
    std::vector<uint8_t> save() {
        StateWriter w;
        sched.save(w);
        channel.save(w);
        return w.take();
    }
    void load(const std::vector<uint8_t>& state) {
        StateReader r(state);
        sched.load(r);
        channel.load(r);
    }
    Scheduler sched{1'000'000'000};
    IoBus bus;
    RecordingIrqSink irqs{sched};
    AtaChannel channel{bus, sched, InterruptLine(irqs, 14), kCmd, kCtl, "ata0"};
};

void start_read(Machine& m, uint8_t count) {
    m.bus.write8(kCmd + 6, 0xE0);
    m.bus.write8(kCmd + 2, count);
    m.bus.write8(kCmd + 3, 200);
    m.bus.write8(kCmd + 4, 0);
    m.bus.write8(kCmd + 5, 0);
    m.bus.write8(kCmd + 7, 0x20);
}

TEST(AtaState, RoundTripInTheMiddleOfAPioRead) {
    auto disk = std::make_shared<PatternBackend>(4 << 20, false);
    Machine a(disk);
    start_read(a, 4);
    a.wait();
    auto got = a.read(512);
    a.wait();
    auto part = a.read(300);  // part of the second sector
    got.insert(got.end(), part.begin(), part.end());
    auto state = a.save();

    Machine b(disk);
    b.load(state);
    EXPECT_EQ(b.alt(), a.alt());
    EXPECT_TRUE(b.irqs.levels[14] == a.irqs.levels[14]);
    auto rest_a = a.read(212);
    auto rest_b = b.read(212);
    EXPECT_EQ(rest_a, rest_b);
    got.insert(got.end(), rest_b.begin(), rest_b.end());
    for (int s = 0; s < 2; ++s) {
        b.wait();
        ASSERT_EQ(b.alt() & 0x89, 0x08);
        auto block = b.read(512);
        got.insert(got.end(), block.begin(), block.end());
    }
    EXPECT_EQ(got, pattern(200 * 512, 4 * 512));
    EXPECT_EQ(b.alt(), 0x50);
}

TEST(AtaState, RoundTripWhileBusyBetweenBlocks) {
    auto disk = std::make_shared<PatternBackend>(4 << 20, false);
    Machine a(disk);
    start_read(a, 2);
    a.wait();
    a.read(512);  // the device is now busy fetching sector 2
    ASSERT_TRUE(a.alt() & 0x80);
    auto state = a.save();
    Machine b(disk);
    b.load(state);
    EXPECT_TRUE(b.alt() & 0x80);
    b.wait();
    EXPECT_EQ(b.alt() & 0x89, 0x08);
    EXPECT_EQ(b.read(512), pattern(201 * 512, 512));
}

TEST(AtaState, RoundTripInTheMiddleOfAPioWrite) {
    auto disk = std::make_shared<PatternBackend>(4 << 20, false);
    Machine a(disk);
    a.bus.write8(kCmd + 6, 0xE0);
    a.bus.write8(kCmd + 2, 2);
    a.bus.write8(kCmd + 3, 9);
    a.bus.write8(kCmd + 7, 0x30);
    a.wait();
    for (int i = 0; i < 100; ++i) a.bus.write16(kCmd, static_cast<uint16_t>(i));
    auto state = a.save();
    Machine b(disk);
    b.load(state);
    for (int i = 100; i < 512; ++i) {
        if (i == 256) b.wait();
        b.bus.write16(kCmd, static_cast<uint16_t>(i));
    }
    b.wait();
    EXPECT_EQ(b.alt(), 0x50);
    std::vector<uint8_t> stored(1024);
    disk->read(9 * 512, stored);
    for (int i = 0; i < 512; ++i) EXPECT_EQ(stored[2 * i] | stored[2 * i + 1] << 8, i);
}

TEST(AtaState, RefusesDifferentDevices) {
    auto disk = std::make_shared<PatternBackend>(4 << 20, false);
    Machine a(disk);
    auto state = a.save();
    Machine b(std::make_shared<PatternBackend>(2 << 20, false));
    EXPECT_THROW(b.load(state), StateError);  // other disk size
    Machine c(disk);
    c.channel.attach_cdrom(1);
    EXPECT_THROW(c.load(state), StateError);  // a CD-ROM where there was none
}

// Changes a u32 in the channel section's payload and fixes the checksum, so
// only the channel's own validation can refuse it.
std::vector<uint8_t> patch_u32(std::vector<uint8_t> state, size_t payload_offset, uint32_t v) {
    size_t sched_end = 0;
    {
        StateReader r(state);
        Scheduler s;
        s.load(r);
        std::string name = "ata0";
        for (size_t i = 0; i + name.size() <= state.size(); ++i) {
            if (std::equal(name.begin(), name.end(), state.begin() + i)) {
                sched_end = i - 4;
                break;
            }
        }
    }
    size_t payload = sched_end + 4 + 4 + 4 + 8;
    uint64_t len = 0;
    for (int i = 0; i < 8; ++i) len |= uint64_t{state[payload - 8 + i]} << 8 * i;
    for (int i = 0; i < 4; ++i)
        state[payload + payload_offset + i] = static_cast<uint8_t>(v >> 8 * i);
    uint32_t crc = crc32_of(std::span(state).subspan(payload, len));
    for (int i = 0; i < 4; ++i) state[payload + len + i] = static_cast<uint8_t>(crc >> 8 * i);
    return state;
}

TEST(AtaState, RefusesBadTransferState) {
    auto disk = std::make_shared<PatternBackend>(4 << 20, false);
    Machine a(disk);
    start_read(a, 4);
    a.wait();
    a.read(100);
    auto state = a.save();
    // kind 1 + sectors 8 + registers 14 + irq 1 + CHS 12 + multiple 4 + mode 1 +
    // cache 1 + phase 1 + pending 1 + deadline 8 + transfer 1 = 53: buffer_pos.
    constexpr size_t kBufferPos = 53;
    {
        Machine b(disk);
        EXPECT_NO_THROW(b.load(patch_u32(state, kBufferPos, 100)));  // the patch itself is sound
    }
    for (auto [offset, value] : {std::pair<size_t, uint32_t>{kBufferPos, 101},  // odd
                                 {kBufferPos, 600},                             // past the end
                                 {kBufferPos + 4, 0x7FFFFFFF},                  // huge block
                                 {9 + 14 + 1, 0},                               // 0 cylinders ok,
                                 {9 + 14 + 1 + 4, 0},                           // 0 heads bad
                                 {9 + 14 + 1 + 12, 3}}) {                       // multiple 3
        Machine b(disk);
        if (offset == 9 + 14 + 1) {
            EXPECT_NO_THROW(b.load(patch_u32(state, offset, value)));
            continue;
        }
        EXPECT_THROW(b.load(patch_u32(state, offset, value)), StateError) << offset;
    }
}

}  // namespace
}  // namespace sandpc::test
