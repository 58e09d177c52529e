// Damaged and hostile overlay files: each must be refused with a clear error.
#include <gtest/gtest.h>

#include "devices/storage/image_open.h"
#include "devices/storage/image_ops.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/zero_backend.h"
#include "tests/storage/temp_dir.h"

namespace sandpc {
namespace {

class HostileOverlay : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_file(dir_.file("base.img"), test::random_bytes(1 << 20, 11));
        create_overlay(path(), dir_.file("base.img"), {12, overlay::BaseHashKind::sampled});
        ImageOpenOptions o;
        o.writable = true;
        auto ov = open_image(path(), o);
        ov->write(0, test::random_bytes(4096, 1));
        ov->write(8192, test::random_bytes(4096, 2));
        ov->flush();
        ov.reset();
        bytes_ = test::read_file(path());
        header_ = overlay::decode_header(bytes_, "seed");
    }
    std::string path() const { return dir_.file("o.sovl"); }
    void save(const std::vector<uint8_t>& b) { test::write_file(path(), b); }
    void save_header(const overlay::Header& h) {
        auto b = bytes_;
        auto block = overlay::encode_header(h);
        std::copy(block.begin(), block.end(), b.begin());
        save(b);
    }
    void set_u64(std::vector<uint8_t>& b, uint64_t at, uint64_t v) {
        for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    }
    uint64_t get_u64(const std::vector<uint8_t>& b, uint64_t at) {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= uint64_t{b[at + i]} << (8 * i);
        return v;
    }
    // Opening fails with a message containing `words`, and check says corrupt.
    void expect_refused(const std::string& words, bool writable = false) {
        try {
            ImageOpenOptions o;
            o.writable = writable;
            open_image(path(), o);
            ADD_FAILURE() << "opened";
        } catch (const BlockError& e) {
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
        EXPECT_FALSE(check_image(path()).ok());
    }

    test::TempDir dir_;
    std::vector<uint8_t> bytes_;
    overlay::Header header_;
};

TEST_F(HostileOverlay, SeedIsSound) {
    EXPECT_TRUE(check_image(path()).ok());
    EXPECT_NE(get_u64(bytes_, header_.l1_offset), 0u);
}

TEST_F(HostileOverlay, Truncated) {
    bytes_.resize(100);
    save(bytes_);
    expect_refused("truncated");
}

TEST_F(HostileOverlay, TruncatedMapTable) {
    auto h = header_;
    bytes_.resize(h.l1_offset + 4);
    save(bytes_);
    expect_refused("truncated");
}

TEST_F(HostileOverlay, BitFlipInHeader) {
    // (A flip in the magic makes the file a raw image: probing is by magic.)
    for (size_t bit : {64u + 3, 100u, 200u, 777u, 4000u * 8}) {
        auto b = bytes_;
        b[bit / 8] ^= static_cast<uint8_t>(1 << (bit % 8));
        save(b);
        try {
            open_image(path());
            ADD_FAILURE() << "bit " << bit;
        } catch (const BlockError& e) {
            SUCCEED() << e.what();
        }
    }
}

TEST_F(HostileOverlay, HugeVirtualSize) {
    auto h = header_;
    h.virtual_size = uint64_t{1} << 56;
    h.base.size = h.virtual_size;
    h.l1_entries = static_cast<uint32_t>(overlay::l1_entries_for(h.virtual_size, h.cluster_bits));
    save_header(h);
    expect_refused("map table size");
    h.virtual_size = ~uint64_t{0};
    save_header(h);
    expect_refused("larger than 2^56");
}

TEST_F(HostileOverlay, MapTableLargerThanTheFile) {
    // A legal but enormous disk whose map would not fit in the file.
    auto h = header_;
    h.cluster_bits = 12;
    h.virtual_size = uint64_t{1} << 40;
    h.base.size = h.virtual_size;
    h.l1_entries = static_cast<uint32_t>(overlay::l1_entries_for(h.virtual_size, 12));
    save_header(h);
    OverlayOpenOptions o;
    o.verify_base = false;
    try {
        OverlayBackend::open(path(), std::make_unique<ZeroBackend>(h.virtual_size), o);
        ADD_FAILURE() << "opened";
    } catch (const BlockError& e) {
        EXPECT_NE(std::string(e.what()).find("past the end of the file"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(check_image(path()).ok());
}

TEST_F(HostileOverlay, EntryPointingOutsideTheFile) {
    set_u64(bytes_, header_.l1_offset, uint64_t{1} << 40);
    save(bytes_);
    expect_refused("past the end of the file");
}

TEST_F(HostileOverlay, EntryOverlappingTheHeader) {
    set_u64(bytes_, header_.l1_offset, 0);  // would be "unallocated": fine
    save(bytes_);
    EXPECT_NO_THROW(open_image(path()));
    set_u64(bytes_, header_.l1_offset, 4096);  // the map table itself
    save(bytes_);
    expect_refused("header or the map table");
    set_u64(bytes_, header_.l1_offset, 4096 + 8);  // unaligned
    save(bytes_);
    expect_refused("unaligned");
}

TEST_F(HostileOverlay, TwoClustersSharingOneLocation) {
    uint64_t l2 = get_u64(bytes_, header_.l1_offset);
    uint64_t first = get_u64(bytes_, l2);
    ASSERT_NE(first, 0u);
    set_u64(bytes_, l2 + 8 * 5, first);
    save(bytes_);
    // Reading is harmless; writing could damage one through the other.
    EXPECT_NO_THROW(open_image(path()));
    expect_refused("already uses", true);
    set_u64(bytes_, l2 + 8 * 5, l2);  // a data cluster over the map table
    save(bytes_);
    expect_refused("already uses", true);
}

TEST_F(HostileOverlay, UnknownVersionAndFeatures) {
    auto b = bytes_;
    b[8] = 2;
    save(b);
    expect_refused("version 2");
    auto h = header_;
    h.incompatible_features = 1;
    save_header(h);
    expect_refused("incompatible features");
}

TEST_F(HostileOverlay, LoopInTheChain) {
    create_overlay(dir_.file("b.sovl"), path());
    auto h = header_;
    h.base_hint = "b.sovl";
    h.base_format = overlay::BaseFormat::overlay;
    save_header(h);
    expect_refused("loop");
    h.base_hint = "o.sovl";  // itself
    save_header(h);
    expect_refused("loop");
}

TEST_F(HostileOverlay, MissingBase) {
    std::remove(dir_.file("base.img").c_str());
    expect_refused("base.img");
}

}  // namespace
}  // namespace sandpc
