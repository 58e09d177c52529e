#include <gtest/gtest.h>

#include <string>

#include "ata_test_util.h"

namespace sandpc::test {
namespace {

constexpr uint64_t kDiskSize = 16ull << 20;  // 32768 sectors

class AtaDiskTest : public AtaFixture {
  protected:
    void SetUp() override {
        auto disk = std::make_unique<PatternBackend>(kDiskSize, false, &flushes);
        backend = disk.get();
        channel.attach_disk(0, std::move(disk));
    }
    size_t interrupts() const { return irqs.rising[14].size(); }
    int flushes = 0;
    PatternBackend* backend = nullptr;
};

std::string ata_string(const std::vector<uint16_t>& w, unsigned first, unsigned words) {
    std::string s;
    for (unsigned i = 0; i < words; ++i) {
        s += static_cast<char>(w[first + i] >> 8);
        s += static_cast<char>(w[first + i] & 0xFF);
    }
    return s;
}

uint8_t checksum(const std::vector<uint16_t>& w) {
    uint8_t sum = 0;
    for (uint16_t x : w) sum = static_cast<uint8_t>(sum + (x & 0xFF) + (x >> 8));
    return sum;
}

TEST_F(AtaDiskTest, SoftResetPresentsAtaSignatureAndAbsentSlaveIsNotPresent) {
    control(0x04);
    EXPECT_TRUE(alt_status() & 0x80);
    control(0x00);
    EXPECT_EQ(wait_not_busy(), 0x50);
    EXPECT_EQ(in(1), 0x01);  // diagnostic: passed
    EXPECT_EQ(in(2), 0x01);
    EXPECT_EQ(in(3), 0x01);
    EXPECT_EQ(in(4), 0x00);
    EXPECT_EQ(in(5), 0x00);
    EXPECT_EQ(in(6) & 0x10, 0x00);  // reset selects device 0
    select(1, 0xA0);
    EXPECT_EQ(in(7), 0x00);  // BIOSes and Linux treat status 0 as no device
    EXPECT_EQ(alt_status(), 0x00);
    EXPECT_EQ(in(1), 0x00);
    EXPECT_FALSE(in(4) == 0x00 && in(5) == 0x00);  // no ATA signature
    out(7, 0xEC);                                  // commands to it are ignored
    EXPECT_EQ(alt_status(), 0x00);
    EXPECT_FALSE(sched.skip_to_next_event());
}

TEST(AtaChannelEmpty, FloatsWithNoDevices) {
    Scheduler sched;
    IoBus bus;
    AtaChannel channel(bus, sched, InterruptLine(), 0x170, 0x376, "ata1");
    EXPECT_EQ(bus.read8(0x177), 0xFF);
    EXPECT_EQ(bus.read8(0x376), 0xFF);
    EXPECT_EQ(bus.read8(0x172), 0xFF);
}

TEST_F(AtaDiskTest, IdentifyDevice) {
    select(0);
    auto w = identify_words(0xEC);
    EXPECT_EQ(alt_status() & 0x88, 0x00);  // DRQ dropped after 256 words
    EXPECT_EQ(checksum(w), 0);
    EXPECT_EQ(w[255] & 0xFF, 0xA5);
    EXPECT_EQ(w[0] & 0x8000, 0);  // ATA device
    EXPECT_EQ(w[1], 32768 / (16 * 63));
    EXPECT_EQ(w[3], 16);
    EXPECT_EQ(w[6], 63);
    EXPECT_EQ(w[54], w[1]);
    EXPECT_EQ(w[55], 16);
    EXPECT_EQ(w[56], 63);
    EXPECT_EQ(w[57] | w[58] << 16, 32 * 16 * 63);
    EXPECT_EQ(ata_string(w, 27, 20), "SANDPC HARDDISK" + std::string(25, ' '));
    EXPECT_NE(ata_string(w, 10, 10), std::string(20, ' '));
    EXPECT_NE(ata_string(w, 23, 4), std::string(8, ' '));
    EXPECT_EQ(w[60] | w[61] << 16, 32768);
    EXPECT_EQ(w[100] | w[101] << 16, 32768);
    EXPECT_EQ(w[102] | w[103], 0);
    EXPECT_TRUE(w[49] & 0x0200);        // LBA
    EXPECT_EQ(w[47] & 0xFF, 16);        // READ/WRITE MULTIPLE up to 16
    EXPECT_EQ(w[83] & 0xC000, 0x4000);  // word valid
    EXPECT_TRUE(w[83] & (1 << 10));     // LBA48 supported
    EXPECT_TRUE(w[83] & (1 << 13));     // FLUSH CACHE EXT supported
    EXPECT_TRUE(w[86] & (1 << 10));     // ... and enabled
    EXPECT_TRUE(w[86] & (1 << 13));
    EXPECT_EQ(interrupts(), 1u);
}

TEST(AtaIdentifyLarge, CapsLba28AndCylinders) {
    Scheduler sched;
    IoBus bus;
    AtaChannel channel(bus, sched, InterruptLine(), kCmd, kCtl, "ata0");
    uint64_t sectors = 200ull * 1024 * 1024 * 2;  // 200 GiB
    channel.attach_disk(0, std::make_unique<PatternBackend>(sectors * 512, true));
    bus.write8(kCmd + 6, 0xA0);
    bus.write8(kCmd + 7, 0xEC);
    sched.skip_to_next_event();
    std::vector<uint16_t> w(256);
    for (auto& x : w) x = bus.read16(kCmd);
    EXPECT_EQ(w[1], 16383);
    EXPECT_EQ(w[60] | w[61] << 16, 0x0FFFFFFF);
    uint64_t lba48 = 0;
    for (int i = 3; i >= 0; --i) lba48 = lba48 << 16 | w[100 + i];
    EXPECT_EQ(lba48, sectors);
}

TEST_F(AtaDiskTest, ReadOneSectorLba28) {
    lba28(1234, 1);
    out(7, 0x20);
    EXPECT_TRUE(alt_status() & 0x80);
    EXPECT_EQ(read_pio(1), pattern(1234 * 512, 512));
    EXPECT_EQ(alt_status(), 0x50);
    EXPECT_EQ(interrupts(), 1u);
    EXPECT_EQ(in(7), 0x50);
    EXPECT_FALSE(irqs.levels[14]);
}

TEST_F(AtaDiskTest, ReadManySectorsInterruptsPerSector) {
    lba28(100, 5);
    out(7, 0x20);
    EXPECT_EQ(read_pio(5), pattern(100 * 512, 5 * 512));
    EXPECT_EQ(interrupts(), 5u);
    EXPECT_EQ(in(3), 104);  // address of the last sector
}

TEST_F(AtaDiskTest, SectorCountZeroMeans256) {
    lba28(0, 0);
    out(7, 0x20);
    EXPECT_EQ(read_pio(256), pattern(0, 256 * 512));
    EXPECT_EQ(alt_status() & 0x08, 0);
}

TEST_F(AtaDiskTest, ReadChsWithDefaultAndInitializedGeometry) {
    select(0, 0xA2);  // CHS, head 2
    out(2, 2);
    out(3, 3);  // sector 3
    out(4, 1);  // cylinder 1
    out(5, 0);
    out(7, 0x20);
    uint64_t lba = (1 * 16 + 2) * 63 + 2;
    EXPECT_EQ(read_pio(2), pattern(lba * 512, 1024));
    // 4 heads, 17 sectors per track.
    select(0, 0xA3);
    out(2, 17);
    EXPECT_EQ(command(0x91), 0x50);
    select(0, 0xA1);
    out(2, 1);
    out(3, 5);
    out(4, 7);
    out(5, 0);
    out(7, 0x20);
    lba = (7 * 4 + 1) * 17 + 4;
    EXPECT_EQ(read_pio(1), pattern(lba * 512, 512));
    select(0, 0xA4);  // head 4 does not exist with 4 heads
    out(3, 1);
    EXPECT_EQ(command(0x20) & 0x89, 0x01);
    EXPECT_EQ(in(1), 0x10);  // IDNF
}

TEST(AtaLba48, ReadsBeyondLba28) {
    Scheduler sched{1'000'000'000};
    IoBus bus;
    AtaChannel channel(bus, sched, InterruptLine(), kCmd, kCtl, "ata0");
    uint64_t sectors = 1ull << 29;
    channel.attach_disk(0, std::make_unique<PatternBackend>(sectors * 512, true));
    uint64_t lba = (1ull << 28) + 12345;
    bus.write8(kCmd + 6, 0x40);
    for (unsigned shift : {8u, 0u}) {
        bus.write8(kCmd + 2, static_cast<uint8_t>(3 >> shift));
        bus.write8(kCmd + 3, static_cast<uint8_t>(lba >> (shift * 3)));
        bus.write8(kCmd + 4, static_cast<uint8_t>(lba >> (shift * 3 + 8)));
        bus.write8(kCmd + 5, static_cast<uint8_t>(lba >> (shift * 3 + 16)));
    }
    bus.write8(kCmd + 7, 0x24);
    std::vector<uint8_t> got;
    for (int block = 0; block < 3; ++block) {
        while (bus.read8(kCtl) & 0x80) sched.skip_to_next_event();
        ASSERT_EQ(bus.read8(kCtl) & 0x89, 0x08);
        for (int i = 0; i < 256; ++i) {
            uint16_t w = bus.read16(kCmd);
            got.push_back(static_cast<uint8_t>(w));
            got.push_back(static_cast<uint8_t>(w >> 8));
        }
    }
    EXPECT_EQ(got, pattern(lba * 512, 3 * 512));
    // Registers now hold the last sector's address; HOB reads the high bytes.
    uint64_t last = lba + 2;
    EXPECT_EQ(bus.read8(kCmd + 3), static_cast<uint8_t>(last));
    bus.write8(kCtl, 0x80);
    EXPECT_EQ(bus.read8(kCmd + 3), static_cast<uint8_t>(last >> 24));
    EXPECT_EQ(bus.read8(kCmd + 4), static_cast<uint8_t>(last >> 32));
}

TEST_F(AtaDiskTest, Lba48ZeroCountIs65536SectorsAndChecksRange) {
    lba48(32768 - 65535, 0);  // would need 65536 sectors: past the end
    EXPECT_EQ(command(0x24) & 0x89, 0x01);
    EXPECT_EQ(in(1), 0x10);
}

TEST_F(AtaDiskTest, ReadWriteMultiple) {
    lba28(0, 10);
    EXPECT_EQ(command(0xC4) & 0x89, 0x01);  // multiple mode not set yet
    EXPECT_EQ(in(1), 0x04);
    out(2, 3);
    EXPECT_EQ(command(0xC6) & 0x01, 0x01);  // not a power of two
    out(2, 4);
    EXPECT_EQ(command(0xC6), 0x50);
    size_t before = interrupts();
    lba28(50, 10);
    out(7, 0xC4);
    EXPECT_EQ(read_pio(10, 4), pattern(50 * 512, 10 * 512));
    EXPECT_EQ(interrupts() - before, 3u);  // blocks of 4 + 4 + 2

    std::vector<uint8_t> data(6 * 512);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7 + 1);
    lba28(2000, 6);
    out(7, 0xC5);
    EXPECT_EQ(wait_not_busy() & 0x89, 0x08);
    write_bytes(std::span(data).first(2048));
    EXPECT_EQ(wait_not_busy() & 0x89, 0x08);
    write_bytes(std::span(data).subspan(2048));
    EXPECT_EQ(wait_not_busy(), 0x50);
    std::vector<uint8_t> stored(data.size());
    backend->read_sectors(2000, stored);
    EXPECT_EQ(stored, data);
    lba48(2000, 6);
    out(7, 0x29);
    EXPECT_EQ(read_pio(6, 4), data);
}

TEST_F(AtaDiskTest, ThirtyTwoBitDataReads) {
    lba28(77, 2);
    out(7, 0x20);
    std::vector<uint8_t> got;
    for (int s = 0; s < 2; ++s) {
        ASSERT_EQ(wait_not_busy() & 0x89, 0x08);
        for (int i = 0; i < 128; ++i) {
            uint32_t d = bus.read32(kCmd);
            for (int b = 0; b < 4; ++b) got.push_back(static_cast<uint8_t>(d >> 8 * b));
        }
    }
    EXPECT_EQ(got, pattern(77 * 512, 1024));
}

TEST_F(AtaDiskTest, WriteSectorsThenReadBack) {
    std::vector<uint8_t> data(3 * 512);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i ^ 0x5A);
    lba28(300, 3);
    out(7, 0x30);
    size_t before = interrupts();
    for (int s = 0; s < 3; ++s) {
        wait_not_busy();
        ASSERT_EQ(in(7) & 0x89, 0x08);
        for (int i = 0; i < 128; ++i) {
            size_t o = s * 512 + i * 4;
            bus.write32(kCmd, static_cast<uint32_t>(data[o] | data[o + 1] << 8 | data[o + 2] << 16 |
                                                    data[o + 3] << 24));
        }
    }
    EXPECT_EQ(wait_not_busy(), 0x50);
    EXPECT_EQ(interrupts() - before, 3u);  // after sectors 1, 2 and at completion
    lba48(300, 3);
    out(7, 0x24);
    EXPECT_EQ(read_pio(3), data);
    EXPECT_EQ(command(0xE7), 0x50);
    EXPECT_EQ(flushes, 1);
    EXPECT_EQ(command(0xEA), 0x50);
    EXPECT_EQ(flushes, 2);
}

TEST_F(AtaDiskTest, OutOfRangeGivesIdnf) {
    lba28(32767, 2);
    EXPECT_EQ(command(0x20), 0x41);
    EXPECT_EQ(in(1), 0x10);
    EXPECT_EQ(interrupts(), 1u);
    lba28(0x0FFFFFFF, 1);
    EXPECT_EQ(command(0x30) & 0x89, 0x01);
    EXPECT_EQ(in(1), 0x10);
    lba28(40000, 1);
    EXPECT_EQ(command(0x40) & 0x01, 0x01);
    lba28(32767, 1);
    EXPECT_EQ(command(0x40), 0x50);
}

TEST_F(AtaDiskTest, NienSuppressesInterrupt) {
    control(0x02);
    lba28(1, 1);
    out(7, 0x20);
    EXPECT_EQ(wait_not_busy() & 0x89, 0x08);
    EXPECT_TRUE(irqs.rising[14].empty());
    control(0x00);  // the pending interrupt shows once nIEN is cleared
    EXPECT_TRUE(irqs.levels[14]);
    EXPECT_EQ(alt_status() & 0x08, 0x08);
    EXPECT_TRUE(irqs.levels[14]);  // alternate status leaves it pending
    in(7);
    EXPECT_FALSE(irqs.levels[14]);
}

TEST_F(AtaDiskTest, UnknownCommandAborts) {
    EXPECT_EQ(command(0xFF), 0x41);
    EXPECT_EQ(in(1), 0x04);
    EXPECT_EQ(command(0xA0), 0x41);  // PACKET on a disk
    EXPECT_EQ(command(0x08), 0x41);  // DEVICE RESET on a disk
}

TEST_F(AtaDiskTest, MiscellaneousCommandsComplete) {
    for (uint8_t c : {0x10, 0xE0, 0xE1, 0xE2, 0xE3, 0xE6}) EXPECT_EQ(command(c), 0x50) << int(c);
    out(2, 0);
    EXPECT_EQ(command(0xE5), 0x50);
    EXPECT_EQ(in(2), 0xFF);
    out(1, 0x03);
    out(2, 0x0C);  // PIO mode 4
    EXPECT_EQ(command(0xEF), 0x50);
    out(1, 0x03);
    out(2, 0x45);  // UDMA 5
    EXPECT_EQ(command(0xEF), 0x50);
    out(1, 0x77);
    EXPECT_EQ(command(0xEF), 0x41);
    lba28(10, 1);
    EXPECT_EQ(command(0x70), 0x50);
    EXPECT_EQ(command(0x90), 0x50);
    EXPECT_EQ(in(1), 0x01);
}

TEST(AtaReadOnly, WriteToReadOnlyMediumAborts) {
    Scheduler sched;
    IoBus bus;
    AtaChannel channel(bus, sched, InterruptLine(), kCmd, kCtl, "ata0");
    channel.attach_disk(0, std::make_unique<PatternBackend>(1 << 20, true));
    bus.write8(kCmd + 6, 0xE0);
    bus.write8(kCmd + 2, 1);
    bus.write8(kCmd + 3, 0);
    bus.write8(kCmd + 7, 0x30);
    while (bus.read8(kCtl) & 0x80) sched.skip_to_next_event();
    EXPECT_EQ(bus.read8(kCtl), 0x41);  // ABRT, no data phase
    EXPECT_EQ(bus.read8(kCmd + 1), 0x04);
    bus.write16(kCmd, 0x1234);  // stray data is ignored
    EXPECT_EQ(bus.read8(kCmd + 7), 0x41);
}

}  // namespace
}  // namespace sandpc::test
