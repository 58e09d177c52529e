// Per-device state of an AtaChannel, shared by its source files.
#pragma once

#include <array>

#include "devices/ata/ata_channel.h"
#include "devices/ata/ata_defs.h"

namespace sandpc {

// What DRQ currently means for the host.
enum class AtaChannel::Phase : uint8_t { kIdle, kDataIn, kDataOut, kPacket, kDma };
// The timed step a busy device completes next.
enum class AtaChannel::Pending : uint8_t {
    kNone,
    kExecute,        // run the command in `command`
    kNextBlock,      // fetch the next block for the host
    kCommit,         // write the block the host sent
    kPacketCommand,  // run the received ATAPI packet
    kComplete,       // ATAPI command status phase
    kResetDone,      // end of software reset
    kDmaRun,         // bus master moves the data
};
// The command whose data is moving.
enum class AtaChannel::Transfer : uint8_t { kNone, kIdentify, kDiskRead, kDiskWrite, kAtapi };

struct AtaChannel::Drive {
    Drive(Scheduler& scheduler, std::string timer_name, std::function<void(uint64_t)> callback)
        : timer(scheduler, std::move(timer_name), std::move(callback)) {}

    unsigned unit = 0;
    AtaDeviceKind kind = AtaDeviceKind::kNone;
    BlockBackendPtr disk;
    AtapiCdrom cdrom;

    // Task file: current and previous ("HOB") values for LBA48.
    uint8_t feature = 0, nsector = 0, sector = 0, lcyl = 0, hcyl = 0;
    uint8_t hob_feature = 0, hob_nsector = 0, hob_sector = 0, hob_lcyl = 0, hob_hcyl = 0;
    uint8_t select = 0xA0;
    uint8_t status = 0;
    uint8_t error = 0;
    uint8_t command = 0;
    bool irq_pending = false;

    // Disk settings.
    ata::ChsGeometry translation;
    uint32_t multiple_sectors = 0;
    uint8_t transfer_mode = 0;
    bool write_cache = true;

    // The command in progress.
    Phase phase = Phase::kIdle;
    Pending pending = Pending::kNone;
    Transfer transfer = Transfer::kNone;
    std::vector<uint8_t> buffer = std::vector<uint8_t>(kBufferSize);
    uint32_t buffer_pos = 0;
    uint32_t buffer_end = 0;
    uint64_t lba = 0;            // disk: next sector
    uint64_t sectors_left = 0;   // disk: sectors after the current block
    uint32_t block_sectors = 1;  // disk: sectors per DRQ block
    bool lba48 = false;
    bool dma = false;
    // ATAPI reply: `reply` bytes from reply_pos, or medium bytes.
    std::vector<uint8_t> reply;
    uint32_t reply_pos = 0;
    uint64_t medium_offset = 0;
    uint64_t medium_left = 0;
    uint32_t byte_limit = 0;

    Timer timer;
};

}  // namespace sandpc
