// Every damaged, truncated or foreign checkpoint is refused by open() with a
// message naming the file and the problem; a refused restore leaves the
// destination untouched.
#include <gtest/gtest.h>

#include <functional>

#include "snapshot/checkpoint_file.h"
#include "tests/checkpoint/checkpoint_fixture.h"

namespace sandpc::test {
namespace {

// A small checkpoint with every chunk type, two memory blocks in "ram".
class CheckpointCorruption : public ::testing::Test {
  protected:
    void SetUp() override {
        ram_ = mixed_memory(600, 4);
        // Mostly text, so the file stays small enough to damage byte by byte.
        for (size_t i = 0; i < ram_.size(); ++i)
            if (ram_[i] && i % 4096 > 64) ram_[i] = static_cast<uint8_t>('a' + i % 23);
        vram_ = mixed_memory(16, 8);
        CheckpointWriter w;
        w.set_description(sample_description());
        w.set_state(sample_state());
        w.add_memory("ram", ram_);
        w.add_memory("vram", vram_);
        w.add_drive(sample_drive(0));
        w.add_drive(sample_drive(3));
        path_ = dir_.file("c.ckpt");
        w.write(path_);
        good_ = read_file(path_);
    }

    // Every byte of the file header, chunk headers, checksums and small
    // payloads; within large payloads every 37th byte and both edges.
    std::vector<size_t> probe_offsets() const {
        std::vector<size_t> at;
        auto all = [&](size_t from, size_t to) {
            for (size_t i = from; i < to; ++i) at.push_back(i);
        };
        all(0, 16);
        for (const ChunkSpan& c : walk_chunks(good_)) {
            all(c.header_at, c.payload_at);
            size_t end = c.payload_at + c.payload_length;
            if (c.payload_length <= 256) {
                all(c.payload_at, end);
            } else {
                all(c.payload_at, c.payload_at + 64);
                for (size_t i = c.payload_at + 64; i < end - 64; i += 37) at.push_back(i);
                all(end - 64, end);
            }
            all(c.crc_at, c.crc_at + 4);
        }
        return at;
    }

    // open() on `bytes` must throw; returns the message.
    std::string refused(const std::vector<uint8_t>& bytes) {
        write_file(path_, bytes);
        try {
            CheckpointReader::open(path_);
        } catch (const CheckpointError& e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find(path_), std::string::npos) << msg;
            return msg;
        }
        return "";
    }

    TempDir dir_;
    std::string path_;
    std::vector<uint8_t> ram_, vram_, good_;
};

TEST_F(CheckpointCorruption, TheSeedIsValid) {
    EXPECT_NO_THROW(CheckpointReader::open(path_));
    std::vector<ChunkSpan> chunks = walk_chunks(good_);
    std::vector<std::string> types;
    for (const ChunkSpan& c : chunks) types.push_back(c.type);
    EXPECT_EQ(types,
              (std::vector<std::string>{"DESC", "DRIV", "DRIV", "STAT", "MEMR", "MEMR", "END "}));
    EXPECT_EQ(chunks.back().crc_at + 4, good_.size());
}

TEST_F(CheckpointCorruption, EverySingleByteFlipIsRefused) {
    size_t missed = 0;
    for (size_t i : probe_offsets()) {
        std::vector<uint8_t> bad = good_;
        uint8_t mask = i % 2 ? 0x80 : 0x01;
        bad[i] ^= mask;
        if (refused(bad).empty()) {
            ADD_FAILURE() << "flipping byte " << i << " (mask " << int(mask) << ") was accepted";
            if (++missed > 5) return;
        }
    }
}

TEST_F(CheckpointCorruption, EachChunkTypeNamesItsDamage) {
    for (const ChunkSpan& c : walk_chunks(good_)) {
        std::vector<uint8_t> bad = good_;
        if (c.payload_length) {
            bad[c.payload_at + c.payload_length / 2] ^= 0x40;
        } else {
            bad[c.crc_at] ^= 0x40;
        }
        std::string msg = refused(bad);
        EXPECT_NE(msg.find("corrupted"), std::string::npos) << c.type << ": " << msg;
        if (c.type == "MEMR") {
            EXPECT_NE(msg.find("'" + c.name + "'"), std::string::npos) << msg;
        }
        bad = good_;
        bad[c.header_at + 9] ^= 0x01;  // payload length
        msg = refused(bad);
        EXPECT_NE(msg.find("header checksum"), std::string::npos) << c.type << ": " << msg;
    }
}

TEST_F(CheckpointCorruption, TruncationAnywhereIsRefused) {
    for (size_t len : probe_offsets()) {
        std::vector<uint8_t> cut(good_.begin(), good_.begin() + len);
        std::string msg = refused(cut);
        ASSERT_FALSE(msg.empty()) << "truncated to " << len << " bytes was accepted";
    }
    // The message says what happened for cuts inside and between chunks.
    std::vector<ChunkSpan> chunks = walk_chunks(good_);
    std::vector<uint8_t> at_boundary(good_.begin(), good_.begin() + chunks.back().header_at);
    EXPECT_NE(refused(at_boundary).find("truncated"), std::string::npos);
    std::vector<uint8_t> inside(good_.begin(), good_.begin() + chunks[4].payload_at + 100);
    EXPECT_NE(refused(inside).find("truncated"), std::string::npos);
}

TEST_F(CheckpointCorruption, TrailingDataIsRefused) {
    std::vector<uint8_t> longer = good_;
    longer.push_back(0);
    EXPECT_NE(refused(longer).find("after its end chunk"), std::string::npos);
}

TEST_F(CheckpointCorruption, WrongMagicIsRefused) {
    std::vector<uint8_t> bad = good_;
    bad[3] = 'X';
    EXPECT_NE(refused(bad).find("not a sandpc checkpoint"), std::string::npos);
    EXPECT_NE(refused({'h', 'i'}).find("too short"), std::string::npos);
    EXPECT_NE(refused(random_bytes(4096, 77)).find("bad magic"), std::string::npos);
}

TEST_F(CheckpointCorruption, NewerMajorVersionIsRefusedByName) {
    std::vector<uint8_t> bad = good_;
    put(bad, 8, checkpoint::kMajorVersion + 1, 2);
    put(bad, 12, crc(bad, 0, 12), 4);
    std::string msg = refused(bad);
    EXPECT_NE(msg.find("written by a newer sandpc"), std::string::npos) << msg;
}

// A newer minor version may add chunks: optional ones are skipped, required
// ones refused.
TEST_F(CheckpointCorruption, UnknownChunksFollowTheirOptionalFlag) {
    std::vector<ChunkSpan> chunks = walk_chunks(good_);
    auto with_chunk = [&](uint32_t flags) {
        std::vector<uint8_t> f = good_;
        put(f, 10, checkpoint::kMinorVersion + 1, 2);
        put(f, 12, crc(f, 0, 12), 4);
        std::vector<uint8_t> extra = make_chunk("XTRA", flags, "future", {1, 2, 3, 4, 5});
        f.insert(f.begin() + static_cast<long>(chunks.back().header_at), extra.begin(),
                 extra.end());
        return f;
    };
    write_file(path_, with_chunk(1));
    CheckpointReader r = CheckpointReader::open(path_);
    EXPECT_EQ(r.minor_version(), checkpoint::kMinorVersion + 1);
    std::vector<uint8_t> back(ram_.size());
    r.restore_memory("ram", back);
    EXPECT_TRUE(back == ram_);

    std::string msg = refused(with_chunk(0));
    EXPECT_NE(msg.find("does not know"), std::string::npos) << msg;
    EXPECT_NE(refused(with_chunk(2)).find("unknown flags"), std::string::npos);
}

TEST_F(CheckpointCorruption, MissingOrRepeatedChunksAreRefused) {
    std::vector<ChunkSpan> chunks = walk_chunks(good_);
    auto without = [&](size_t index) {
        std::vector<uint8_t> f = good_;
        f.erase(f.begin() + static_cast<long>(chunks[index].header_at),
                f.begin() + static_cast<long>(chunks[index].crc_at + 4));
        return f;
    };
    EXPECT_NE(refused(without(0)).find("no description"), std::string::npos);
    EXPECT_NE(refused(without(3)).find("no state"), std::string::npos);
    EXPECT_NE(refused(without(6)).find("truncated"), std::string::npos);
    std::vector<uint8_t> twice = good_;
    std::vector<uint8_t> state(good_.begin() + static_cast<long>(chunks[3].header_at),
                               good_.begin() + static_cast<long>(chunks[3].crc_at + 4));
    twice.insert(twice.begin() + static_cast<long>(chunks[3].header_at), state.begin(),
                 state.end());
    EXPECT_NE(refused(twice).find("twice"), std::string::npos);
}

TEST_F(CheckpointCorruption, WellFormedButBadMemoryBlockIsRefused) {
    // A block with a correct checksum whose zlib data is wrong (a crafted
    // file, not a disk error): still refused at open().
    std::vector<ChunkSpan> chunks = walk_chunks(good_);
    const ChunkSpan& vram = chunks[5];
    ASSERT_EQ(vram.name, "vram");
    std::vector<uint8_t> f = good_;
    size_t bitmap = (16 + 7) / 8;
    size_t block = vram.payload_at + 16 + bitmap;
    size_t packed_len = le(f, block + 4, 4);
    f[block + 12 + packed_len / 2] ^= 0x10;
    put(f, block + 8, crc(f, block + 12, block + 12 + packed_len), 4);
    put(f, vram.crc_at, crc(f, vram.payload_at, vram.crc_at), 4);
    std::string msg = refused(f);
    EXPECT_NE(msg.find("does not decompress"), std::string::npos) << msg;
}

TEST_F(CheckpointCorruption, RestoreOfTheWrongSizeLeavesTheDestinationAlone) {
    CheckpointReader r = CheckpointReader::open(path_);
    for (size_t size : {ram_.size() - 4096, ram_.size() + 1, size_t{0}}) {
        std::vector<uint8_t> dest(size, 0x5A);
        try {
            r.restore_memory("ram", dest);
            ADD_FAILURE() << "restored into " << size << " bytes";
        } catch (const CheckpointError& e) {
            EXPECT_NE(std::string(e.what()).find("holds " + std::to_string(ram_.size())),
                      std::string::npos)
                << e.what();
        }
        EXPECT_TRUE(std::all_of(dest.begin(), dest.end(), [](uint8_t b) { return b == 0x5A; }));
    }
    std::vector<uint8_t> dest(ram_.size(), 0x5A);
    EXPECT_THROW(r.restore_memory("rom", dest), CheckpointError);
    EXPECT_TRUE(std::all_of(dest.begin(), dest.end(), [](uint8_t b) { return b == 0x5A; }));
}

TEST_F(CheckpointCorruption, MissingFileIsRefused) {
    try {
        CheckpointReader::open(dir_.file("nope.ckpt"));
        ADD_FAILURE();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("nope.ckpt"), std::string::npos);
    }
    EXPECT_THROW(CheckpointReader::open(dir_.path()), CheckpointError);
}

}  // namespace
}  // namespace sandpc::test
