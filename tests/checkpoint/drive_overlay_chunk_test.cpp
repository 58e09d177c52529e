// The DOVL chunk on its own: a temporary overlay's clusters written and
// replayed, its pairing with a temporary-overlay DRIV, damage refused, and
// 1.0 files (no DOVL) still opening.
#include <gtest/gtest.h>

#include <map>

#include "snapshot/checkpoint_file.h"
#include "tests/checkpoint/checkpoint_fixture.h"

namespace sandpc::test {
namespace {

constexpr uint32_t kBits = 12;                     // 4 KiB clusters
constexpr uint64_t kDiskSize = 600 * 4096 + 1000;  // last cluster cut short
const std::vector<uint64_t> kClusters = {0, 3, 4, 5, 300, 301, 599, 600};

std::vector<uint8_t> cluster_bytes(uint64_t index) {
    uint64_t n = std::min<uint64_t>(4096, kDiskSize - index * 4096);
    std::vector<uint8_t> b = random_bytes(n, index + 100);
    if (index % 2) std::fill(b.begin(), b.end(), static_cast<uint8_t>(index));
    return b;
}

class DriveOverlayChunk : public ::testing::Test {
  protected:
    void write(bool with_reference, bool with_overlay) {
        CheckpointWriter w;
        w.set_description(sample_description());
        w.set_state(sample_state());
        DriveReference d = sample_drive(2);
        d.format = kTemporaryOverlayFormat;
        d.virtual_size = kDiskSize;
        if (with_reference) w.add_drive(d);
        DriveOverlaySource s;
        s.slot = 2;
        s.cluster_bits = kBits;
        s.virtual_size = kDiskSize;
        s.clusters = kClusters;
        s.read_cluster = [](uint64_t index, std::span<uint8_t> out) {
            std::vector<uint8_t> b = cluster_bytes(index);
            ASSERT_EQ(out.size(), b.size());
            std::copy(b.begin(), b.end(), out.begin());
        };
        if (with_overlay) w.add_drive_overlay(std::move(s));
        w.write(path_, {.zlib_level = 1, .durable = false});
    }
    std::string refused() {
        try {
            CheckpointReader::open(path_);
        } catch (const CheckpointError& e) {
            return e.what();
        }
        return "";
    }

    TempDir dir_;
    std::string path_ = dir_.file("o.ckpt");
};

TEST_F(DriveOverlayChunk, ClustersReplayAsWritten) {
    write(true, true);
    CheckpointReader r = CheckpointReader::open(path_);
    const DriveOverlayInfo* info = r.drive_overlay(2);
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->clusters, kClusters);
    EXPECT_EQ(info->cluster_bits, kBits);
    std::map<uint64_t, std::vector<uint8_t>> got;
    r.replay_drive_overlay(2, [&](uint64_t offset, std::span<const uint8_t> data) {
        got[offset] = std::vector<uint8_t>(data.begin(), data.end());
    });
    ASSERT_EQ(got.size(), kClusters.size());
    for (uint64_t c : kClusters) EXPECT_EQ(got[c * 4096], cluster_bytes(c)) << "cluster " << c;
    EXPECT_EQ(r.drive_overlay(3), nullptr);
    EXPECT_THROW(r.replay_drive_overlay(3, [](uint64_t, std::span<const uint8_t>) {}),
                 CheckpointError);
}

TEST_F(DriveOverlayChunk, UnpairedChunksAreRefused) {
    write(false, true);
    EXPECT_NE(refused().find("has no drive reference"), std::string::npos) << refused();
    write(true, false);
    EXPECT_NE(refused().find("whose chunk is missing"), std::string::npos) << refused();
}

TEST_F(DriveOverlayChunk, EveryDamagedByteIsRefused) {
    write(true, true);
    std::vector<uint8_t> good = read_file(path_);
    const ChunkSpan* dovl = nullptr;
    std::vector<ChunkSpan> chunks = walk_chunks(good);
    for (const ChunkSpan& c : chunks)
        if (c.type == "DOVL") dovl = &c;
    ASSERT_NE(dovl, nullptr);
    EXPECT_EQ(dovl->name, "overlay2");
    // Every 7th byte of the payload, and its CRC.
    for (size_t at = dovl->payload_at; at < dovl->crc_at + 4; at += 7) {
        std::vector<uint8_t> bad = good;
        bad[at] ^= 0x21;
        write_file(path_, bad);
        EXPECT_NE(refused(), "") << "damage at " << at << " accepted";
    }
}

TEST_F(DriveOverlayChunk, BadIndicesAreRefusedEvenWithGoodChecksums) {
    write(true, true);
    std::vector<uint8_t> f = read_file(path_);
    for (const ChunkSpan& c : walk_chunks(f)) {
        if (c.type != "DOVL") continue;
        put(f, c.payload_at + 24 + 8, 0, 8);  // second index 3 -> 0: not ascending
        std::vector<uint8_t> payload(f.begin() + long(c.payload_at), f.begin() + long(c.crc_at));
        put(f, c.crc_at, crc(payload, 0, payload.size()), 4);
    }
    write_file(path_, f);
    EXPECT_NE(refused().find("out of order"), std::string::npos) << refused();
}

TEST_F(DriveOverlayChunk, FilesOfMinorZeroStillOpen) {
    CheckpointWriter w;
    w.set_description(sample_description());
    w.set_state(sample_state());
    w.add_drive(sample_drive(0));
    w.write(path_, {.zlib_level = 1, .durable = false});
    std::vector<uint8_t> f = read_file(path_);
    put(f, 10, 0, 2);
    put(f, 12, crc(f, 0, 12), 4);
    write_file(path_, f);
    CheckpointReader r = CheckpointReader::open(path_);
    EXPECT_EQ(r.minor_version(), 0);
    EXPECT_EQ(r.drives().at(0), sample_drive(0));
}

}  // namespace
}  // namespace sandpc::test
