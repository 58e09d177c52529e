// Builds small El Torito CD images in memory for BIOS tests: an ISO 9660
// primary volume descriptor (sector 16) with a root directory, the boot
// record volume descriptor (17), the set terminator, the boot catalog, the
// boot image and data sectors after it. Knobs break one part at a time.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace sandpc::test {

struct ElToritoIsoSpec {
    std::vector<uint8_t> boot_image;                 // padded to whole 2048-byte sectors
    uint8_t media = 0;                               // 0 no emulation, 2 1.44 MB floppy, ...
    uint16_t load_segment = 0;                       // 0: the BIOS's default, 7C0h
    uint16_t sector_count = 4;                       // 512-byte virtual sectors to load
    std::vector<std::vector<uint8_t>> data_sectors;  // after the boot image
    bool boot_record = true;                         // false: sector 17 is the terminator
    bool bad_checksum = false;                       // validation entry words do not sum to 0
    uint8_t boot_indicator = 0x88;
};

struct ElToritoIso {
    std::vector<uint8_t> bytes;
    uint32_t catalog_lba = 0;
    uint32_t boot_lba = 0;
    uint32_t data_lba = 0;
    uint32_t sectors = 0;
};

namespace iso_detail {

constexpr size_t kSector = 2048;

inline void put16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
}
inline void put32(uint8_t* p, uint32_t v) {
    put16(p, uint16_t(v));
    put16(p + 2, uint16_t(v >> 16));
}
// ISO 9660 "both-byte order": little-endian then big-endian.
inline void both16(uint8_t* p, uint16_t v) {
    put16(p, v);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}
inline void both32(uint8_t* p, uint32_t v) {
    put32(p, v);
    for (int i = 0; i < 4; ++i) p[4 + i] = uint8_t(v >> (24 - 8 * i));
}
inline void text(uint8_t* p, size_t len, const std::string& s) {
    std::memset(p, ' ', len);
    std::memcpy(p, s.data(), std::min(len, s.size()));
}
inline void descriptor_header(uint8_t* p, uint8_t type) {
    p[0] = type;
    std::memcpy(p + 1, "CD001", 5);
    p[6] = 1;
}
// A directory record naming `name` (0 = ".", 1 = "..").
inline void directory_record(uint8_t* p, uint32_t extent, uint32_t bytes, uint8_t name) {
    p[0] = 34;
    both32(p + 2, extent);
    both32(p + 10, bytes);
    p[18] = 126;  // 2026
    p[19] = 1;
    p[20] = 1;
    p[25] = 0x02;  // directory
    both16(p + 28, 1);
    p[32] = 1;
    p[33] = name;
}

}  // namespace iso_detail

inline ElToritoIso build_el_torito_iso(const ElToritoIsoSpec& spec) {
    using namespace iso_detail;
    constexpr uint32_t kPvd = 16, kRecord = 17, kTerminator = 18, kCatalog = 19, kPathL = 20,
                       kPathM = 21, kRoot = 22, kBoot = 23;
    uint32_t boot_sectors = uint32_t((spec.boot_image.size() + kSector - 1) / kSector);
    ElToritoIso iso;
    iso.catalog_lba = kCatalog;
    iso.boot_lba = kBoot;
    iso.data_lba = kBoot + boot_sectors;
    iso.sectors = iso.data_lba + uint32_t(spec.data_sectors.size());
    iso.bytes.assign(size_t(iso.sectors) * kSector, 0);
    auto sector = [&](uint32_t lba) { return iso.bytes.data() + size_t(lba) * kSector; };

    uint8_t* pvd = sector(kPvd);
    descriptor_header(pvd, 1);
    text(pvd + 8, 32, "");
    text(pvd + 40, 32, "SANDPC_TEST");
    both32(pvd + 80, iso.sectors);
    both16(pvd + 120, 1);  // volume set size
    both16(pvd + 124, 1);  // volume sequence number
    both16(pvd + 128, kSector);
    both32(pvd + 132, 10);  // path table: the root only
    put32(pvd + 140, kPathL);
    for (int i = 0; i < 4; ++i) pvd[148 + i] = uint8_t(kPathM >> (24 - 8 * i));
    directory_record(pvd + 156, kRoot, kSector, 0);
    for (size_t off : {190, 318, 446, 574}) text(pvd + off, 128, "");
    for (size_t off : {702, 740, 776}) text(pvd + off, off == 702 ? 38 : off == 740 ? 36 : 37, "");
    for (size_t off : {813, 830, 847, 864}) {
        std::memset(pvd + off, '0', 16);
        pvd[off + 16] = 0;
    }
    pvd[881] = 1;  // file structure version
    // Little- and big-endian path tables, one root entry each.
    for (uint32_t lba : {kPathL, kPathM}) {
        uint8_t* pt = sector(lba);
        pt[0] = 1;
        for (int i = 0; i < 4; ++i)
            pt[2 + i] = uint8_t(kRoot >> (lba == kPathL ? 8 * i : 24 - 8 * i));
        pt[lba == kPathL ? 6 : 7] = 1;  // parent: itself
    }
    directory_record(sector(kRoot), kRoot, kSector, 0);
    directory_record(sector(kRoot) + 34, kRoot, kSector, 1);

    uint8_t* record = sector(kRecord);
    if (spec.boot_record) {
        descriptor_header(record, 0);
        std::memcpy(record + 7, "EL TORITO SPECIFICATION", 23);
        put32(record + 0x47, kCatalog);
        descriptor_header(sector(kTerminator), 255);
    } else {
        descriptor_header(record, 255);
    }

    uint8_t* validation = sector(kCatalog);
    validation[0] = 0x01;  // header ID
    validation[1] = 0x00;  // 80x86
    std::memcpy(validation + 4, "SANDPC TEST", 11);
    validation[0x1E] = 0x55;
    validation[0x1F] = 0xAA;
    uint16_t sum = 0;
    for (int i = 0; i < 32; i += 2) sum = uint16_t(sum + (validation[i] | validation[i + 1] << 8));
    put16(validation + 0x1C, uint16_t(-sum + (spec.bad_checksum ? 1 : 0)));
    uint8_t* entry = validation + 32;
    entry[0] = spec.boot_indicator;
    entry[1] = spec.media;
    put16(entry + 2, spec.load_segment);
    put16(entry + 6, spec.sector_count);
    put32(entry + 8, kBoot);

    std::copy(spec.boot_image.begin(), spec.boot_image.end(), sector(kBoot));
    for (size_t i = 0; i < spec.data_sectors.size(); ++i) {
        const auto& d = spec.data_sectors[i];
        std::copy_n(d.begin(), std::min(d.size(), kSector), sector(iso.data_lba + uint32_t(i)));
    }
    return iso;
}

}  // namespace sandpc::test
