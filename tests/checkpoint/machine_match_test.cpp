// check_description and check_drives: a checkpoint restores only onto the
// machine and the disks it was saved from, and says what differs.
#include <gtest/gtest.h>

#include <functional>

#include "snapshot/checkpoint_file.h"
#include "tests/checkpoint/checkpoint_fixture.h"

namespace sandpc::test {
namespace {

class CheckpointMachineMatch : public ::testing::Test {
  protected:
    void SetUp() override {
        CheckpointWriter w;
        w.set_description(sample_description());
        w.set_state({});
        w.add_drive(sample_drive(0));
        w.add_drive(sample_drive(1));
        path_ = dir_.file("m.ckpt");
        w.write(path_);
    }
    std::string error_of(const std::function<void(const CheckpointReader&)>& check) {
        CheckpointReader r = CheckpointReader::open(path_);
        try {
            check(r);
        } catch (const CheckpointError& e) {
            return e.what();
        }
        return "";
    }

    TempDir dir_;
    std::string path_;
};

TEST_F(CheckpointMachineMatch, SameMachineMatches) {
    CheckpointReader r = CheckpointReader::open(path_);
    EXPECT_NO_THROW(check_description(r, sample_description()));
    DriveReference moved = sample_drive(1);
    moved.path_hint = "/elsewhere/copy.sovl";  // another host, same content
    EXPECT_NO_THROW(check_drives(r, {sample_drive(0), moved}));
}

TEST_F(CheckpointMachineMatch, DescriptionDifferencesAreListed) {
    MachineDescription now = sample_description();
    now["ram_size"] = "2097152";
    now.erase("vga");
    now["fpu"] = "yes";
    std::string msg = error_of([&](const CheckpointReader& r) { check_description(r, now); });
    EXPECT_NE(msg.find("ram_size was '1048576', is '2097152'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("vga was 'yes', is not set"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fpu was not set, is 'yes'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path_), std::string::npos) << msg;
}

TEST_F(CheckpointMachineMatch, DriveDifferencesAreRefused) {
    auto drives_error = [&](std::vector<DriveReference> now) {
        return error_of([&](const CheckpointReader& r) { check_drives(r, now); });
    };
    DriveReference changed = sample_drive(1);
    changed.identity[5] ^= 1;
    EXPECT_NE(drives_error({sample_drive(0), changed}).find("different content"),
              std::string::npos);
    DriveReference resized = sample_drive(1);
    resized.virtual_size += 512;
    EXPECT_NE(drives_error({sample_drive(0), resized}).find("bytes, is"), std::string::npos);
    DriveReference raw = sample_drive(1);
    raw.format = "raw";
    EXPECT_NE(drives_error({sample_drive(0), raw}).find("overlay image, is a raw"),
              std::string::npos);
    DriveReference kind = sample_drive(1);
    kind.identity_kind = DriveIdentityKind::full_disk;
    EXPECT_NE(drives_error({sample_drive(0), kind}).find("identified by"), std::string::npos);
    EXPECT_NE(drives_error({sample_drive(0)}).find("slot 1"), std::string::npos);
    EXPECT_NE(drives_error({sample_drive(0), sample_drive(1), sample_drive(2)}).find("was empty"),
              std::string::npos);
}

}  // namespace
}  // namespace sandpc::test
