// IDENTIFY DEVICE and IDENTIFY PACKET DEVICE data blocks, and the default
// CHS geometry BIOSes expect for a disk of a given size.
#pragma once

#include <array>
#include <cstdint>

namespace sandpc::ata {

using IdentifyBlock = std::array<uint16_t, 256>;

struct ChsGeometry {
    uint32_t cylinders = 0;
    uint32_t heads = 0;
    uint32_t sectors = 0;  // per track
    uint64_t capacity() const { return uint64_t{cylinders} * heads * sectors; }
};

inline constexpr uint32_t kMaxMultipleSectors = 16;

// 16 heads, 63 sectors per track, cylinders capped at 16383 (at least 1).
ChsGeometry default_geometry(uint64_t total_sectors);

struct DiskIdentity {
    uint64_t total_sectors = 0;
    ChsGeometry current;            // translation set by INITIALIZE DEVICE PARAMETERS
    uint32_t multiple_sectors = 0;  // 0: READ/WRITE MULTIPLE disabled
    bool dma = false;               // bus mastering available
    uint8_t transfer_mode = 0;      // SET FEATURES 03h value in use (0: PIO default)
    bool write_cache = true;
};

IdentifyBlock identify_disk(const DiskIdentity& id);

struct PacketIdentity {
    bool dma = false;
    uint8_t transfer_mode = 0;
};

IdentifyBlock identify_packet_device(const PacketIdentity& id);

}  // namespace sandpc::ata
