// Diskette formats recognised from an image's size, the drive types the
// BIOS knows (CMOS register 0x10 nibbles) and the data rates they need.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sandpc {

enum class FloppyDriveType : uint8_t {
    kNone = 0,
    k360K = 1,   // 5.25" double density
    k1200K = 2,  // 5.25" high density
    k720K = 3,   // 3.5" double density
    k1440K = 4,  // 3.5" high density
    k2880K = 5,  // 3.5" extra density
};

// Data rate select codes of the DSR/CCR bits 1-0.
enum class FloppyDataRate : uint8_t { k500K = 0, k300K = 1, k250K = 2, k1M = 3 };

struct FloppyGeometry {
    uint8_t cylinders;
    uint8_t heads;
    uint8_t sectors_per_track;
    FloppyDataRate data_rate;
    FloppyDriveType natural_drive;  // the drive type this format is made for
    const char* name;

    uint64_t bytes() const { return uint64_t{cylinders} * heads * sectors_per_track * 512; }
};

// The format an image of `size` bytes holds, if any.
std::optional<FloppyGeometry> floppy_geometry_for_size(uint64_t size);
// Sizes accepted, for error messages: "160K, 180K, ...".
std::string floppy_supported_sizes();
// Whether a drive of `type` can read the format at all.
bool floppy_drive_accepts(FloppyDriveType type, const FloppyGeometry& geometry);
// Whether the medium reads at `rate` (double-density media read at 250 kb/s,
// or 300 kb/s in a high-density 5.25" drive).
bool floppy_rate_matches(const FloppyGeometry& geometry, FloppyDataRate rate);
// The last cylinder the head can reach in a drive of `type`.
uint8_t floppy_drive_max_cylinder(FloppyDriveType type);

}  // namespace sandpc
