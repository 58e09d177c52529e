#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "devices/storage/image_open.h"
#include "devices/storage/image_ops.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/raw_backend.h"
#include "tests/storage/temp_dir.h"
#include "tests/support/file_size_limit.h"

namespace sandpc {
namespace {

constexpr size_t kBaseSize = 3 * 1024 * 1024 + 4096;  // not a multiple of the cluster size

class OverlayTest : public ::testing::Test {
  protected:
    void SetUp() override {
        base_data_ = test::random_bytes(kBaseSize, 42);
        test::write_file(base_path(), base_data_);
    }
    std::string base_path() const { return dir_.file("base.img"); }
    std::string ov_path() const { return dir_.file("disk.sovl"); }

    std::unique_ptr<OverlayBackend> make(uint32_t cluster_bits = 16) {
        create_overlay(ov_path(), base_path(), {cluster_bits, overlay::BaseHashKind::sampled});
        return open_writable(ov_path());
    }
    static std::unique_ptr<OverlayBackend> open_writable(const std::string& path) {
        ImageOpenOptions o;
        o.writable = true;
        auto b = open_image(path, o);
        auto* ov = dynamic_cast<OverlayBackend*>(b.get());
        if (!ov) ADD_FAILURE() << "not an overlay";
        b.release();
        return std::unique_ptr<OverlayBackend>(ov);
    }
    std::vector<uint8_t> read_all(BlockBackend& b) {
        std::vector<uint8_t> out(b.size());
        b.read(0, out);
        return out;
    }

    test::TempDir dir_;
    std::vector<uint8_t> base_data_;
};

TEST_F(OverlayTest, CreationIsSmallAndReadsLikeTheBase) {
    auto ov = make();
    EXPECT_EQ(ov->size(), kBaseSize);
    EXPECT_LE(std::filesystem::file_size(ov_path()), 16u * 1024);
    EXPECT_EQ(read_all(*ov), base_data_);
    EXPECT_NE(ov->describe().find("over raw"), std::string::npos) << ov->describe();
}

TEST_F(OverlayTest, WritesLandInTheOverlayAndNeverInTheBase) {
    auto ov = make();
    auto expected = base_data_;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        size_t len = 1 + rng() % 20000;
        size_t off = rng() % (kBaseSize - len);
        auto data = test::random_bytes(len, rng());
        ov->write(off, data);
        std::copy(data.begin(), data.end(), expected.begin() + static_cast<ptrdiff_t>(off));
    }
    EXPECT_EQ(read_all(*ov), expected);
    ov->flush();
    ov.reset();
    EXPECT_EQ(test::read_file(base_path()), base_data_);
    auto reopened = open_image(ov_path());
    EXPECT_TRUE(reopened->read_only());
    EXPECT_EQ(read_all(*reopened), expected);
    EXPECT_TRUE(check_image(ov_path()).ok());
}

TEST_F(OverlayTest, SmallClustersAndTheLastPartialCluster) {
    auto ov = make(12);
    std::vector<uint8_t> tail(100, 0x5a);
    ov->write(kBaseSize - 100, tail);
    ov->write(0, tail);
    auto expected = base_data_;
    std::copy(tail.begin(), tail.end(), expected.end() - 100);
    std::copy(tail.begin(), tail.end(), expected.begin());
    ov->flush();
    EXPECT_EQ(read_all(*ov), expected);
    std::vector<uint8_t> one(1);
    EXPECT_THROW(ov->write(kBaseSize, one), BlockError);
    ov.reset();
    EXPECT_EQ(read_all(*open_image(ov_path())), expected);
}

TEST_F(OverlayTest, ReadOnlyOverlayRefusesWrites) {
    make().reset();
    auto ro = open_image(ov_path());
    std::vector<uint8_t> sector(512);
    EXPECT_THROW(ro->write(0, sector), BlockError);
}

TEST_F(OverlayTest, ChainsOverAnOverlay) {
    auto lower = make();
    std::vector<uint8_t> a(5000, 1), b(3000, 2);
    lower->write(10000, a);
    lower->flush();
    lower.reset();
    std::string upper_path = dir_.file("upper.sovl");
    create_overlay(upper_path, ov_path());
    auto upper = open_writable(upper_path);
    upper->write(12000, b);
    upper->flush();
    auto expected = base_data_;
    std::fill_n(expected.begin() + 10000, 5000, 1);
    std::fill_n(expected.begin() + 12000, 3000, 2);
    EXPECT_EQ(read_all(*upper), expected);
    // The lower overlay was opened read-only and is unchanged.
    upper.reset();
    auto lower_again = open_image(ov_path());
    auto lower_expected = base_data_;
    std::fill_n(lower_expected.begin() + 10000, 5000, 1);
    EXPECT_EQ(read_all(*lower_again), lower_expected);
}

TEST_F(OverlayTest, RefusesABaseWhoseSampledContentChanged) {
    make().reset();
    auto changed = base_data_;
    changed[100] ^= 1;  // inside the first sample
    test::write_file(base_path(), changed);
    try {
        open_image(ov_path());
        FAIL() << "opened over a changed base";
    } catch (const BlockError& e) {
        EXPECT_NE(std::string(e.what()).find("base image changed"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(check_image(ov_path()).ok());
}

TEST_F(OverlayTest, RefusesABaseOfAnotherSize) {
    make().reset();
    auto longer = base_data_;
    longer.resize(kBaseSize + 512);
    test::write_file(base_path(), longer);
    EXPECT_THROW(open_image(ov_path()), BlockError);
}

TEST_F(OverlayTest, FullHashNoticesAChangeOutsideTheSamples) {
    create_overlay(ov_path(), base_path(), {16, overlay::BaseHashKind::full});
    std::string sampled = dir_.file("sampled.sovl");
    create_overlay(sampled, base_path(), {16, overlay::BaseHashKind::sampled});
    auto changed = base_data_;
    changed[kBaseSize / 2 + 100000] ^= 0x80;  // between two samples
    test::write_file(base_path(), changed);
    EXPECT_THROW(open_image(ov_path()), BlockError);
    EXPECT_NO_THROW(open_image(sampled));  // the documented limit of sampling
}

TEST_F(OverlayTest, SnapshotWritesVanishAndNeverTouchTheImage) {
    auto before = std::distance(std::filesystem::directory_iterator(dir_.path()), {});
    {
        setenv("TMPDIR", dir_.path().c_str(), 1);
        auto snap = open_image_snapshot(base_path());
        unsetenv("TMPDIR");
        EXPECT_FALSE(snap->read_only());
        std::vector<uint8_t> data(70000, 0xee);
        snap->write(1000, data);
        snap->flush();
        std::vector<uint8_t> back(70000);
        snap->read(1000, back);
        EXPECT_EQ(back, data);
        EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), before);
    }
    EXPECT_EQ(test::read_file(base_path()), base_data_);
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.path()), {}), before);
}

TEST_F(OverlayTest, CommitIntoANewRawImage) {
    auto ov = make();
    std::vector<uint8_t> data(10000, 9);
    ov->write(500000, data);
    ov->flush();
    ov.reset();
    auto expected = base_data_;
    std::fill_n(expected.begin() + 500000, 10000, 9);
    convert_to_raw(ov_path(), dir_.file("merged.img"));
    EXPECT_EQ(test::read_file(dir_.file("merged.img")), expected);
    EXPECT_EQ(test::read_file(base_path()), base_data_);
    EXPECT_THROW(convert_to_raw(ov_path(), dir_.file("merged.img")), BlockError);
}

TEST_F(OverlayTest, CommitIntoTheBaseThenTheOverlayIsEmptyAndValid) {
    auto ov = make();
    std::vector<uint8_t> data(10000, 9);
    ov->write(kBaseSize - 10000, data);
    ov->flush();
    ov.reset();
    auto expected = base_data_;
    std::fill_n(expected.end() - 10000, 10000, 9);
    commit_overlay(ov_path());
    EXPECT_EQ(test::read_file(base_path()), expected);
    auto reopened = open_image(ov_path());
    EXPECT_EQ(read_all(*reopened), expected);
    EXPECT_LE(std::filesystem::file_size(ov_path()), 16u * 1024);
}

TEST_F(OverlayTest, DiscardRestoresTheBaseView) {
    auto ov = make();
    std::vector<uint8_t> data(200000, 3);
    ov->write(0, data);
    ov->flush();
    ov.reset();
    discard_overlay(ov_path());
    EXPECT_EQ(read_all(*open_image(ov_path())), base_data_);
    EXPECT_TRUE(check_image(ov_path()).ok());
}

// The host disk fills while the guest writes new clusters: the write that
// cannot grow the overlay fails with a clear error, the process goes on, and
// everything written before it (flushed) is in the overlay when it is
// opened again; the base is untouched.
TEST_F(OverlayTest, FullHostDiskFailsTheWriteAndKeepsEarlierWrites) {
    auto ov = make();
    std::vector<uint8_t> first(65536, 0x5A);
    ov->write(0, first);
    ov->flush();
    uintmax_t size_now = std::filesystem::file_size(ov_path());
    std::vector<uint8_t> more(65536, 0xA5);
    bool failed = false;
    std::string message;
    {
        test::FileSizeLimit limit(size_now + 4096);  // room for less than one more cluster
        try {
            for (uint64_t off = 65536; off < 16 * 65536; off += 65536) {
                ov->write(off, more);
                ov->flush();
            }
        } catch (const BlockError& e) {
            failed = true;
            message = e.what();
        }
    }
    ASSERT_TRUE(failed) << "writing past the file size limit did not fail";
    EXPECT_NE(message.find(ov_path()), std::string::npos) << message;
    ov.reset();
    auto again = open_writable(ov_path());
    std::vector<uint8_t> back(65536);
    again->read(0, back);
    EXPECT_EQ(back, first);
    std::vector<uint8_t> on_disk = test::read_file(base_path());
    EXPECT_EQ(on_disk, base_data_);
}

TEST_F(OverlayTest, UnflushedWritesAreFlushedOnClose) {
    auto ov = make();
    std::vector<uint8_t> data(4096, 0x77);
    ov->write(8192, data);
    ov.reset();
    std::vector<uint8_t> back(4096);
    open_image(ov_path())->read(8192, back);
    EXPECT_EQ(back, data);
}

}  // namespace
}  // namespace sandpc
