// Command execution: the ATA command set for disks, the ATA commands an
// ATAPI device accepts, and the PIO data phases of both.
#include <algorithm>

#include "devices/ata/ata_drive.h"

namespace sandpc {

using namespace ata;

namespace {
constexpr uint8_t kReady = kStatusDrdy | kStatusDsc;

bool is_power_of_two_up_to(uint32_t v, uint32_t max) {
    return v && v <= max && !(v & (v - 1));
}
}  // namespace

void AtaChannel::start_command(Drive& d, uint8_t command) {
    d.command = command;
    d.irq_pending = false;
    update_irq();
    d.timer.cancel();
    d.pending = Pending::kNone;
    d.phase = Phase::kIdle;
    d.transfer = Transfer::kNone;
    d.dma = false;
    if (d.kind == AtaDeviceKind::kCdrom && command == kCmdDeviceReset) {
        set_signature(d);  // no interrupt
        d.cdrom.reset();
        return;
    }
    d.error = 0;
    if (d.kind == AtaDeviceKind::kCdrom && command == kCmdPacket) {
        d.dma = d.feature & 0x01;
        if (d.dma && !dma_possible()) return abort_command(d);
        d.byte_limit = static_cast<uint32_t>(d.lcyl | d.hcyl << 8);
        d.nsector = static_cast<uint8_t>((d.nsector & ~0x07) | kReasonCod);
        d.phase = Phase::kPacket;
        d.buffer_pos = 0;
        d.buffer_end = AtapiCdrom::kPacketSize;
        d.status = kStatusDrdy | kStatusDrq;
        return;
    }
    arm(d, Pending::kExecute, kCommandDelayNs);
}

void AtaChannel::execute(Drive& d) {
    d.status = kReady;
    if (execute_common(d)) return;
    if (d.kind == AtaDeviceKind::kDisk && execute_disk(d)) return;
    if (d.kind == AtaDeviceKind::kCdrom) {
        if (d.command == kCmdIdentifyPacket) {
            return send_identify(d, identify_packet_device({dma_possible(), d.transfer_mode}));
        }
        if (d.command == kCmdIdentify) set_signature(d);  // tells the driver to use A1h
    }
    abort_command(d);
}

void AtaChannel::finish(Drive& d) {
    d.status = kReady;
    d.phase = Phase::kIdle;
    d.transfer = Transfer::kNone;
    interrupt(d);
}

void AtaChannel::abort_command(Drive& d, uint8_t error) {
    d.error = error;
    d.status = kStatusDrdy | kStatusErr;
    d.phase = Phase::kIdle;
    d.transfer = Transfer::kNone;
    d.dma = false;
    if (d.kind == AtaDeviceKind::kCdrom) {
        d.nsector = static_cast<uint8_t>((d.nsector & ~0x07) | kReasonIo | kReasonCod);
    }
    interrupt(d);
}

// Commands both device kinds accept.
bool AtaChannel::execute_common(Drive& d) {
    switch (d.command) {
        case kCmdExecuteDiagnostic:
            for (auto& other : drives_) {
                other->timer.cancel();
                other->pending = Pending::kNone;
                other->select &= static_cast<uint8_t>(~kDeviceDev);
                set_signature(*other);
            }
            interrupt(*drives_[0]);
            return true;
        case kCmdSetFeatures: {
            uint8_t mode = d.nsector;
            switch (d.feature) {
                case 0x03: {
                    bool pio = mode <= 0x01 || (mode >= 0x08 && mode <= 0x0C);
                    bool mwdma = mode >= 0x20 && mode <= 0x22;
                    bool udma = mode >= 0x40 && mode <= 0x45;
                    if (!pio && !((mwdma || udma) && dma_possible())) return false;
                    if (mwdma || udma) d.transfer_mode = mode;
                    break;
                }
                case 0x02: d.write_cache = true; break;
                case 0x82: d.write_cache = false; break;
                case 0x55:
                case 0xAA:
                case 0x66:
                case 0xCC: break;  // look-ahead and revert-to-defaults: nothing to change
                default: return false;
            }
            finish(d);
            return true;
        }
        case kCmdCheckPowerMode:
            d.nsector = 0xFF;  // active or idle
            finish(d);
            return true;
        case kCmdStandbyImmediate:
        case kCmdIdleImmediate:
        case kCmdStandby:
        case kCmdIdle:
        case kCmdSleep: finish(d); return true;
        default: return false;
    }
}

bool AtaChannel::execute_disk(Drive& d) {
    uint8_t c = d.command;
    if ((c & 0xF0) == kCmdRecalibrate) {
        finish(d);
        return true;
    }
    switch (c) {
        case kCmdIdentify: send_identify(d, identify_disk(disk_identity(d))); return true;
        case kCmdReadSectors:
        case kCmdReadSectorsNoRetry:
            start_disk_transfer(d, false, false, false, false);
            return true;
        case kCmdReadSectorsExt: start_disk_transfer(d, false, false, true, false); return true;
        case kCmdReadMultiple: start_disk_transfer(d, false, true, false, false); return true;
        case kCmdReadMultipleExt: start_disk_transfer(d, false, true, true, false); return true;
        case kCmdWriteSectors:
        case kCmdWriteSectorsNoRetry:
            start_disk_transfer(d, true, false, false, false);
            return true;
        case kCmdWriteSectorsExt: start_disk_transfer(d, true, false, true, false); return true;
        case kCmdWriteMultiple: start_disk_transfer(d, true, true, false, false); return true;
        case kCmdWriteMultipleExt: start_disk_transfer(d, true, true, true, false); return true;
        case kCmdReadVerify:
        case kCmdReadVerifyNoRetry: read_verify(d, false); return true;
        case kCmdReadVerifyExt: read_verify(d, true); return true;
        case kCmdSeek: seek(d); return true;
        case kCmdReadDma:
        case kCmdReadDmaNoRetry:
        case kCmdReadDmaExt:
        case kCmdWriteDma:
        case kCmdWriteDmaNoRetry:
        case kCmdWriteDmaExt:
            if (!dma_possible()) return false;
            start_disk_transfer(
                d, c == kCmdWriteDma || c == kCmdWriteDmaNoRetry || c == kCmdWriteDmaExt, false,
                c == kCmdReadDmaExt || c == kCmdWriteDmaExt, true);
            return true;
        case kCmdSetMultiple:
            if (d.nsector != 0 && !is_power_of_two_up_to(d.nsector, kMaxMultipleSectors))
                return false;
            d.multiple_sectors = d.nsector;
            finish(d);
            return true;
        case kCmdInitializeParameters: {
            uint32_t heads = (d.select & 0x0F) + 1u;
            uint32_t sectors = d.nsector;
            if (sectors == 0) return false;
            uint64_t cylinders = disk_sectors(d) / (heads * sectors);
            d.translation = {static_cast<uint32_t>(std::min<uint64_t>(cylinders, 65535)), heads,
                             sectors};
            finish(d);
            return true;
        }
        case kCmdFlushCache:
        case kCmdFlushCacheExt:
            try {
                if (d.disk) d.disk->flush();
            } catch (const BlockError&) {
                abort_command(d);
                return true;
            }
            finish(d);
            return true;
        default: return false;
    }
}

ata::DiskIdentity AtaChannel::disk_identity(const Drive& d) const {
    return {disk_sectors(d), d.translation,   d.multiple_sectors,
            dma_possible(),  d.transfer_mode, d.write_cache};
}

void AtaChannel::send_identify(Drive& d, const IdentifyBlock& block) {
    for (size_t i = 0; i < block.size(); ++i) {
        d.buffer[2 * i] = static_cast<uint8_t>(block[i]);
        d.buffer[2 * i + 1] = static_cast<uint8_t>(block[i] >> 8);
    }
    d.buffer_pos = 0;
    d.buffer_end = 512;
    d.transfer = Transfer::kIdentify;
    d.phase = Phase::kDataIn;
    d.status = kReady | kStatusDrq;
    interrupt(d);
}

// CHS, LBA28 or LBA48 address and count from the task file; false when the
// address is invalid or the range runs past the medium.
bool AtaChannel::decode_address(Drive& d, bool lba48, uint64_t& lba, uint64_t& count) {
    if (lba48) {
        lba = uint64_t{d.hob_hcyl} << 40 | uint64_t{d.hob_lcyl} << 32 |
              uint64_t{d.hob_sector} << 24 | uint64_t{d.hcyl} << 16 | uint64_t{d.lcyl} << 8 |
              d.sector;
        count = uint64_t{d.hob_nsector} << 8 | d.nsector;
        if (count == 0) count = 65536;
    } else {
        count = d.nsector ? d.nsector : 256;
        if (d.select & kDeviceLba) {
            lba = uint64_t{d.select & 0x0Fu} << 24 | uint64_t{d.hcyl} << 16 |
                  uint64_t{d.lcyl} << 8 | d.sector;
        } else {
            const ChsGeometry& g = d.translation;
            uint32_t cylinder = d.hcyl << 8 | d.lcyl;
            uint32_t head = d.select & 0x0F;
            if (d.sector == 0 || d.sector > g.sectors || head >= g.heads) return false;
            lba = (uint64_t{cylinder} * g.heads + head) * g.sectors + d.sector - 1;
        }
    }
    return lba < disk_sectors(d) && count <= disk_sectors(d) - lba;
}

// After each block the task file holds the address of the last sector moved.
void AtaChannel::set_address(Drive& d, uint64_t lba) {
    if (d.lba48) {
        d.sector = static_cast<uint8_t>(lba);
        d.lcyl = static_cast<uint8_t>(lba >> 8);
        d.hcyl = static_cast<uint8_t>(lba >> 16);
        d.hob_sector = static_cast<uint8_t>(lba >> 24);
        d.hob_lcyl = static_cast<uint8_t>(lba >> 32);
        d.hob_hcyl = static_cast<uint8_t>(lba >> 40);
    } else if (d.select & kDeviceLba) {
        d.sector = static_cast<uint8_t>(lba);
        d.lcyl = static_cast<uint8_t>(lba >> 8);
        d.hcyl = static_cast<uint8_t>(lba >> 16);
        d.select = static_cast<uint8_t>((d.select & 0xF0) | ((lba >> 24) & 0x0F));
    } else {
        const ChsGeometry& g = d.translation;
        uint64_t track = lba / g.sectors;
        uint64_t cylinder = track / g.heads;
        d.sector = static_cast<uint8_t>(lba % g.sectors + 1);
        d.lcyl = static_cast<uint8_t>(cylinder);
        d.hcyl = static_cast<uint8_t>(cylinder >> 8);
        d.select = static_cast<uint8_t>((d.select & 0xF0) | (track % g.heads));
    }
}

void AtaChannel::start_disk_transfer(Drive& d, bool write, bool multiple, bool lba48, bool dma) {
    if (multiple && d.multiple_sectors == 0) return abort_command(d);
    d.lba48 = lba48;
    uint64_t lba = 0, count = 0;
    if (!decode_address(d, lba48, lba, count)) return abort_command(d, kErrorIdnf);
    if (write && (!d.disk || d.disk->read_only())) return abort_command(d);
    d.lba = lba;
    d.sectors_left = count;
    d.block_sectors = multiple ? d.multiple_sectors : 1;
    d.transfer = write ? Transfer::kDiskWrite : Transfer::kDiskRead;
    d.dma = dma;
    if (dma) {
        d.phase = Phase::kDma;
        d.status = kStatusBsy | kStatusDrdy;
        if (bm_command_ & 0x01) arm(d, Pending::kDmaRun, kBlockDelayNs);
        return;
    }
    if (!write) return disk_next_block(d);
    d.buffer_pos = 0;
    d.buffer_end = static_cast<uint32_t>(std::min<uint64_t>(count, d.block_sectors) * kSectorSize);
    d.phase = Phase::kDataOut;
    d.status = kReady | kStatusDrq;  // the first block is requested without an interrupt
}

void AtaChannel::read_verify(Drive& d, bool lba48) {
    d.lba48 = lba48;
    uint64_t lba = 0, count = 0;
    if (!decode_address(d, lba48, lba, count)) return abort_command(d, kErrorIdnf);
    set_address(d, lba + count - 1);
    finish(d);
}

void AtaChannel::seek(Drive& d) {
    d.lba48 = false;
    uint64_t lba = 0, count = 0;
    d.nsector = 1;  // a seek addresses one sector
    if (!decode_address(d, false, lba, count)) return abort_command(d, kErrorIdnf);
    finish(d);
}

void AtaChannel::disk_next_block(Drive& d) {
    uint64_t n = std::min<uint64_t>(d.sectors_left, d.block_sectors);
    auto bytes = static_cast<uint32_t>(n * kSectorSize);
    try {
        d.disk->read_sectors(d.lba, std::span(d.buffer.data(), bytes));
    } catch (const BlockError&) {
        set_address(d, d.lba);
        return abort_command(d, kErrorUnc);
    }
    d.lba += n;
    d.sectors_left -= n;
    set_address(d, d.lba - 1);
    d.buffer_pos = 0;
    d.buffer_end = bytes;
    d.phase = Phase::kDataIn;
    d.status = kReady | kStatusDrq;
    interrupt(d);
}

void AtaChannel::disk_commit_block(Drive& d) {
    uint64_t n = d.buffer_end / kSectorSize;
    try {
        d.disk->write_sectors(d.lba, std::span<const uint8_t>(d.buffer.data(), d.buffer_end));
    } catch (const BlockError&) {
        set_address(d, d.lba);
        return abort_command(d);
    }
    d.lba += n;
    d.sectors_left -= n;
    set_address(d, d.lba - 1);
    if (d.sectors_left == 0) return finish(d);
    d.buffer_pos = 0;
    d.buffer_end =
        static_cast<uint32_t>(std::min<uint64_t>(d.sectors_left, d.block_sectors) * kSectorSize);
    d.phase = Phase::kDataOut;
    d.status = kReady | kStatusDrq;
    interrupt(d);
}

void AtaChannel::block_transferred(Drive& d) {
    switch (d.phase == Phase::kPacket ? Transfer::kNone : d.transfer) {
        case Transfer::kNone:  // the packet has arrived
            arm(d, Pending::kPacketCommand, kCommandDelayNs);
            break;
        case Transfer::kIdentify:
            d.phase = Phase::kIdle;
            d.transfer = Transfer::kNone;
            d.status = kReady;
            break;
        case Transfer::kDiskRead:
            if (d.sectors_left) {
                arm(d, Pending::kNextBlock, kBlockDelayNs);
            } else {
                d.phase = Phase::kIdle;
                d.transfer = Transfer::kNone;
                d.status = kReady;
            }
            break;
        case Transfer::kDiskWrite: arm(d, Pending::kCommit, kBlockDelayNs); break;
        case Transfer::kAtapi: {
            bool more = d.medium_left || d.reply_pos < d.reply.size();
            arm(d, more ? Pending::kNextBlock : Pending::kComplete, kBlockDelayNs);
            break;
        }
    }
}

void AtaChannel::execute_packet(Drive& d) {
    std::array<uint8_t, AtapiCdrom::kPacketSize> cdb;
    std::copy_n(d.buffer.begin(), cdb.size(), cdb.begin());
    AtapiCdrom::Result result = d.cdrom.execute(cdb);
    if (!result.ok) return atapi_fail(d);
    d.reply = std::move(result.data);
    d.reply_pos = 0;
    d.medium_offset = result.medium_offset;
    d.medium_left = result.medium_bytes;
    d.transfer = Transfer::kAtapi;
    if (d.reply.empty() && d.medium_left == 0) return atapi_complete(d);
    if (d.dma) {
        d.phase = Phase::kDma;
        d.status = kStatusBsy | kStatusDrdy;
        if (bm_command_ & 0x01) arm(d, Pending::kDmaRun, kBlockDelayNs);
        return;
    }
    atapi_next_block(d);
}

void AtaChannel::atapi_next_block(Drive& d) {
    // The byte count limit, even, 0 meaning the largest.
    uint32_t limit = d.byte_limit & ~1u;
    if (limit == 0) limit = 0xFFFE;
    uint64_t remaining = d.medium_left ? d.medium_left : d.reply.size() - d.reply_pos;
    auto n = static_cast<uint32_t>(std::min<uint64_t>({remaining, limit, kBufferSize}));
    if (d.medium_left) {
        try {
            d.cdrom.read_medium(d.medium_offset, std::span(d.buffer.data(), n));
        } catch (const BlockError&) {
            d.cdrom.report_read_error();
            return atapi_fail(d);
        }
        d.medium_offset += n;
        d.medium_left -= n;
    } else {
        std::copy_n(d.reply.begin() + d.reply_pos, n, d.buffer.begin());
        d.reply_pos += n;
    }
    d.buffer_pos = 0;
    d.buffer_end = n;
    d.lcyl = static_cast<uint8_t>(n);
    d.hcyl = static_cast<uint8_t>(n >> 8);
    d.nsector = static_cast<uint8_t>((d.nsector & ~0x07) | kReasonIo);
    d.phase = Phase::kDataIn;
    d.status = kReady | kStatusDrq;
    interrupt(d);
}

void AtaChannel::atapi_complete(Drive& d) {
    d.error = 0;
    d.nsector = static_cast<uint8_t>((d.nsector & ~0x07) | kReasonIo | kReasonCod);
    d.reply.clear();
    d.reply_pos = 0;
    d.medium_left = 0;
    finish(d);
}

// CHECK CONDITION: the sense key goes to the error register's upper nibble.
void AtaChannel::atapi_fail(Drive& d) {
    d.reply.clear();
    d.reply_pos = 0;
    d.medium_left = 0;
    abort_command(d, static_cast<uint8_t>(d.cdrom.sense().key << 4));
}

}  // namespace sandpc
