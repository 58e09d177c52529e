// The CD-ROM drive behind INT 13h (drive E0h, 2048-byte sectors, EDD reads)
// and El Torito: booting a CD (no emulation, an emulated floppy or hard
// disk) and INT 13h 4Bh. The boot's specification packet lives in the EBDA,
// so a machine snapshot carries the emulation state.
#include <cstdio>
#include <vector>

#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/el_torito.h"
#include "bios/int13_status.h"

namespace sandpc {

using namespace int13_status;
namespace et = el_torito;

namespace {

// Index of the IDE channel the drive sits on (secondary) and its unit
// (master), as the specification packet reports them.
constexpr uint8_t kCdController = 1;
constexpr uint16_t kCdDeviceSpec = 0;

}  // namespace

uint8_t Bios::emulated_media(BiosCall& c) {
    if (!host_.cdrom() || !c.read8(bda::kEbdaCdEmulating)) return 0;
    return c.read8(bda::kEbdaCdPacket + et::packet::kMedia) & 0x0F;
}

DiskGeometry Bios::emulated_geometry(BiosCall& c) {
    uint32_t p = bda::kEbdaCdPacket;
    uint8_t cl = c.read8(p + et::packet::kSectors);
    DiskGeometry g;
    g.cylinders = (c.read8(p + et::packet::kCylinders) | uint32_t(cl & 0xC0) << 2) + 1u;
    g.sectors = cl & 0x3Fu;
    g.heads = c.read8(p + et::packet::kHeads) + 1u;
    return g;
}

bool Bios::boot_cdrom(BiosCall& c, BlockBackend& cd, std::string& why) {
    et::BootEntry e;
    try {
        e = et::read_boot_entry(cd);
    } catch (const std::exception& err) {  // el_torito::Error or BlockError
        why = err.what();
        return false;
    }
    bool emulating = e.media != et::kNoEmulation;
    std::vector<uint8_t> image(size_t(e.sector_count) * 512);
    uint32_t load = uint32_t(e.load_segment) << 4;
    if (load < 0x500 || load + image.size() > bda::kEbda ||
        (emulating && image.size() > e.geometry.bytes())) {
        char buf[120];
        std::snprintf(buf, sizeof buf,
                      "boot image of %zu bytes at segment %04Xh does not fit in conventional "
                      "memory",
                      image.size(), e.load_segment);
        why = buf;
        return false;
    }
    try {
        cd.read(uint64_t(e.load_rba) * et::kCdSectorSize, image);
    } catch (const BlockError& err) {
        why = err.what();
        return false;
    }

    uint8_t drive = et::is_floppy(e.media) ? 0x00 : emulating ? 0x80 : kCdromDrive;
    uint32_t p = bda::kEbdaCdPacket;
    for (uint32_t i = 0; i < et::packet::kSize; ++i) c.write8(p + i, 0);
    c.write8(p, uint8_t(et::packet::kSize));
    c.write8(p + et::packet::kMedia, e.media);
    c.write8(p + et::packet::kDrive, drive);
    c.write8(p + et::packet::kController, kCdController);
    c.write32(p + et::packet::kImageLba, e.load_rba);
    c.write16(p + et::packet::kDeviceSpec, kCdDeviceSpec);
    c.write16(p + et::packet::kLoadSegment, e.load_segment);
    c.write16(p + et::packet::kSectorCount, e.sector_count);
    if (emulating) {
        unsigned max_cyl = e.geometry.cylinders - 1u;
        c.write8(p + et::packet::kCylinders, uint8_t(max_cyl));
        c.write8(p + et::packet::kSectors,
                 uint8_t((e.geometry.sectors & 0x3F) | ((max_cyl >> 2) & 0xC0)));
        c.write8(p + et::packet::kHeads, uint8_t(e.geometry.heads - 1));
    }
    c.write8(bda::kEbdaCdEmulating, emulating ? 1 : 0);
    if (et::is_floppy(e.media)) {
        uint16_t equipment = c.read16(bda::kEquipment) & ~0x00C1;
        c.write16(bda::kEquipment, uint16_t(equipment | 0x0001 | ((floppy_count(c) - 1) << 6)));
    } else if (emulating) {
        c.write8(bda::kHardDiskCount, uint8_t(c.read8(bda::kHardDiskCount) + 1));
    }
    c.write_block(load, image);
    if (e.load_segment == 0x7C0)
        start_boot_code(c, drive, 0x0000, 0x7C00);
    else
        start_boot_code(c, drive, e.load_segment, 0x0000);
    return true;
}

void Bios::cdrom_disk(BiosCall& c, BlockBackend& cd) {
    auto finish = [&](uint8_t code) {
        c.write8(bda::kDiskStatus, code);
        c.status(code);
    };
    switch (c.ah()) {
        case 0x00: finish(0); return;
        case 0x01: {
            uint8_t last = c.read8(bda::kDiskStatus);
            c.set_ah(last);
            c.set_cf(last != 0);
            return;
        }
        case 0x15:
            c.set_ah(0x02);  // removable, change line supported
            c.set_cf(false);
            return;
        case 0x43:
            c.write16(c.linear(DS, c.si()) + 2, 0);
            finish(kWriteProtected);
            return;
        case 0x41:
        case 0x42:
        case 0x44:
        case 0x47:
        case 0x48: disk_extended(c, &cd, bda::kDiskStatus, et::kCdSectorSize, nullptr); return;
        default: finish(kBadCommand); return;
    }
}

void Bios::cdrom_emulation(BiosCall& c) {
    uint32_t status_at = c.dl() < 0x80 ? bda::kFloppyStatus : bda::kDiskStatus;
    auto finish = [&](uint8_t code) {
        c.write8(status_at, code);
        c.status(code);
    };
    uint32_t p = bda::kEbdaCdPacket;
    bool booted = host_.cdrom() && c.read8(p) == et::packet::kSize;
    uint8_t drive = booted ? c.read8(p + et::packet::kDrive) : 0;
    bool known_drive = c.dl() == drive || c.dl() == kCdromDrive || c.dl() == 0x7F;
    // 00h terminate emulation, 01h status: both return the packet at DS:SI.
    if (!booted || !known_drive || c.al() > 0x01) {
        finish(kBadCommand);
        return;
    }
    uint32_t out = c.linear(DS, c.si());
    for (uint32_t i = 0; i < et::packet::kSize; ++i) c.write8(out + i, c.read8(p + i));
    if (c.al() == 0x00) {
        if (emulated_media(c) == et::kHardDisk)
            c.write8(bda::kHardDiskCount, uint8_t(c.read8(bda::kHardDiskCount) - 1));
        c.write8(bda::kEbdaCdEmulating, 0);
    }
    finish(0);
}

}  // namespace sandpc
