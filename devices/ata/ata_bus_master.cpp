// PIIX-compatible bus-master IDE for one channel: command (start, read =
// write to memory), status (active, error and interrupt write-1-to-clear,
// drive DMA-capable bits), and the PRD table address. The transfer runs as
// one step: it walks the PRD table (8-byte entries: address, byte count
// with 0 meaning 64 KiB, end-of-table in bit 15 of the last word).
#include <algorithm>

#include "devices/ata/ata_drive.h"

namespace sandpc {

using namespace ata;

namespace {
constexpr uint8_t kBmStart = 0x01;
constexpr uint8_t kBmReadFromDevice = 0x08;
constexpr uint8_t kBmActive = 0x01;
constexpr uint8_t kBmError = 0x02;
constexpr uint8_t kBmInterrupt = 0x04;
constexpr uint32_t kMaxPrdEntries = 65536 / 8;  // a table may not cross 64 KiB
}  // namespace

void AtaChannel::set_bus_master_base(uint16_t base) {
    bus_master_ports_.reset();
    bm_base_ = base;
    if (base == 0) return;
    IoPortHandlers h;
    h.read8 = [this](uint16_t port) { return read_bus_master(port - bm_base_); };
    h.write8 = [this](uint16_t port, uint8_t v) { write_bus_master(port - bm_base_, v); };
    bus_master_ports_ = bus_.map(base, 8, std::move(h));
}

uint8_t AtaChannel::read_bus_master(unsigned offset) {
    switch (offset) {
        case 0: return bm_command_;
        case 2: return bm_status_;
        case 4:
        case 5:
        case 6:
        case 7: return static_cast<uint8_t>(bm_prd_address_ >> 8 * (offset - 4));
        default: return 0;
    }
}

void AtaChannel::write_bus_master(unsigned offset, uint8_t value) {
    switch (offset) {
        case 0: {
            bool starting = (value & kBmStart) && !(bm_command_ & kBmStart);
            bm_command_ = value & (kBmStart | kBmReadFromDevice);
            if (!(value & kBmStart)) {
                bm_status_ &= static_cast<uint8_t>(~kBmActive);
            } else if (starting) {
                bm_status_ |= kBmActive;
                Drive& d = selected();
                if (d.phase == Phase::kDma && d.pending == Pending::kNone)
                    arm(d, Pending::kDmaRun, kBlockDelayNs);
            }
            break;
        }
        case 2:
            bm_status_ = static_cast<uint8_t>((bm_status_ & kBmActive) |
                                              (bm_status_ & (kBmError | kBmInterrupt) & ~value) |
                                              (value & 0x60));
            break;
        case 4:
        case 5:
        case 6:
        case 7: {
            unsigned shift = 8 * (offset - 4);
            bm_prd_address_ = (bm_prd_address_ & ~(0xFFu << shift)) | uint32_t{value} << shift;
            bm_prd_address_ &= ~3u;
            break;
        }
        default: break;
    }
}

void AtaChannel::run_dma(Drive& d) {
    if (d.phase != Phase::kDma || !(bm_command_ & kBmStart)) return;
    bool to_memory = d.transfer != Transfer::kDiskWrite;
    uint64_t total = 0;
    uint64_t medium_base = 0;
    if (d.transfer == Transfer::kAtapi) {
        total = d.medium_left ? d.medium_left : d.reply.size();
        medium_base = d.medium_offset;
    } else {
        total = d.sectors_left * kSectorSize;
        medium_base = d.lba * kSectorSize;
    }
    uint64_t done = 0;
    bool io_error = false;
    bool table_ended = false;
    bool table_consumed = false;  // the end-of-table entry was used up
    for (uint32_t entry = 0; entry < kMaxPrdEntries && done < total && !io_error; ++entry) {
        uint8_t raw[8];
        memory_->read(bm_prd_address_ + entry * 8u, raw);
        uint32_t address = (raw[0] | raw[1] << 8 | raw[2] << 16 | uint32_t{raw[3]} << 24) & ~1u;
        uint32_t length = (raw[4] | raw[5] << 8) & ~1u;
        if (length == 0) length = 65536;
        table_ended = raw[7] & 0x80;
        uint32_t moved = 0;
        while (moved < length && done < total) {
            auto n = static_cast<uint32_t>(std::min<uint64_t>(length - moved, total - done));
            n = std::min(n, kBufferSize);
            std::span<uint8_t> chunk(d.buffer.data(), n);
            try {
                if (!to_memory) {
                    memory_->read(address + moved, chunk);
                    d.disk->write(medium_base + done, chunk);
                } else if (d.transfer == Transfer::kAtapi && !d.medium_left) {
                    std::copy_n(d.reply.begin() + static_cast<ptrdiff_t>(done), n, chunk.begin());
                    memory_->write(address + moved, chunk);
                } else {
                    if (d.transfer == Transfer::kAtapi) {
                        d.cdrom.read_medium(medium_base + done, chunk);
                    } else {
                        d.disk->read(medium_base + done, chunk);
                    }
                    memory_->write(address + moved, chunk);
                }
            } catch (const BlockError&) {
                io_error = true;
                break;
            }
            moved += n;
            done += n;
        }
        if (table_ended) {
            table_consumed = moved == length;
            break;
        }
    }
    d.phase = Phase::kIdle;
    bm_status_ |= kBmInterrupt;
    // A table longer than the transfer leaves the engine active, as on PIIX.
    if (done < total || table_consumed) bm_status_ &= static_cast<uint8_t>(~kBmActive);
    if (d.transfer == Transfer::kAtapi) {
        if (io_error) d.cdrom.report_read_error();
        if (io_error || done < total) {
            bm_status_ |= io_error ? 0 : kBmError;
            return atapi_fail(d);
        }
        return atapi_complete(d);
    }
    uint64_t sectors_done = done / kSectorSize;
    d.lba += sectors_done;
    d.sectors_left -= sectors_done;
    set_address(d, d.lba - (sectors_done ? 1 : 0));
    if (io_error) return abort_command(d, to_memory ? kErrorUnc : kErrorAbrt);
    if (done < total) {
        bm_status_ |= kBmError;
        return abort_command(d);
    }
    finish(d);
}

}  // namespace sandpc
