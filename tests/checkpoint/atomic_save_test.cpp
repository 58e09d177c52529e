// A save that fails leaves the existing checkpoint exactly as it was and no
// temporary file behind.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>

#include "snapshot/checkpoint_file.h"
#include "tests/checkpoint/checkpoint_fixture.h"
#include "tests/support/file_size_limit.h"

namespace sandpc::test {
namespace {

size_t count_files(const std::string& dir) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
}

class CheckpointAtomicSave : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = dir_.file("saved.ckpt");
        CheckpointWriter w;
        w.set_description(sample_description());
        w.set_state({1, 2, 3});
        w.write(path_);
        before_ = read_file(path_);
        big_ = random_bytes(8 << 20, 42);
    }
    CheckpointWriter big_writer() const {
        CheckpointWriter w;
        w.set_state(sample_state());
        w.add_memory("ram", big_);
        return w;
    }

    TempDir dir_;
    std::string path_;
    std::vector<uint8_t> before_, big_;
};

TEST_F(CheckpointAtomicSave, FailedWriteKeepsTheOldFile) {
    for (rlim_t limit : {rlim_t{0}, rlim_t{10}, rlim_t{1} << 20, rlim_t{6} << 20}) {
        std::string msg;
        {
            FileSizeLimit cap(limit);
            try {
                big_writer().write(path_);
            } catch (const CheckpointError& e) {
                msg = e.what();
            }
        }
        EXPECT_NE(msg.find("cannot write"), std::string::npos) << "limit " << limit << ": " << msg;
        EXPECT_NE(msg.find(path_), std::string::npos) << msg;
        EXPECT_EQ(read_file(path_), before_) << "limit " << limit;
        EXPECT_EQ(count_files(dir_.path()), 1u) << "a temporary file was left behind";
    }
    // And the old checkpoint still opens.
    EXPECT_EQ(CheckpointReader::open(path_).state(), (std::vector<uint8_t>{1, 2, 3}));
}

TEST_F(CheckpointAtomicSave, MissingFolderIsAClearError) {
    try {
        big_writer().write(dir_.file("no/such/dir/x.ckpt"));
        ADD_FAILURE() << "wrote into a missing folder";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("no/such/dir/x.ckpt"), std::string::npos);
    }
}

TEST_F(CheckpointAtomicSave, TargetThatCannotBeReplacedStaysAsItWas) {
    // rename() cannot put a file over a non-empty folder.
    std::string target = dir_.file("folder.ckpt");
    std::filesystem::create_directory(target);
    write_file(target + "/keep", {7});
    EXPECT_THROW(big_writer().write(target), CheckpointError);
    EXPECT_EQ(read_file(target + "/keep"), std::vector<uint8_t>{7});
    EXPECT_EQ(count_files(dir_.path()), 2u);
}

TEST_F(CheckpointAtomicSave, SuccessfulWriteReplacesTheFile) {
    big_writer().write(path_);
    CheckpointReader r = CheckpointReader::open(path_);
    std::vector<uint8_t> back(big_.size());
    r.restore_memory("ram", back);
    EXPECT_TRUE(back == big_);
    EXPECT_EQ(count_files(dir_.path()), 1u);
}

}  // namespace
}  // namespace sandpc::test
