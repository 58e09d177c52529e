// Writing a checkpoint and reading it back gives the same description, state,
// memory (zero pages included) and drive references.
#include <gtest/gtest.h>

#include <filesystem>

#include "snapshot/checkpoint_file.h"
#include "tests/checkpoint/checkpoint_fixture.h"

namespace sandpc::test {
namespace {

TEST(CheckpointRoundTrip, EverythingComesBack) {
    TempDir dir;
    // "ram" spans several compressed blocks (more than 256 stored pages).
    std::vector<uint8_t> ram = mixed_memory(1200, 1);
    std::vector<uint8_t> vram = mixed_memory(64, 2);
    std::vector<uint8_t> odd = random_bytes(10000, 3);  // partial last page
    odd[5000] = 0;
    std::vector<uint8_t> zeros(5 * 4096, 0);
    std::vector<uint8_t> empty;

    CheckpointWriter w;
    w.set_description(sample_description());
    w.set_state(sample_state());
    w.add_memory("ram", ram);
    w.add_memory("vram", vram);
    w.add_memory("odd", odd);
    w.add_memory("zeros", zeros);
    w.add_memory("empty", empty);
    w.add_drive(sample_drive(2));
    w.add_drive(sample_drive(0));
    w.write(dir.file("a.ckpt"));

    CheckpointReader r = CheckpointReader::open(dir.file("a.ckpt"));
    EXPECT_EQ(r.description(), sample_description());
    EXPECT_EQ(r.state(), sample_state());
    EXPECT_EQ(r.memory_names(), (std::vector<std::string>{"ram", "vram", "odd", "zeros", "empty"}));
    ASSERT_EQ(r.drives().size(), 2u);
    EXPECT_EQ(r.drives()[0], sample_drive(0));  // sorted by slot
    EXPECT_EQ(r.drives()[1], sample_drive(2));

    std::vector<std::pair<const char*, const std::vector<uint8_t>*>> regions = {
        {"ram", &ram}, {"vram", &vram}, {"odd", &odd}, {"zeros", &zeros}, {"empty", &empty}};
    for (const auto& [name, src] : regions) {
        ASSERT_EQ(r.memory_size(name), src->size()) << name;
        // Garbage first: zero pages must be written as zeros.
        std::vector<uint8_t> back(src->size(), 0xCC);
        r.restore_memory(name, back);
        EXPECT_TRUE(back == *src) << name;
    }
}

TEST(CheckpointRoundTrip, ZeroPagesCostNothing) {
    TempDir dir;
    std::vector<uint8_t> ram(64 << 20, 0);
    ram[12345] = 1;  // one stored page
    CheckpointWriter w;
    w.set_state({});
    w.add_memory("ram", ram);
    w.write(dir.file("z.ckpt"));
    // Header + chunks + a 2 KiB page bitmap + one tiny block.
    EXPECT_LT(std::filesystem::file_size(dir.file("z.ckpt")), 4096u);
    CheckpointReader r = CheckpointReader::open(dir.file("z.ckpt"));
    std::vector<uint8_t> back(ram.size(), 0xFF);
    r.restore_memory("ram", back);
    EXPECT_TRUE(back == ram);
    EXPECT_TRUE(r.state().empty());
    EXPECT_TRUE(r.description().empty());
    EXPECT_TRUE(r.drives().empty());
}

TEST(CheckpointRoundTrip, EveryZlibLevel) {
    TempDir dir;
    std::vector<uint8_t> ram = mixed_memory(300, 5);
    for (int level = 1; level <= 9; ++level) {
        CheckpointWriter w;
        w.set_state({1, 2, 3});
        w.add_memory("ram", ram);
        CheckpointWriteOptions options;
        options.zlib_level = level;
        options.durable = false;
        w.write(dir.file("l.ckpt"), options);
        CheckpointReader r = CheckpointReader::open(dir.file("l.ckpt"));
        std::vector<uint8_t> back(ram.size());
        r.restore_memory("ram", back);
        EXPECT_TRUE(back == ram) << "level " << level;
    }
}

TEST(CheckpointRoundTrip, OverwritesAnExistingCheckpoint) {
    TempDir dir;
    for (uint8_t round = 0; round < 3; ++round) {
        CheckpointWriter w;
        w.set_state({round});
        w.write(dir.file("o.ckpt"));
        EXPECT_EQ(CheckpointReader::open(dir.file("o.ckpt")).state(), std::vector<uint8_t>{round});
    }
    // No temporary files left behind.
    size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1u);
}

TEST(CheckpointRoundTrip, ReaderCanBeMoved) {
    TempDir dir;
    std::vector<uint8_t> ram = mixed_memory(40, 9);
    CheckpointWriter w;
    w.set_state({9});
    w.add_memory("ram", ram);
    w.write(dir.file("m.ckpt"));
    CheckpointReader a = CheckpointReader::open(dir.file("m.ckpt"));
    CheckpointReader b = std::move(a);
    std::vector<uint8_t> back(ram.size());
    b.restore_memory("ram", back);
    EXPECT_TRUE(back == ram);
}

TEST(CheckpointWriterInput, RefusesBadRequests) {
    CheckpointWriter w;
    std::vector<uint8_t> m(4096);
    w.add_memory("ram", m);
    EXPECT_THROW(w.add_memory("ram", m), CheckpointError);
    EXPECT_THROW(w.add_memory("", m), CheckpointError);
    w.add_drive(sample_drive(1));
    EXPECT_THROW(w.add_drive(sample_drive(1)), CheckpointError);
    EXPECT_THROW(w.add_drive(sample_drive(64)), CheckpointError);
    DriveReference no_format = sample_drive(3);
    no_format.format.clear();
    EXPECT_THROW(w.add_drive(no_format), CheckpointError);
    EXPECT_THROW(w.set_description({{"", "x"}}), CheckpointError);
    TempDir dir;
    try {
        w.write(dir.file("nostate.ckpt"));
        ADD_FAILURE() << "a checkpoint without component state was written";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("no component state"), std::string::npos);
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("nostate.ckpt")));
}

}  // namespace
}  // namespace sandpc::test
