#include "devices/ata/ata_identify.h"

#include <algorithm>
#include <string_view>

namespace sandpc::ata {

namespace {

constexpr std::string_view kSerial = "SANDPC0000000001";
constexpr std::string_view kFirmware = "1.0";
constexpr std::string_view kDiskModel = "SANDPC HARDDISK";
constexpr std::string_view kCdromModel = "SANDPC CD-ROM";

// ATA strings: space padded, two characters per word, first one in the high byte.
void put_string(IdentifyBlock& b, unsigned first_word, unsigned words, std::string_view s) {
    for (unsigned i = 0; i < words; ++i) {
        auto ch = [&](size_t k) { return static_cast<uint16_t>(k < s.size() ? s[k] : ' '); };
        b[first_word + i] = static_cast<uint16_t>(ch(2 * i) << 8 | ch(2 * i + 1));
    }
}

void put_common(IdentifyBlock& b, std::string_view model) {
    put_string(b, 10, 10, kSerial);
    put_string(b, 23, 4, kFirmware);
    put_string(b, 27, 20, model);
}

// Word 51 PIO timing, 53 validity, 63/88 DMA modes (with the selected one),
// 64-68 PIO modes 3/4 and cycle times.
void put_transfer_modes(IdentifyBlock& b, bool dma, uint8_t mode) {
    b[51] = 0x0200;
    b[53] = 0x0006;  // words 64-70 and 88 valid
    b[64] = 0x0003;
    for (unsigned w = 65; w <= 68; ++w) b[w] = 120;
    if (!dma) return;
    b[63] = 0x0007;
    b[88] = 0x003F;
    if ((mode & 0xF8) == 0x20) b[63] |= static_cast<uint16_t>(0x100 << (mode & 7));
    if ((mode & 0xF8) == 0x40) b[88] |= static_cast<uint16_t>(0x100 << (mode & 7));
}

// Word 255: signature A5h in the low byte, and a high byte that makes all
// 512 bytes sum to zero.
void put_checksum(IdentifyBlock& b) {
    b[255] = 0x00A5;
    uint8_t sum = 0;
    for (uint16_t w : b) sum = static_cast<uint8_t>(sum + (w & 0xFF) + (w >> 8));
    b[255] = static_cast<uint16_t>(static_cast<uint8_t>(-sum) << 8 | 0xA5);
}

}  // namespace

ChsGeometry default_geometry(uint64_t total_sectors) {
    uint64_t cylinders = total_sectors / (16 * 63);
    return {static_cast<uint32_t>(std::clamp<uint64_t>(cylinders, 1, 16383)), 16, 63};
}

IdentifyBlock identify_disk(const DiskIdentity& id) {
    IdentifyBlock b{};
    ChsGeometry def = default_geometry(id.total_sectors);
    b[0] = 0x0040;  // fixed device
    b[1] = static_cast<uint16_t>(def.cylinders);
    b[3] = static_cast<uint16_t>(def.heads);
    b[6] = static_cast<uint16_t>(def.sectors);
    put_common(b, kDiskModel);
    b[47] = 0x8000 | kMaxMultipleSectors;
    b[49] = 0x0A00 | (id.dma ? 0x0100 : 0);  // IORDY, LBA, DMA
    b[50] = 0x4000;
    put_transfer_modes(b, id.dma, id.transfer_mode);
    if (id.current.capacity() != 0) {
        b[53] |= 0x0001;
        uint64_t cap = std::min<uint64_t>(id.current.capacity(), id.total_sectors);
        b[54] = static_cast<uint16_t>(id.current.cylinders);
        b[55] = static_cast<uint16_t>(id.current.heads);
        b[56] = static_cast<uint16_t>(id.current.sectors);
        b[57] = static_cast<uint16_t>(cap);
        b[58] = static_cast<uint16_t>(cap >> 16);
    }
    if (id.multiple_sectors) b[59] = static_cast<uint16_t>(0x0100 | id.multiple_sectors);
    uint64_t lba28 = std::min<uint64_t>(id.total_sectors, 0x0FFFFFFF);
    b[60] = static_cast<uint16_t>(lba28);
    b[61] = static_cast<uint16_t>(lba28 >> 16);
    b[80] = 0x007E;  // ATA-1 .. ATA/ATAPI-6
    b[82] = 0x0028;  // write cache, power management
    b[83] = 0x7400;  // FLUSH CACHE EXT, FLUSH CACHE, 48-bit addressing
    b[84] = 0x4000;
    b[85] = static_cast<uint16_t>(0x0008 | (id.write_cache ? 0x0020 : 0));
    b[86] = 0x3400;
    b[87] = 0x4000;
    for (unsigned i = 0; i < 4; ++i) b[100 + i] = static_cast<uint16_t>(id.total_sectors >> 16 * i);
    put_checksum(b);
    return b;
}

IdentifyBlock identify_packet_device(const PacketIdentity& id) {
    IdentifyBlock b{};
    // ATAPI, CD-ROM (type 05h), removable, 50 us DRQ, 12-byte packets.
    b[0] = 0x85C0;
    put_common(b, kCdromModel);
    b[49] = 0x0A00 | (id.dma ? 0x0100 : 0);
    b[50] = 0x4000;
    put_transfer_modes(b, id.dma, id.transfer_mode);
    b[80] = 0x007E;
    b[82] = 0x0010;  // PACKET feature set
    b[83] = 0x4000;
    b[84] = 0x4000;
    b[85] = 0x0010;
    b[87] = 0x4000;
    put_checksum(b);
    return b;
}

}  // namespace sandpc::ata
