#include "bios/el_torito.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <string>

namespace sandpc::el_torito {

namespace {

constexpr char kStandardId[] = "CD001";
constexpr char kBootSystemId[] = "EL TORITO SPECIFICATION";
constexpr uint8_t kPlatformX86 = 0x00;
constexpr uint8_t kBootable = 0x88;

uint16_t le16(const uint8_t* p) {
    return uint16_t(p[0] | p[1] << 8);
}
uint32_t le32(const uint8_t* p) {
    return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16;
}

std::string hex(unsigned v, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*Xh", digits, v);
    return buf;
}

std::array<uint8_t, kCdSectorSize> read_cd_sector(BlockBackend& cd, uint32_t lba) {
    std::array<uint8_t, kCdSectorSize> s{};
    cd.read(uint64_t(lba) * kCdSectorSize, s);
    return s;
}

// The spec's rule for a hard-disk image: one partition, whose end CHS gives
// the drive's geometry.
Geometry partition_geometry(BlockBackend& cd, uint64_t image_start, uint32_t lba) {
    std::array<uint8_t, 512> mbr{};
    if (image_start + mbr.size() > cd.size())
        throw Error("hard-disk image at sector " + std::to_string(lba) + " lies beyond the disc");
    cd.read(image_start, mbr);
    const uint8_t* used = nullptr;
    unsigned partitions = 0;
    for (unsigned i = 0; i < 4; ++i) {
        const uint8_t* p = &mbr[0x1BE + 16 * i];
        if (p[4] != 0) {
            used = p;
            ++partitions;
        }
    }
    if (mbr[510] != 0x55 || mbr[511] != 0xAA || partitions != 1)
        throw Error("hard-disk image at sector " + std::to_string(lba) +
                    " has no partition table with exactly one partition");
    Geometry g;
    g.heads = used[5] + 1u;
    g.sectors = used[6] & 0x3Fu;
    g.cylinders = (((used[6] & 0xC0u) << 2) | used[7]) + 1u;
    if (g.sectors == 0)
        throw Error("hard-disk image at sector " + std::to_string(lba) +
                    ": partition ends at sector 0");
    return g;
}

}  // namespace

BootEntry read_boot_entry(BlockBackend& cd) {
    uint64_t sectors = cd.size() / kCdSectorSize;
    if (sectors <= kBootRecordSector)
        throw Error("no boot record: the disc has only " + std::to_string(sectors) + " sectors");
    auto record = read_cd_sector(cd, kBootRecordSector);
    char system_id[32] = {};
    std::memcpy(system_id, kBootSystemId, sizeof kBootSystemId - 1);
    if (record[0] != 0 || std::memcmp(&record[1], kStandardId, 5) != 0 || record[6] != 1 ||
        std::memcmp(&record[7], system_id, sizeof system_id) != 0)
        throw Error("no El Torito boot record at sector 17");
    uint32_t catalog_lba = le32(&record[0x47]);
    if (catalog_lba >= sectors)
        throw Error("boot catalog at sector " + std::to_string(catalog_lba) +
                    " lies beyond the disc");
    auto catalog = read_cd_sector(cd, catalog_lba);

    const uint8_t* validation = catalog.data();
    uint16_t sum = 0;
    for (unsigned i = 0; i < 32; i += 2) sum = uint16_t(sum + le16(validation + i));
    if (validation[0] != 0x01 || validation[0x1E] != 0x55 || validation[0x1F] != 0xAA)
        throw Error("boot catalog has no validation entry (header 01h, key 55h AAh)");
    if (sum != 0)
        throw Error("boot catalog validation entry: bad checksum (words sum to " + hex(sum, 4) +
                    ", not 0)");
    if (validation[1] != kPlatformX86)
        throw Error("boot catalog is for platform " + hex(validation[1], 2) + ", not 80x86");

    const uint8_t* entry = catalog.data() + 32;
    if (entry[0] != kBootable)
        throw Error("default boot entry is not bootable (indicator " + hex(entry[0], 2) +
                    ", not 88h)");
    BootEntry e;
    e.media = entry[1] & 0x0F;
    if (e.media > kHardDisk)
        throw Error("default boot entry: unknown media type " + hex(e.media, 2));
    e.load_segment = le16(entry + 2) ? le16(entry + 2) : 0x7C0;
    e.system_type = entry[4];
    e.sector_count = le16(entry + 6);
    e.load_rba = le32(entry + 8);
    if (e.sector_count == 0) throw Error("default boot entry loads 0 sectors");
    uint64_t image_start = uint64_t(e.load_rba) * kCdSectorSize;
    if (e.media == kHardDisk) {
        e.geometry = partition_geometry(cd, image_start, e.load_rba);
    } else if (is_floppy(e.media)) {
        static constexpr Geometry kFloppies[] = {{80, 2, 15}, {80, 2, 18}, {80, 2, 36}};
        e.geometry = kFloppies[e.media - kFloppy1200K];
    }
    uint64_t image_bytes =
        e.media == kNoEmulation ? uint64_t(e.sector_count) * 512 : e.geometry.bytes();
    if (image_start + image_bytes > cd.size())
        throw Error("boot image at sector " + std::to_string(e.load_rba) +
                    " runs past the end of the disc");
    return e;
}

}  // namespace sandpc::el_torito
