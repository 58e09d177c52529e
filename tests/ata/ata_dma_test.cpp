#include <gtest/gtest.h>

#include "ata_test_util.h"

namespace sandpc::test {
namespace {

class AtaDmaTest : public AtaFixture {
  protected:
    void SetUp() override {
        auto disk = std::make_unique<PatternBackend>(8 << 20, false);
        backend = disk.get();
        channel.attach_disk(0, std::move(disk));
        channel.attach_cdrom(1);
        channel.set_bus_master_base(kBm);
    }
    void prd(uint32_t table, unsigned index, uint32_t address, uint32_t bytes, bool last) {
        uint8_t* e = &ram.bytes[table + index * 8];
        for (int i = 0; i < 4; ++i) e[i] = static_cast<uint8_t>(address >> 8 * i);
        e[4] = static_cast<uint8_t>(bytes);
        e[5] = static_cast<uint8_t>(bytes >> 8);
        e[6] = 0;
        e[7] = last ? 0x80 : 0;
    }
    void start_bus_master(uint32_t table, bool to_memory) {
        bus.write32(kBm + 4, table);
        bus.write8(kBm + 2, 0x06);  // clear interrupt and error
        bus.write8(kBm, static_cast<uint8_t>(to_memory ? 0x09 : 0x01));
    }
    PatternBackend* backend = nullptr;
};

TEST_F(AtaDmaTest, IdentifyReportsDmaModes) {
    select(0);
    auto w = identify_words(0xEC);
    EXPECT_TRUE(w[49] & 0x0100);
    EXPECT_EQ(w[63] & 0x07, 0x07);  // multiword DMA 0-2
    EXPECT_EQ(w[88] & 0x3F, 0x3F);  // UDMA 0-5
    EXPECT_TRUE(w[53] & 0x04);
}

TEST_F(AtaDmaTest, ReadDmaThroughPrdTable) {
    prd(0x1000, 0, 0x20000, 1024, false);
    prd(0x1000, 1, 0x30000, 1536, true);
    lba28(40, 5);
    out(7, 0xC8);
    start_bus_master(0x1000, true);
    EXPECT_EQ(bus.read8(kBm + 2) & 0x01, 0x01);  // active
    EXPECT_EQ(wait_not_busy(), 0x50);
    EXPECT_EQ(bus.read8(kBm + 2) & 0x07, 0x04);  // interrupt, done, no error
    EXPECT_TRUE(irqs.levels[14]);
    auto expected = pattern(40 * 512, 5 * 512);
    EXPECT_TRUE(std::equal(expected.begin(), expected.begin() + 1024, ram.bytes.begin() + 0x20000));
    EXPECT_TRUE(std::equal(expected.begin() + 1024, expected.end(), ram.bytes.begin() + 0x30000));
    bus.write8(kBm + 2, 0x04);
    EXPECT_EQ(bus.read8(kBm + 2) & 0x04, 0x00);  // write 1 to clear
}

TEST_F(AtaDmaTest, WriteDmaExtThenReadBack) {
    for (int i = 0; i < 1024; ++i) ram.bytes[0x40000 + i] = static_cast<uint8_t>(i * 3);
    prd(0x2000, 0, 0x40000, 1024, true);
    lba48(9000, 2);
    out(7, 0x35);
    start_bus_master(0x2000, false);
    EXPECT_EQ(wait_not_busy(), 0x50);
    std::vector<uint8_t> stored(1024);
    backend->read_sectors(9000, stored);
    EXPECT_TRUE(std::equal(stored.begin(), stored.end(), ram.bytes.begin() + 0x40000));
}

TEST_F(AtaDmaTest, ShortPrdTableIsAnError) {
    prd(0x1000, 0, 0x20000, 512, true);
    lba28(0, 2);
    out(7, 0xC8);
    start_bus_master(0x1000, true);
    EXPECT_EQ(wait_not_busy() & 0x01, 0x01);
    EXPECT_EQ(bus.read8(kBm + 2) & 0x07, 0x06);  // error + interrupt
}

TEST_F(AtaDmaTest, AtapiReadDma) {
    channel.insert_medium(1, std::make_unique<PatternBackend>(100 * 2048, true));
    select(1, 0xA0);
    auto run_packet = [&](std::vector<uint8_t> cdb) {
        cdb.resize(12, 0);
        out(1, 0x01);  // DMA
        out(7, 0xA0);
        write_bytes(cdb);
        return wait_not_busy();
    };
    out(1, 0);
    out(4, 0xFE);
    out(5, 0xFF);
    out(7, 0xA0);
    write_bytes(std::vector<uint8_t>(12, 0));  // TEST UNIT READY: clears the unit attention
    wait_not_busy();
    prd(0x3000, 0, 0x50000, 0, true);  // 0 = 64 KiB
    start_bus_master(0x3000, true);
    EXPECT_EQ(run_packet({0x28, 0, 0, 0, 0, 7, 0, 0, 4}), 0x50);
    EXPECT_EQ(in(2) & 0x03, 0x03);
    auto expected = pattern(7 * 2048, 4 * 2048);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), ram.bytes.begin() + 0x50000));
    EXPECT_EQ(bus.read8(kBm + 2) & 0x05, 0x05);  // table longer than the data: still active
}

}  // namespace
}  // namespace sandpc::test
