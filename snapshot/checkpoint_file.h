// The whole-machine checkpoint file (docs/snapshot-format.md): a header and
// tagged, checksummed chunks holding the machine description, the component
// state stream, guest memory regions (zero pages skipped, the rest
// zlib-compressed in bounded blocks), references to the drives' images and
// the clusters written to drives that ran on temporary overlays.
//
// Writing is atomic: the file is built under a temporary name in the target's
// folder, synced and renamed over the target, so a failed save never damages
// an existing checkpoint. Reading validates the whole file (every checksum,
// every bound, every compressed block) before open() returns, so a later
// restore never meets a bad byte in a file that was not changed meanwhile.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace sandpc {

// Every problem with a checkpoint file: I/O errors, corruption, truncation,
// versions this build cannot read, a mismatch with the machine restoring it.
// The message names the file.
class CheckpointError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

namespace checkpoint {
inline constexpr std::array<uint8_t, 8> kMagic = {'S', 'A', 'N', 'D', 'P', 'C', 'C', 'K'};
inline constexpr uint16_t kMajorVersion = 1;  // readers refuse a newer major
// Minor 1 added the DOVL chunk (a temporary overlay's written clusters).
inline constexpr uint16_t kMinorVersion = 1;  // newer minors only add chunk types
inline constexpr uint32_t kPageSize = 4096;
inline constexpr uint32_t kPagesPerBlock = 256;  // 1 MiB of input per compressed block
inline constexpr uint32_t kMaxNameLength = 255;
inline constexpr uint32_t kMaxDriveSlot = 63;
inline constexpr uint32_t kMaxPathHint = 4096;
inline constexpr int kDefaultZlibLevel = 1;
}  // namespace checkpoint

// Key/value configuration that must match between the saving and the restoring
// machine (RAM size, CPU model, devices present...). Sorted by key.
using MachineDescription = std::map<std::string, std::string>;

// How a drive's content is identified (docs/snapshot-format.md, "Drives").
// 1 and 2 are the overlay base identities (overlay::BaseHashKind) computed
// over the drive's whole virtual disk; 3 hashes the top image's file bytes.
enum class DriveIdentityKind : uint32_t {
    sampled_disk = 1,
    full_disk = 2,
    image_file = 3,
};

struct DriveReference {
    uint32_t slot = 0;      // machine drive slot, 0..kMaxDriveSlot
    std::string path_hint;  // path of the top image as the machine opened it
    std::string format;     // "raw", "overlay", "qcow2" (image_open's format_name)
    uint64_t virtual_size = 0;
    DriveIdentityKind identity_kind = DriveIdentityKind::sampled_disk;
    std::array<uint8_t, 32> identity{};  // SHA-256, see identity_kind

    bool operator==(const DriveReference&) const = default;
};

// The DRIV format of a drive whose guest writes went to a temporary overlay
// carried in the checkpoint (a DOVL chunk); its identity is the base's.
inline constexpr const char* kTemporaryOverlayFormat = "temporary-overlay";

// What a drive running on a temporary overlay wrote: the indices of the
// clusters it holds and a way to read their guest bytes.
struct DriveOverlaySource {
    uint32_t slot = 0;
    uint32_t cluster_bits = 16;  // 12..21
    uint64_t virtual_size = 0;
    std::vector<uint64_t> clusters;  // ascending, each inside the disk
    // Fills `out` with cluster `index`'s guest bytes: the cluster size, or
    // less for a last cluster cut by the end of the disk.
    std::function<void(uint64_t index, std::span<uint8_t> out)> read_cluster;
};

struct DriveOverlayInfo {
    uint32_t slot = 0;
    uint32_t cluster_bits = 0;
    uint64_t virtual_size = 0;
    std::vector<uint64_t> clusters;
};

struct CheckpointWriteOptions {
    int zlib_level = checkpoint::kDefaultZlibLevel;  // 1 (fast) .. 9
    bool durable = true;  // fsync the file and its folder (off only in tests)
};

class CheckpointWriter {
  public:
    void set_description(MachineDescription description);
    void set_state(std::vector<uint8_t> state);
    // The span is not copied: it must stay valid and unchanged until write().
    // Names are unique, 1 to 255 bytes.
    void add_memory(std::string name, std::span<const uint8_t> memory);
    // One per slot.
    void add_drive(DriveReference drive);
    // One per slot; the slot's DriveReference must have the format
    // kTemporaryOverlayFormat. read_cluster is called during write().
    void add_drive_overlay(DriveOverlaySource overlay);

    // Writes the checkpoint to `path` atomically (temporary file in the same
    // folder, fsync, rename, fsync of the folder). On failure throws and
    // leaves any existing file at `path` as it was.
    void write(const std::string& path, const CheckpointWriteOptions& options = {}) const;

  private:
    MachineDescription description_;
    std::vector<uint8_t> state_;
    bool has_state_ = false;
    std::vector<std::pair<std::string, std::span<const uint8_t>>> memory_;
    std::vector<DriveReference> drives_;
    std::vector<DriveOverlaySource> overlays_;
};

class CheckpointReader {
  public:
    // Opens and validates the whole file; throws CheckpointError naming the
    // file and the problem (bad magic, newer version, bad checksum, truncated,
    // malformed chunk, undecodable memory block...).
    static CheckpointReader open(const std::string& path);

    CheckpointReader(CheckpointReader&&) noexcept;
    CheckpointReader& operator=(CheckpointReader&&) noexcept;
    ~CheckpointReader();

    const std::string& path() const { return path_; }
    uint16_t minor_version() const { return minor_version_; }
    const MachineDescription& description() const { return description_; }
    const std::vector<uint8_t>& state() const { return state_; }
    std::vector<std::string> memory_names() const;
    bool has_memory(const std::string& name) const;
    // Size in bytes of the region `name`; throws if there is none.
    uint64_t memory_size(const std::string& name) const;
    // Fills `out` (which must be exactly memory_size(name) bytes) with the
    // region, zero pages included. Throws, leaving `out` untouched, on a size
    // mismatch or an unknown name. Only if the file was modified in place
    // after open() can it throw midway (with `out` partly written).
    void restore_memory(const std::string& name, std::span<uint8_t> out) const;
    const std::vector<DriveReference>& drives() const { return drives_; }
    // The temporary overlays carried (DOVL chunks), by slot; nullptr if none.
    const DriveOverlayInfo* drive_overlay(uint32_t slot) const;
    // Calls `write(offset, bytes)` for each stored cluster of the slot's
    // overlay, ascending. Like restore_memory, re-checks each block and can
    // throw midway only if the file changed after open().
    void replay_drive_overlay(
        uint32_t slot,
        const std::function<void(uint64_t offset, std::span<const uint8_t> data)>& write) const;

    struct Region;        // where a region's blocks lie in the file (internal)
    struct DriveOverlay;  // the same for a drive overlay (internal)

  private:
    CheckpointReader() = default;
    const Region& region(const std::string& name) const;

    std::string path_;
    int fd_ = -1;
    uint16_t minor_version_ = 0;
    MachineDescription description_;
    std::vector<uint8_t> state_;
    std::vector<Region> regions_;
    std::vector<DriveReference> drives_;
    std::vector<DriveOverlay> overlays_;
};

// Throws CheckpointError listing every key whose value differs (or that only
// one side has) between the checkpoint's description and the current machine.
void check_description(const CheckpointReader& checkpoint, const MachineDescription& current);
// Throws unless the machine's drives match the saved ones slot for slot: the
// same slots, and in each the same format, virtual size and identity (each
// `current` computed with the kind saved for its slot). Paths may differ.
void check_drives(const CheckpointReader& checkpoint, const std::vector<DriveReference>& current);
std::string drive_identity_name(DriveIdentityKind kind);

}  // namespace sandpc
