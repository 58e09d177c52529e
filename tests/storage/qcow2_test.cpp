// qcow2 images made by qemu-img must read exactly like the raw data they
// were made from.
#include <gtest/gtest.h>

#include "devices/storage/image_open.h"
#include "devices/storage/image_ops.h"
#include "devices/storage/qcow2_backend.h"
#include "tests/storage/temp_dir.h"

namespace sandpc {
namespace {

class Qcow2Test : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::have_qemu_img()) GTEST_SKIP() << "qemu-img is not installed";
        // Random data with zero holes and a compressible stretch.
        data_ = test::random_bytes(kSize, 99);
        std::fill_n(data_.begin() + 256 * 1024, 512 * 1024, 0);
        for (size_t i = 1024 * 1024; i < 1536 * 1024; ++i) data_[i] = static_cast<uint8_t>(i / 300);
        test::write_file(dir_.file("data.raw"), data_);
    }
    int qemu_img(const std::string& args) { return test::run_command("qemu-img " + args); }
    std::vector<uint8_t> read_image(const std::string& path) {
        auto b = open_image(path);
        std::vector<uint8_t> out(b->size());
        b->read(0, out);
        return out;
    }

    static constexpr size_t kSize = 3 * 1024 * 1024 + 512 * 3;
    test::TempDir dir_;
    std::vector<uint8_t> data_;
};

TEST_F(Qcow2Test, ReadsVersion2And3AtSeveralClusterSizes) {
    for (const char* compat : {"0.10", "1.1"}) {
        for (const char* cluster : {"512", "4096", "65536", "2M"}) {
            std::string q = dir_.file(std::string("img-") + compat + "-" + cluster + ".qcow2");
            ASSERT_EQ(qemu_img("convert -f raw -O qcow2 -o compat=" + std::string(compat) +
                               ",cluster_size=" + cluster + " " + dir_.file("data.raw") + " " + q),
                      0);
            EXPECT_EQ(probe_format(q), ImageFormat::qcow2);
            auto qi = Qcow2Backend::read_info(HostFile(q, HostFile::Mode::read_only));
            EXPECT_EQ(qi.version, std::string(compat) == "0.10" ? 2u : 3u);
            EXPECT_EQ(read_image(q), data_) << compat << " " << cluster;
            EXPECT_TRUE(check_image(q).ok()) << q;
        }
    }
}

TEST_F(Qcow2Test, ReadsCompressedClusters) {
    for (const char* compat : {"0.10", "1.1"}) {
        std::string q = dir_.file(std::string("c-") + compat + ".qcow2");
        ASSERT_EQ(qemu_img("convert -c -f raw -O qcow2 -o compat=" + std::string(compat) + " " +
                           dir_.file("data.raw") + " " + q),
                  0);
        EXPECT_EQ(read_image(q), data_);
        // Unaligned small reads across compressed cluster boundaries.
        auto b = open_image(q);
        std::vector<uint8_t> piece(777);
        for (uint64_t off :
             {uint64_t{65536 - 100}, uint64_t{1024 * 1024 + 3}, uint64_t{kSize - 777}}) {
            b->read(off, piece);
            EXPECT_TRUE(std::equal(piece.begin(), piece.end(),
                                   data_.begin() + static_cast<ptrdiff_t>(off)));
        }
    }
}

TEST_F(Qcow2Test, ReadsThroughBackingFilesAndZeroClusters) {
    // base.qcow2 <- top.qcow2 (relative backing name), with writes and a
    // zeroed range in the top layer made by qemu-io if present, else by
    // converting a changed raw file with -B.
    std::string base = dir_.file("base.qcow2");
    ASSERT_EQ(qemu_img("convert -f raw -O qcow2 " + dir_.file("data.raw") + " " + base), 0);
    auto changed = data_;
    std::fill_n(changed.begin() + 70000, 200000, 0x42);
    std::fill_n(changed.begin() + 2 * 1024 * 1024, 65536 * 2, 0);  // zeros over data
    test::write_file(dir_.file("changed.raw"), changed);
    std::string top = dir_.file("top.qcow2");
    ASSERT_EQ(qemu_img("convert -f raw -O qcow2 -B base.qcow2 -F qcow2 " +
                       dir_.file("changed.raw") + " " + top),
              0);
    auto info = Qcow2Backend::read_info(HostFile(top, HostFile::Mode::read_only));
    EXPECT_EQ(info.backing_file, "base.qcow2");
    EXPECT_EQ(info.backing_format, "qcow2");
    EXPECT_EQ(read_image(top), changed);
    // A raw backing file shorter than the image reads as zeros past its end.
    std::vector<uint8_t> small(100000, 0x11);
    test::write_file(dir_.file("small.raw"), small);
    std::string grown = dir_.file("grown.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 -b small.raw -F raw " + grown + " 1M"), 0);
    auto g = read_image(grown);
    ASSERT_EQ(g.size(), 1u << 20);
    EXPECT_TRUE(std::all_of(g.begin(), g.begin() + 100000, [](uint8_t b) { return b == 0x11; }));
    EXPECT_TRUE(std::all_of(g.begin() + 100000, g.end(), [](uint8_t b) { return b == 0; }));
}

TEST_F(Qcow2Test, OverlayOverQcow2) {
    std::string q = dir_.file("base.qcow2");
    ASSERT_EQ(qemu_img("convert -c -f raw -O qcow2 " + dir_.file("data.raw") + " " + q), 0);
    create_overlay(dir_.file("top.sovl"), q);
    {
        ImageOpenOptions o;
        o.writable = true;
        auto ov = open_image(dir_.file("top.sovl"), o);
        std::vector<uint8_t> sector(512, 0xcd);
        ov->write(4096 + 512, sector);
        ov->flush();
    }
    auto expected = data_;
    std::fill_n(expected.begin() + 4096 + 512, 512, 0xcd);
    EXPECT_EQ(read_image(dir_.file("top.sovl")), expected);
    convert_to_raw(dir_.file("top.sovl"), dir_.file("out.raw"));
    EXPECT_EQ(test::read_file(dir_.file("out.raw")), expected);
    EXPECT_THROW(commit_overlay(dir_.file("top.sovl")), BlockError);  // qcow2 base is read-only
}

TEST_F(Qcow2Test, QcowIsNeverOpenedWritable) {
    std::string q = dir_.file("a.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 " + q + " 1M"), 0);
    ImageOpenOptions o;
    o.writable = true;
    EXPECT_THROW(open_image(q, o), BlockError);
    auto b = open_image(q);
    std::vector<uint8_t> s(512);
    EXPECT_THROW(b->write(0, s), BlockError);
}

void expect_refused(const std::string& path, const std::string& words) {
    try {
        open_image(path);
        ADD_FAILURE() << path << " opened";
    } catch (const BlockError& e) {
        EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
}

TEST_F(Qcow2Test, RefusesUnsupportedFeatures) {
    std::string ext = dir_.file("ext.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 -o data_file=" + dir_.file("ext.data") + " " + ext + " 1M"),
              0);
    expect_refused(ext, "external data file");
    std::string sub = dir_.file("sub.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 -o extended_l2=on " + sub + " 1M"), 0);
    expect_refused(sub, "extended L2");
    std::string zstd = dir_.file("zstd.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 -o compression_type=zstd " + zstd + " 1M"), 0);
    expect_refused(zstd, "compression type");
    // crypt_method 1 (AES) in a version 2 image; qemu-img would spend
    // seconds deriving a LUKS key, so the field is set directly.
    std::string enc = dir_.file("enc.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 -o compat=0.10 " + enc + " 1M"), 0);
    auto enc_bytes = test::read_file(enc);
    enc_bytes[35] = 1;
    test::write_file(enc, enc_bytes);
    expect_refused(enc, "encrypted");
    // An incompatible feature bit nobody knows (bit 40).
    std::string unknown = dir_.file("unknown.qcow2");
    ASSERT_EQ(qemu_img("create -f qcow2 " + unknown + " 1M"), 0);
    auto bytes = test::read_file(unknown);
    bytes[72 + 2] |= 0x01;
    test::write_file(unknown, bytes);
    expect_refused(unknown, "unknown incompatible feature");
}

TEST_F(Qcow2Test, RefusesALoopOfBackingFiles) {
    ASSERT_EQ(qemu_img("create -f qcow2 -u -b b.qcow2 -F qcow2 " + dir_.file("a.qcow2") + " 1M"),
              0);
    ASSERT_EQ(qemu_img("create -f qcow2 -u -b a.qcow2 -F qcow2 " + dir_.file("b.qcow2") + " 1M"),
              0);
    expect_refused(dir_.file("a.qcow2"), "loop");
    ASSERT_EQ(
        qemu_img("create -f qcow2 -u -b self.qcow2 -F qcow2 " + dir_.file("self.qcow2") + " 1M"),
        0);
    expect_refused(dir_.file("self.qcow2"), "loop");
}

}  // namespace
}  // namespace sandpc
