// El Torito bootable CD-ROM format (Phoenix/IBM, version 1.0): sector 17 of
// the disc holds the boot record volume descriptor ("EL TORITO
// SPECIFICATION"), which points at the boot catalog: a validation entry
// (header 01h, platform, checksum, key 55h AAh) followed by the initial/
// default entry (boot indicator 88h, media type, load segment, sector count
// in 512-byte virtual sectors, load RBA in 2048-byte sectors).
//
// Also the INT 13h 4Bh specification packet the BIOS keeps for a CD boot.
#pragma once
#include <cstdint>
#include <stdexcept>

#include "devices/storage/block_backend.h"

namespace sandpc::el_torito {

constexpr uint32_t kCdSectorSize = 2048;
constexpr uint32_t kBootRecordSector = 17;

enum Media : uint8_t {
    kNoEmulation = 0,
    kFloppy1200K = 1,
    kFloppy1440K = 2,
    kFloppy2880K = 3,
    kHardDisk = 4,
};

// Why a disc does not boot (no boot record, bad catalog, not bootable).
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// CHS geometry of an emulated drive.
struct Geometry {
    uint32_t cylinders = 0;
    uint32_t heads = 0;
    uint32_t sectors = 0;  // per track
    uint64_t bytes() const { return uint64_t(cylinders) * heads * sectors * 512; }
};

struct BootEntry {
    uint8_t media = kNoEmulation;
    uint16_t load_segment = 0x7C0;  // the catalog's 0 already replaced
    uint16_t sector_count = 0;      // 512-byte virtual sectors
    uint32_t load_rba = 0;          // 2048-byte sector of the image
    uint8_t system_type = 0;
    // The emulated drive: a floppy's standard geometry, or for hard-disk
    // emulation the one its single partition's end CHS implies. Zero
    // without emulation.
    Geometry geometry;
};

// Reads the boot record and catalog of `cd` (2048-byte sectors); throws
// Error when it is not bootable on a PC and BlockError on I/O failures.
BootEntry read_boot_entry(BlockBackend& cd);

inline bool is_floppy(uint8_t media) {
    return media >= kFloppy1200K && media <= kFloppy2880K;
}

// The INT 13h 4Bh specification packet (13h bytes).
namespace packet {
constexpr uint32_t kSize = 0x13;
constexpr uint32_t kMedia = 0x01;
constexpr uint32_t kDrive = 0x02;
constexpr uint32_t kController = 0x03;
constexpr uint32_t kImageLba = 0x04;       // dword
constexpr uint32_t kDeviceSpec = 0x08;     // word
constexpr uint32_t kBufferSegment = 0x0A;  // word
constexpr uint32_t kLoadSegment = 0x0C;    // word
constexpr uint32_t kSectorCount = 0x0E;    // word
constexpr uint32_t kCylinders = 0x10;      // INT 13h 08h CH, CL, DH of the emulated drive
constexpr uint32_t kSectors = 0x11;
constexpr uint32_t kHeads = 0x12;
}  // namespace packet

}  // namespace sandpc::el_torito
