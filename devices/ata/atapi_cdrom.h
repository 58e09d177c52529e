// The SCSI/MMC side of an ATAPI CD-ROM drive: interprets 12-byte command
// packets against the inserted medium (an ISO image, 2048-byte blocks) and
// keeps the sense data, unit attention, event and removal-lock state. The
// ATA transport (registers, DRQ blocks, interrupts) lives in AtaChannel.
//
// A single-session, single-track data disc is presented: track 1 starts at
// LBA 0, the lead-out follows the last block.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "devices/storage/block_backend.h"
#include "snapshot/state_stream.h"

namespace sandpc {

struct SenseData {
    uint8_t key = 0;
    uint8_t asc = 0;
    uint8_t ascq = 0;
};

namespace sense {
inline constexpr uint8_t kNoSense = 0x00;
inline constexpr uint8_t kNotReady = 0x02;
inline constexpr uint8_t kMediumError = 0x03;
inline constexpr uint8_t kIllegalRequest = 0x05;
inline constexpr uint8_t kUnitAttention = 0x06;
}  // namespace sense

class AtapiCdrom {
  public:
    static constexpr uint32_t kBlockSize = 2048;
    static constexpr size_t kPacketSize = 12;

    // What a command asks the transport to do: fail (sense is set), send
    // `data` to the host, or send `medium_bytes` read from the disc at
    // `medium_offset`.
    struct Result {
        bool ok = true;
        std::vector<uint8_t> data;
        uint64_t medium_offset = 0;
        uint64_t medium_bytes = 0;
    };

    void insert(BlockBackendPtr medium);
    BlockBackendPtr eject();
    bool has_medium() const { return medium_ != nullptr; }
    uint64_t blocks() const { return medium_ ? medium_->size() / kBlockSize : 0; }
    bool removal_prevented() const { return prevent_removal_; }
    const SenseData& sense() const { return sense_; }

    Result execute(std::span<const uint8_t, kPacketSize> cdb);
    // Reads disc bytes for a Result's medium range; throws BlockError.
    void read_medium(uint64_t offset, std::span<uint8_t> out) {
        if (!medium_) throw BlockError("CD-ROM: medium removed during a transfer");
        medium_->read(offset, out);
    }

    // The transport failed to read the disc: MEDIUM ERROR, unrecovered read error.
    void report_read_error() { sense_ = {sense::kMediumError, 0x11, 0}; }

    // Device reset: clears sense and the removal lock, keeps the medium.
    void reset();

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    enum class MediaEvent : uint8_t { kNone = 0, kNewMedia = 2, kMediaRemoval = 3 };

    Result fail(uint8_t key, uint8_t asc, uint8_t ascq = 0);
    Result reply(std::vector<uint8_t> data, uint32_t allocation_length);
    // Unit attention and medium presence checks for commands that need them.
    bool check_ready(Result& failed);

    Result request_sense(std::span<const uint8_t, kPacketSize> cdb);
    Result inquiry(std::span<const uint8_t, kPacketSize> cdb);
    Result start_stop_unit(std::span<const uint8_t, kPacketSize> cdb);
    Result read_capacity();
    Result read_blocks(uint32_t lba, uint32_t count);
    Result read_toc(std::span<const uint8_t, kPacketSize> cdb);
    Result mode_sense(std::span<const uint8_t, kPacketSize> cdb);
    Result get_configuration(std::span<const uint8_t, kPacketSize> cdb);
    Result get_event_status(std::span<const uint8_t, kPacketSize> cdb);
    Result read_disc_information(std::span<const uint8_t, kPacketSize> cdb);

    BlockBackendPtr medium_;
    SenseData sense_;
    bool unit_attention_ = false;
    bool prevent_removal_ = false;
    MediaEvent media_event_ = MediaEvent::kNone;
};

}  // namespace sandpc
