#include <gtest/gtest.h>

#include "ata_test_util.h"

namespace sandpc::test {
namespace {

constexpr uint64_t kIsoBlocks = 300;

class AtapiTest : public AtaFixture {
  protected:
    void SetUp() override {
        channel.attach_disk(0, std::make_unique<PatternBackend>(1 << 20, false));
        channel.attach_cdrom(1);
        select(1, 0xA0);
    }
    void insert() {
        channel.insert_medium(1, std::make_unique<PatternBackend>(kIsoBlocks * 2048, true));
    }

    struct Reply {
        uint8_t status = 0;  // final status
        uint8_t error = 0;
        std::vector<uint8_t> data;
        std::vector<uint32_t> block_sizes;  // byte count of each DRQ block
    };

    // Sends a packet by PIO and collects the data it returns.
    Reply packet(std::vector<uint8_t> cdb, uint16_t byte_limit = 0xFFFE) {
        cdb.resize(12, 0);
        out(1, 0);  // PIO
        out(4, static_cast<uint8_t>(byte_limit));
        out(5, static_cast<uint8_t>(byte_limit >> 8));
        out(7, 0xA0);
        Reply r;
        EXPECT_EQ(alt_status() & 0x88, 0x08);
        EXPECT_EQ(in(2) & 0x03, 0x01);  // CoD: send the command
        write_bytes(cdb);
        for (;;) {
            wait_not_busy();
            uint8_t st = in(7);
            if (!(st & 0x08)) break;
            EXPECT_EQ(in(2) & 0x03, 0x02);  // IO: data to the host
            uint32_t n = in(4) | in(5) << 8;
            r.block_sizes.push_back(n);
            auto b = read_bytes(n);
            b.resize(n);
            r.data.insert(r.data.end(), b.begin(), b.end());
        }
        EXPECT_EQ(in(2) & 0x03, 0x03);  // status phase
        r.status = in(7);
        r.error = in(1);
        return r;
    }
    std::vector<uint8_t> sense() {
        auto r = packet({0x03, 0, 0, 0, 18});
        EXPECT_EQ(r.data.size(), 18u);
        return {r.data[2], r.data[12], r.data[13]};
    }
};

TEST_F(AtapiTest, SignatureAfterResetAndIdentifyAborts) {
    control(0x04);
    control(0x00);
    select(0, 0xA0);
    wait_not_busy();
    select(1, 0xA0);
    EXPECT_EQ(wait_not_busy(), 0x00);
    EXPECT_EQ(in(2), 0x01);
    EXPECT_EQ(in(3), 0x01);
    EXPECT_EQ(in(4), 0x14);
    EXPECT_EQ(in(5), 0xEB);
    EXPECT_EQ(in(1), 0x01);
    out(4, 0);
    out(5, 0);
    EXPECT_EQ(command(0xEC) & 0x01, 0x01);  // IDENTIFY DEVICE aborts ...
    EXPECT_EQ(in(1) & 0x04, 0x04);
    EXPECT_EQ(in(4), 0x14);  // ... and leaves the signature
    EXPECT_EQ(in(5), 0xEB);
}

TEST_F(AtapiTest, IdentifyPacketDevice) {
    auto w = identify_words(0xA1);
    EXPECT_EQ(w[0], 0x85C0);  // ATAPI, CD-ROM, removable, 12-byte packets
    uint8_t sum = 0;
    for (uint16_t x : w) sum = static_cast<uint8_t>(sum + (x & 0xFF) + (x >> 8));
    EXPECT_EQ(sum, 0);
    std::string model;
    for (int i = 27; i < 47; ++i) {
        model += static_cast<char>(w[i] >> 8);
        model += static_cast<char>(w[i]);
    }
    EXPECT_EQ(model.substr(0, 14), "SANDPC CD-ROM ");
    EXPECT_EQ(command(0x08), 0x00);  // DEVICE RESET: signature, no interrupt needed
    EXPECT_EQ(in(4), 0x14);
}

TEST_F(AtapiTest, Inquiry) {
    auto r = packet({0x12, 0, 0, 0, 36});
    EXPECT_EQ(r.status, 0x50);
    ASSERT_EQ(r.data.size(), 36u);
    EXPECT_EQ(r.data[0], 0x05);
    EXPECT_EQ(r.data[1], 0x80);
    EXPECT_EQ(std::string(r.data.begin() + 8, r.data.begin() + 14), "SANDPC");
    auto shorter = packet({0x12, 0, 0, 0, 5});
    EXPECT_EQ(shorter.data.size(), 5u);  // allocation length honoured
}

TEST_F(AtapiTest, NoMediumThenInsertGivesUnitAttentionOnce) {
    auto r = packet({0x00});
    EXPECT_EQ(r.status & 0x01, 0x01);
    EXPECT_EQ(r.error >> 4, 0x02);  // NOT READY
    EXPECT_EQ(sense(), (std::vector<uint8_t>{0x02, 0x3A, 0x00}));
    insert();
    r = packet({0x00});
    EXPECT_EQ(r.error >> 4, 0x06);  // UNIT ATTENTION
    EXPECT_EQ(sense(), (std::vector<uint8_t>{0x06, 0x28, 0x00}));
    r = packet({0x00});
    EXPECT_EQ(r.status, 0x50);
    EXPECT_EQ(sense(), (std::vector<uint8_t>{0x00, 0x00, 0x00}));
}

TEST_F(AtapiTest, ReadCapacityAndRead10WithByteCountLimit) {
    insert();
    packet({0x00});
    auto cap = packet({0x25});
    ASSERT_EQ(cap.data.size(), 8u);
    EXPECT_EQ(cap.data[2] << 8 | cap.data[3], kIsoBlocks - 1);
    EXPECT_EQ(cap.data[6] << 8 | cap.data[7], 2048);
    size_t before = irqs.rising[14].size();
    auto r = packet({0x28, 0, 0, 0, 0, 10, 0, 0, 3}, 4096);
    EXPECT_EQ(r.status, 0x50);
    EXPECT_EQ(r.block_sizes, (std::vector<uint32_t>{4096, 2048}));
    EXPECT_EQ(r.data, pattern(10 * 2048, 3 * 2048));
    EXPECT_EQ(irqs.rising[14].size() - before, 3u);  // two data blocks, then status
    auto twelve = packet({0xA8, 0, 0, 0, 1, 0x2B, 0, 0, 0, 1}, 0xFFFF);
    EXPECT_EQ(twelve.data, pattern(299 * 2048, 2048));
    auto past = packet({0x28, 0, 0, 0, 1, 0x2B, 0, 0, 2});
    EXPECT_EQ(past.error >> 4, 0x05);
    EXPECT_EQ(sense(), (std::vector<uint8_t>{0x05, 0x21, 0x00}));
}

TEST_F(AtapiTest, ReadToc) {
    insert();
    packet({0x00});
    auto lba = packet({0x43, 0, 0, 0, 0, 0, 0, 0, 100});
    ASSERT_EQ(lba.data.size(), 20u);
    EXPECT_EQ(lba.data[0] << 8 | lba.data[1], 18);
    EXPECT_EQ(lba.data[2], 1);
    EXPECT_EQ(lba.data[3], 1);
    EXPECT_EQ(lba.data[6], 1);  // track 1 at LBA 0
    EXPECT_EQ(lba.data[5], 0x14);
    EXPECT_EQ(lba.data[14], 0xAA);  // lead-out at the end
    EXPECT_EQ(lba.data[18] << 8 | lba.data[19], kIsoBlocks);
    auto msf = packet({0x43, 0x02, 0, 0, 0, 0, 0, 0, 100});
    // Track 1 at 00:02:00; lead-out at 300 + 150 frames = 00:06:00.
    EXPECT_EQ(std::vector<uint8_t>(msf.data.begin() + 8, msf.data.begin() + 12),
              (std::vector<uint8_t>{0, 0, 2, 0}));
    EXPECT_EQ(std::vector<uint8_t>(msf.data.begin() + 16, msf.data.begin() + 20),
              (std::vector<uint8_t>{0, 0, 6, 0}));
    auto session = packet({0x43, 0, 1, 0, 0, 0, 0, 0, 12});
    ASSERT_EQ(session.data.size(), 12u);
    EXPECT_EQ(session.data[1], 10);
    EXPECT_EQ(session.data[6], 1);
}

TEST_F(AtapiTest, ModeSenseConfigurationEventsAndUnknownOpcode) {
    auto caps = packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64});
    ASSERT_EQ(caps.data.size(), 28u);
    EXPECT_EQ(caps.data[8], 0x2A);
    EXPECT_EQ(caps.data[9], 18);
    auto recovery = packet({0x5A, 0, 0x01, 0, 0, 0, 0, 0, 64});
    EXPECT_EQ(recovery.data[8], 0x01);
    auto none = packet({0x5A, 0, 0x05, 0, 0, 0, 0, 0, 64});
    EXPECT_EQ(none.error >> 4, 0x05);
    insert();
    auto event = packet({0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8});
    ASSERT_EQ(event.data.size(), 8u);
    EXPECT_EQ(event.data[4], 0x02);  // new media
    EXPECT_EQ(event.data[5], 0x02);  // present
    event = packet({0x4A, 0x01, 0, 0, 0x10, 0, 0, 0, 8});
    EXPECT_EQ(event.data[4], 0x00);
    auto config = packet({0x46, 0, 0, 0, 0, 0, 0, 0, 16});
    ASSERT_GE(config.data.size(), 8u);
    EXPECT_EQ(config.data[6] << 8 | config.data[7], 0x0008);
    auto bogus = packet({0xF7});
    EXPECT_EQ(bogus.error >> 4, 0x05);
    EXPECT_EQ(sense(), (std::vector<uint8_t>{0x05, 0x20, 0x00}));
}

TEST_F(AtapiTest, PreventBlocksEjectAndStartStopEjects) {
    insert();
    packet({0x00});
    packet({0x1E, 0, 0, 0, 1});
    auto r = packet({0x1B, 0, 0, 0, 0x02});
    EXPECT_EQ(r.error >> 4, 0x05);
    EXPECT_TRUE(channel.has_medium(1));
    packet({0x1E, 0, 0, 0, 0});
    r = packet({0x1B, 0, 0, 0, 0x02});
    EXPECT_EQ(r.status, 0x50);
    EXPECT_FALSE(channel.has_medium(1));
    EXPECT_EQ(packet({0x00}).error >> 4, 0x02);
}

TEST_F(AtapiTest, MediumRemovedDuringReadEndsWithError) {
    insert();
    packet({0x00});
    std::vector<uint8_t> cdb = {0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0};
    out(4, 0x00);
    out(5, 0x08);  // 2048-byte DRQ blocks
    out(7, 0xA0);
    write_bytes(cdb);
    wait_not_busy();
    EXPECT_EQ(in(7) & 0x89, 0x08);
    read_bytes(2048);
    EXPECT_NE(channel.eject_medium(1), nullptr);
    uint8_t st = wait_not_busy();
    EXPECT_EQ(st & 0x09, 0x01);
    EXPECT_EQ(in(1) >> 4, 0x03);  // MEDIUM ERROR
}

}  // namespace
}  // namespace sandpc::test
