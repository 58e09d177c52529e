// A machine whose drives run on temporary overlays: the sectors the guest
// wrote travel in the checkpoint (DOVL chunks) and are back after a restore
// into a fresh machine over the same, untouched base images.
#include <gtest/gtest.h>

#include "devices/storage/image_open.h"
#include "frontends/machine/machine_checkpoint.h"
#include "snapshot/checkpoint_file.h"
#include "tests/checkpoint/checkpoint_fixture.h"

namespace sandpc::test {
namespace {

constexpr uint64_t kFloppyBytes = 737280;
constexpr uint64_t kDiskBytes = (8u << 20) + 3 * kSectorSize;  // last cluster cut short

std::vector<uint8_t> sector_of(uint8_t fill, uint64_t lba) {
    std::vector<uint8_t> s(kSectorSize, fill);
    for (int i = 0; i < 8; ++i) s[i] = static_cast<uint8_t>(lba >> (8 * i));
    return s;
}

// Sectors written on each drive: slot, LBA, fill byte.
struct Write {
    unsigned slot;
    uint64_t lba;
    uint8_t fill;
};
const std::vector<Write> kWrites = {
    {0, 0, 0xA1},
    {0, 1, 0xA2},
    {0, 700, 0xA3},
    {0, kFloppyBytes / kSectorSize - 1, 0xA4},
    {2, 5, 0xB1},
    {2, 9000, 0xB2},
    {2, (kDiskBytes / kSectorSize) - 1, 0xB3},
};

class OverlayCheckpoint : public ::testing::Test {
  protected:
    void SetUp() override {
        floppy_ = dir_.file("floppy.img");
        disk_ = dir_.file("disk.img");
        write_file(floppy_, random_bytes(kFloppyBytes, 1));
        write_file(disk_, random_bytes(kDiskBytes, 2));
        floppy_before_ = read_file(floppy_);
        disk_before_ = read_file(disk_);
        ckpt_ = dir_.file("m.ckpt");
    }
    // What the runner does without --writable: each image under a fresh
    // temporary overlay.
    std::unique_ptr<Machine> machine(bool writable = false) {
        MachineConfig c;
        ImageOpenOptions w;
        w.writable = true;
        c.floppy[0] = writable ? open_image(floppy_, w) : open_image_snapshot(floppy_);
        c.hard_disk[0] = writable ? open_image(disk_, w) : open_image_snapshot(disk_);
        return std::make_unique<Machine>(std::move(c));
    }
    std::unique_ptr<Machine> written_and_saved() {
        auto m = machine();
        for (const Write& w : kWrites)
            m->drive_backend(w.slot)->write_sectors(w.lba, sector_of(w.fill, w.lba));
        save_machine_checkpoint(*m, ckpt_);
        return m;
    }
    std::string restore_error(Machine& m) {
        try {
            restore_machine_checkpoint(m, ckpt_);
        } catch (const CheckpointError& e) {
            return e.what();
        }
        return "";
    }

    TempDir dir_;
    std::string floppy_, disk_, ckpt_;
    std::vector<uint8_t> floppy_before_, disk_before_;
};

TEST_F(OverlayCheckpoint, WrittenSectorsAreBackAfterRestore) {
    written_and_saved();
    auto fresh = machine();
    std::vector<uint8_t> got(kSectorSize);
    fresh->drive_backend(0)->read_sectors(0, got);
    EXPECT_NE(got, sector_of(0xA1, 0)) << "a fresh overlay must not see the writes yet";

    restore_machine_checkpoint(*fresh, ckpt_);
    for (const Write& w : kWrites) {
        fresh->drive_backend(w.slot)->read_sectors(w.lba, got);
        EXPECT_EQ(got, sector_of(w.fill, w.lba)) << "slot " << w.slot << " lba " << w.lba;
    }
    // Unwritten sectors, even inside written clusters, still read the base.
    fresh->drive_backend(0)->read_sectors(2, got);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), floppy_before_.begin() + 2 * kSectorSize));
    fresh->drive_backend(2)->read_sectors(9001, got);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), disk_before_.begin() + 9001 * kSectorSize));
    EXPECT_EQ(read_file(floppy_), floppy_before_);
    EXPECT_EQ(read_file(disk_), disk_before_);
}

TEST_F(OverlayCheckpoint, FileCarriesOneOverlayChunkPerWrittenDrive) {
    written_and_saved();
    std::vector<uint8_t> file = read_file(ckpt_);
    EXPECT_EQ(le(file, 10, 2), 1u) << "minor version";
    std::vector<std::string> overlays;
    for (const ChunkSpan& c : walk_chunks(file))
        if (c.type == "DOVL") overlays.push_back(c.name);
    EXPECT_EQ(overlays, (std::vector<std::string>{"overlay0", "overlay2"}));
    CheckpointReader r = CheckpointReader::open(ckpt_);
    ASSERT_NE(r.drive_overlay(2), nullptr);
    EXPECT_EQ(r.drive_overlay(2)->virtual_size, kDiskBytes);
    EXPECT_EQ(r.drives()[1].format, kTemporaryOverlayFormat);
}

TEST_F(OverlayCheckpoint, UnwrittenOverlaysAreReferencedAsBefore) {
    auto m = machine();
    save_machine_checkpoint(*m, ckpt_);
    CheckpointReader r = CheckpointReader::open(ckpt_);
    EXPECT_EQ(r.drive_overlay(0), nullptr);
    ASSERT_EQ(r.drives().size(), 2u);
    EXPECT_EQ(r.drives()[0].format, "guest-view");
    auto fresh = machine();
    EXPECT_EQ(restore_error(*fresh), "");
}

TEST_F(OverlayCheckpoint, DamagedOverlayChunkIsRefused) {
    written_and_saved();
    std::vector<uint8_t> file = read_file(ckpt_);
    for (const ChunkSpan& c : walk_chunks(file))
        if (c.type == "DOVL") file[c.payload_at + c.payload_length - 3] ^= 0x5A;
    write_file(ckpt_, file);
    auto fresh = machine();
    std::string error = restore_error(*fresh);
    EXPECT_NE(error.find("drive overlay 'overlay0'"), std::string::npos) << error;
    EXPECT_NE(error.find("corrupted"), std::string::npos) << error;
}

TEST_F(OverlayCheckpoint, AnotherBaseIsRefused) {
    written_and_saved();
    std::vector<uint8_t> other = floppy_before_;
    other[100000] ^= 1;
    write_file(floppy_, other);
    auto fresh = machine();
    std::string error = restore_error(*fresh);
    EXPECT_NE(error.find("drive slot 0"), std::string::npos) << error;
    EXPECT_NE(error.find("different content"), std::string::npos) << error;
}

TEST_F(OverlayCheckpoint, WritableDriveIsRefused) {
    written_and_saved();
    auto fresh = machine(/*writable=*/true);
    std::string error = restore_error(*fresh);
    EXPECT_NE(error.find("without --writable"), std::string::npos) << error;
    fresh.reset();
    EXPECT_EQ(read_file(floppy_), floppy_before_) << "a refused restore wrote the image";
}

TEST_F(OverlayCheckpoint, OverlayWrittenBeforeRestoreIsRefused) {
    written_and_saved();
    auto fresh = machine();
    fresh->drive_backend(2)->write_sectors(77, sector_of(0xCC, 77));
    std::string error = restore_error(*fresh);
    EXPECT_NE(error.find("written before the restore"), std::string::npos) << error;
}

}  // namespace
}  // namespace sandpc::test
