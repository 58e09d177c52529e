#include <gtest/gtest.h>

#include "devices/storage/overlay_format.h"
#include "devices/storage/raw_backend.h"
#include "devices/storage/sha256.h"
#include "tests/storage/temp_dir.h"

namespace sandpc {
namespace {

TEST(Sha256, MatchesFips180Vectors) {
    auto digest = [](std::string_view s) {
        Sha256 h;
        h.update({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
        auto d = h.finish();
        return overlay::hex(d);
    };
    EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // A million 'a's fed in uneven pieces exercises the buffering.
    Sha256 h;
    std::string chunk(997, 'a');
    size_t left = 1000000;
    while (left) {
        size_t n = std::min(left, chunk.size());
        h.update({reinterpret_cast<const uint8_t*>(chunk.data()), n});
        left -= n;
    }
    EXPECT_EQ(overlay::hex(h.finish()),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(RawBackend, ReadsAndWritesAtPositions) {
    test::TempDir dir;
    auto data = test::random_bytes(64 * 1024, 1);
    test::write_file(dir.file("a.img"), data);
    auto raw = RawBackend::open(dir.file("a.img"), true);
    EXPECT_EQ(raw->size(), data.size());
    EXPECT_FALSE(raw->read_only());
    std::vector<uint8_t> buf(1000);
    raw->read(12345, buf);
    EXPECT_TRUE(std::equal(buf.begin(), buf.end(), data.begin() + 12345));
    std::vector<uint8_t> sector(512, 0xab);
    raw->write_sectors(3, sector);
    raw->flush();
    auto after = test::read_file(dir.file("a.img"));
    EXPECT_TRUE(std::all_of(after.begin() + 1536, after.begin() + 2048,
                            [](uint8_t b) { return b == 0xab; }));
    EXPECT_EQ(after[1535], data[1535]);
    EXPECT_EQ(after[2048], data[2048]);
}

TEST(RawBackend, ReadOnlyRefusesWritesAndLeavesFileAlone) {
    test::TempDir dir;
    auto data = test::random_bytes(8192, 2);
    test::write_file(dir.file("a.img"), data);
    auto raw = RawBackend::open(dir.file("a.img"), false);
    EXPECT_TRUE(raw->read_only());
    std::vector<uint8_t> sector(512, 1);
    EXPECT_THROW(raw->write(0, sector), BlockError);
    raw->flush();
    EXPECT_EQ(test::read_file(dir.file("a.img")), data);
}

TEST(RawBackend, RefusesAccessBeyondTheEnd) {
    test::TempDir dir;
    test::write_file(dir.file("a.img"), std::vector<uint8_t>(4096));
    auto raw = RawBackend::open(dir.file("a.img"), true);
    std::vector<uint8_t> buf(512);
    EXPECT_THROW(raw->read(4096 - 511, buf), BlockError);
    EXPECT_THROW(raw->write(UINT64_MAX - 10, buf), BlockError);
    EXPECT_NO_THROW(raw->read(4096 - 512, buf));
}

TEST(RawBackend, CreateMakesSparseZeroImageAndRefusesExisting) {
    test::TempDir dir;
    auto raw = RawBackend::create(dir.file("new.img"), 1 << 20);
    EXPECT_EQ(raw->size(), 1u << 20);
    std::vector<uint8_t> buf(4096, 0xff);
    raw->read(512 * 1024, buf);
    EXPECT_TRUE(std::all_of(buf.begin(), buf.end(), [](uint8_t b) { return b == 0; }));
    EXPECT_THROW(RawBackend::create(dir.file("new.img"), 4096), BlockError);
    EXPECT_THROW(RawBackend::open(dir.file("missing.img"), false), BlockError);
}

}  // namespace
}  // namespace sandpc
