// INT 13h: floppy and hard disk services, CHS and EDD (41h-48h) forms; the
// CD-ROM drive and El Torito's 4Bh are in bios_cdrom.cpp.
#include <algorithm>
#include <vector>

#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/el_torito.h"
#include "bios/int13_status.h"
#include "devices/floppy/floppy_geometry.h"

namespace sandpc {

using namespace int13_status;

DiskGeometry hard_disk_geometry(uint64_t bytes) {
    uint64_t sectors = bytes / 512;
    DiskGeometry g{0, 16, 63};
    // LBA-assisted translation: double the heads until the cylinders fit 1024.
    while (sectors / (uint64_t(g.heads) * g.sectors) > 1024 && g.heads < 255)
        g.heads = g.heads == 128 ? 255 : g.heads * 2;
    uint64_t cyl = sectors / (uint64_t(g.heads) * g.sectors);
    g.cylinders = static_cast<uint32_t>(std::clamp<uint64_t>(cyl, 1, 1024));
    return g;
}

BlockBackend* Bios::drive(BiosCall& c, uint8_t dl, bool& is_floppy,
                          std::optional<WindowBackend>& image) {
    is_floppy = dl < 0x80;
    uint8_t media = emulated_media(c);
    if (is_floppy ? el_torito::is_floppy(media) : media == el_torito::kHardDisk) {
        // The CD's image is drive 00h (80h); the real drives of its kind move
        // up one, and the second floppy is hidden.
        if (dl == (is_floppy ? 0x00 : 0x80)) {
            DiskGeometry g = emulated_geometry(c);
            uint32_t lba = c.read32(bda::kEbdaCdPacket + el_torito::packet::kImageLba);
            image.emplace(*host_.cdrom(), uint64_t(lba) * el_torito::kCdSectorSize,
                          uint64_t(g.cylinders) * g.heads * g.sectors * 512);
            return &*image;
        }
        if (is_floppy) return dl == 1 ? host_.floppy(0) : nullptr;
        return dl < 0x85 ? host_.hard_disk(dl - 0x81) : nullptr;
    }
    if (is_floppy) return dl < 2 ? host_.floppy(dl) : nullptr;
    return dl < 0x84 ? host_.hard_disk(dl - 0x80) : nullptr;
}

unsigned Bios::floppy_count(BiosCall& c) {
    unsigned real = (host_.floppy(0) ? 1 : 0) + (host_.floppy(1) ? 1 : 0);
    return el_torito::is_floppy(emulated_media(c)) ? std::min(real + 1, 2u) : real;
}

void Bios::disk(BiosCall& c) {
    if (c.ah() == 0x4B) {
        cdrom_emulation(c);
        return;
    }
    if (BlockBackend* cd = host_.cdrom(); cd && c.dl() == kCdromDrive) {
        cdrom_disk(c, *cd);
        return;
    }
    bool is_floppy = false;
    std::optional<WindowBackend> image;
    BlockBackend* d = drive(c, c.dl(), is_floppy, image);
    uint32_t status_at = is_floppy ? bda::kFloppyStatus : bda::kDiskStatus;
    auto finish = [&](uint8_t code) {
        c.write8(status_at, code);
        c.status(code);
    };
    uint8_t fn = c.ah();
    if (fn == 0x01) {  // last status
        uint8_t last = c.read8(status_at);
        c.set_ah(last);
        c.set_cf(last != 0);
        return;
    }
    if (fn == 0x08 && !is_floppy && !d) {
        c.set_dl(c.read8(bda::kHardDiskCount));
        finish(kBadCommand);
        return;
    }
    if (!d) {
        finish(is_floppy ? kTimeout : kBadCommand);
        return;
    }
    DiskGeometry g;
    uint8_t cmos_type = 0;
    if (is_floppy) {
        if (auto f = floppy_geometry_for_size(d->size())) {
            g = {f->cylinders, f->heads, f->sectors_per_track};
            cmos_type = static_cast<uint8_t>(f->natural_drive);
        } else {
            g = {80, 2, 18};
        }
    } else {
        g = image ? emulated_geometry(c) : hard_disk_geometry(d->size());
    }
    uint64_t total = d->size() / 512;

    switch (fn) {
        case 0x00:
        case 0x0D:
        case 0x0C:
        case 0x10:
        case 0x11:
        case 0x14: finish(0); return;
        case 0x02:
        case 0x03:
        case 0x04:
        case 0x05: {
            unsigned count = fn == 0x05 ? g.sectors : c.al();
            unsigned cyl = c.ch() | (unsigned(c.cl() & 0xC0) << 2);
            unsigned sector = c.cl() & 0x3F;
            unsigned head = c.dh();
            if (fn != 0x05 && (count == 0 || sector == 0 || sector > g.sectors)) {
                c.set_al(0);
                finish(sector == 0 || sector > g.sectors ? kSectorNotFound : kBadCommand);
                return;
            }
            if (fn == 0x05) sector = 1;
            uint64_t lba = (uint64_t(cyl) * g.heads + head) * g.sectors + (sector - 1);
            if (head >= g.heads || cyl >= g.cylinders + (is_floppy ? 0 : 1) ||
                lba + count > total) {
                c.set_al(0);
                finish(kSectorNotFound);
                return;
            }
            if ((fn == 0x03 || fn == 0x05) && d->read_only()) {
                c.set_al(0);
                finish(kWriteProtected);
                return;
            }
            std::vector<uint8_t> buf(size_t(count) * 512);
            uint32_t addr = c.linear(ES, c.bx());
            try {
                if (fn == 0x02) {
                    d->read(lba * 512, buf);
                    c.write_block(addr, buf);
                } else if (fn == 0x03) {
                    c.read_block(addr, buf);
                    d->write(lba * 512, buf);
                } else if (fn == 0x05) {
                    std::fill(buf.begin(), buf.end(), 0xF6);
                    d->write(lba * 512, buf);
                }
            } catch (const BlockError&) {
                c.set_al(0);
                finish(fn == 0x02 ? kReadError : kWriteProtected);
                return;
            }
            if (fn != 0x05) c.set_al(uint8_t(count));
            finish(0);
            return;
        }
        case 0x08: {
            unsigned max_cyl = std::min(g.cylinders, 1024u) - 1;
            c.set_ch(uint8_t(max_cyl));
            c.set_cl(uint8_t((g.sectors & 0x3F) | ((max_cyl >> 2) & 0xC0)));
            c.set_dh(uint8_t(g.heads - 1));
            if (is_floppy) {
                c.set_bl(cmos_type);
                c.set_dl(uint8_t(floppy_count(c)));
                c.set_segment(ES, BiosRom::kSegment);
                c.set_di(rom_.floppy_params(cmos_type));
            } else {
                c.set_dl(c.read8(bda::kHardDiskCount));
            }
            c.set_al(0);
            finish(0);
            return;
        }
        case 0x15:
            if (is_floppy) {
                c.set_ah(0x02);  // change line supported
            } else {
                uint32_t sectors = g.cylinders * g.heads * g.sectors;
                c.set_ah(0x03);
                c.set_cx(uint16_t(sectors >> 16));
                c.set_dx(uint16_t(sectors));
            }
            c.set_cf(false);
            return;
        case 0x16: finish(0); return;  // media not changed
        case 0x17: finish(0); return;
        case 0x18:
            c.set_segment(ES, BiosRom::kSegment);
            c.set_di(rom_.floppy_params(cmos_type));
            finish(0);
            return;
        case 0x41:
        case 0x42:
        case 0x43:
        case 0x44:
        case 0x47:
        case 0x48:
            if (is_floppy) {
                finish(kBadCommand);
                return;
            }
            disk_extended(c, d, status_at, 512, &g);
            return;
        default: finish(kBadCommand); return;
    }
}

void Bios::disk_extended(BiosCall& c, BlockBackend* d, uint32_t status_at, uint32_t sector_bytes,
                         const DiskGeometry* chs) {
    auto finish = [&](uint8_t code) {
        c.write8(status_at, code);
        c.status(code);
    };
    uint64_t total = d->size() / sector_bytes;
    uint32_t packet = c.linear(DS, c.si());
    switch (c.ah()) {
        case 0x41:
            if (c.bx() != 0x55AA) {
                finish(kBadCommand);
                return;
            }
            c.set_bx(0xAA55);
            c.set_cx(0x0001);  // fixed disk access subset (42h-44h, 47h, 48h)
            c.set_ah(0x30);    // EDD 3.0
            c.set_cf(false);
            return;
        case 0x42:
        case 0x43:
        case 0x44:
        case 0x47: {
            uint8_t size = c.read8(packet);
            if (size < 0x10) {
                finish(kBadCommand);
                return;
            }
            uint16_t count = c.read16(packet + 2);
            uint32_t buffer = BiosCall::real_linear(c.read16(packet + 6), c.read16(packet + 4));
            if (size >= 0x18 && c.read32(packet + 4) == 0xFFFFFFFF)
                buffer = c.read32(packet + 0x10);  // 64-bit flat address (low half)
            uint64_t lba = uint64_t(c.read32(packet + 8)) | uint64_t(c.read32(packet + 12)) << 32;
            if (c.ah() == 0x43 && d->read_only()) {
                c.write16(packet + 2, 0);
                finish(kWriteProtected);
                return;
            }
            // Blocks up to the end of the medium move; the count in the
            // packet says how many did.
            uint16_t fits = uint16_t(lba >= total ? 0 : std::min<uint64_t>(count, total - lba));
            uint8_t error = fits < count ? kSectorNotFound : 0;
            uint16_t done = fits;
            if (c.ah() == 0x42 || c.ah() == 0x43) {
                std::vector<uint8_t> block(sector_bytes);
                for (done = 0; done < fits; ++done) {
                    uint64_t at = (lba + done) * sector_bytes;
                    uint32_t to = buffer + uint32_t(done) * sector_bytes;
                    try {
                        if (c.ah() == 0x42) {
                            d->read(at, block);
                            c.write_block(to, block);
                        } else {
                            c.read_block(to, block);
                            d->write(at, block);
                        }
                    } catch (const BlockError&) {
                        error = c.ah() == 0x42 ? kReadError : kWriteProtected;
                        break;
                    }
                }
            }
            if (done != count) c.write16(packet + 2, done);
            finish(error);
            return;
        }
        case 0x48: {
            uint16_t size = c.read16(packet);
            if (size < 0x1A) {
                finish(kBadCommand);
                return;
            }
            if (chs) {
                c.write16(packet + 2, 0x0002);  // CHS information valid
                c.write32(packet + 4, chs->cylinders);
                c.write32(packet + 8, chs->heads);
                c.write32(packet + 12, chs->sectors);
            } else {
                c.write16(packet + 2, 0x0014);  // removable, change line; no CHS
                c.write32(packet + 4, 0);
                c.write32(packet + 8, 0);
                c.write32(packet + 12, 0);
            }
            c.write32(packet + 16, uint32_t(total));
            c.write32(packet + 20, uint32_t(total >> 32));
            c.write16(packet + 24, uint16_t(sector_bytes));
            if (size >= 0x1E) {
                c.write32(packet + 26, 0xFFFFFFFF);  // no EDD configuration parameters
                c.write16(packet, 0x1E);
            } else {
                c.write16(packet, 0x1A);
            }
            finish(0);
            return;
        }
        default: finish(kBadCommand); return;
    }
}

}  // namespace sandpc
