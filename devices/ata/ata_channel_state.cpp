// Channel state: one section per channel ("ata0", "ata1"). Media are not
// saved; load() checks that the attached devices match the saved ones and
// that every saved transfer position fits the buffers and the media.
#include "devices/ata/ata_drive.h"

namespace sandpc {

namespace {
constexpr uint32_t kStateVersion = 1;
constexpr uint8_t kLastPhase = 4;
constexpr uint8_t kLastPending = 7;
constexpr uint8_t kLastTransfer = 4;
}  // namespace

void AtaChannel::save_drive(StateWriter& w, const Drive& d) const {
    w.u8(static_cast<uint8_t>(d.kind));
    w.u64(disk_sectors(d));
    for (uint8_t v : {d.feature, d.nsector, d.sector, d.lcyl, d.hcyl, d.hob_feature, d.hob_nsector,
                      d.hob_sector, d.hob_lcyl, d.hob_hcyl, d.select, d.status, d.error, d.command})
        w.u8(v);
    w.boolean(d.irq_pending);
    w.u32(d.translation.cylinders);
    w.u32(d.translation.heads);
    w.u32(d.translation.sectors);
    w.u32(d.multiple_sectors);
    w.u8(d.transfer_mode);
    w.boolean(d.write_cache);
    w.u8(static_cast<uint8_t>(d.phase));
    w.u8(static_cast<uint8_t>(d.pending));
    w.u64(d.timer.deadline());
    w.u8(static_cast<uint8_t>(d.transfer));
    w.u32(d.buffer_pos);
    w.u32(d.buffer_end);
    w.bytes(std::span(d.buffer.data(), d.buffer_end));
    w.u64(d.lba);
    w.u64(d.sectors_left);
    w.u32(d.block_sectors);
    w.boolean(d.lba48);
    w.boolean(d.dma);
    w.u32(static_cast<uint32_t>(d.reply.size()));
    w.bytes(d.reply);
    w.u32(d.reply_pos);
    w.u64(d.medium_offset);
    w.u64(d.medium_left);
    w.u32(d.byte_limit);
    d.cdrom.save(w);
}

void AtaChannel::save(StateWriter& w) const {
    w.begin_section(name_, kStateVersion);
    for (const auto& d : drives_) save_drive(w, *d);
    w.u8(device_control_);
    w.u8(bm_command_);
    w.u8(bm_status_);
    w.u32(bm_prd_address_);
    w.end_section();
}

namespace {
[[noreturn]] void refuse(const std::string& name, const std::string& what) {
    throw StateError("state: " + name + ": " + what);
}
}  // namespace

// Reads into a scratch drive first so a refused state leaves `d` untouched.
void AtaChannel::load_drive(StateReader& r, Drive& d) {
    std::string who = name_ + (d.unit ? " slave" : " master");
    auto kind = r.u8();
    uint64_t sectors = r.u64();
    if (kind != static_cast<uint8_t>(d.kind))
        refuse(who, "saved device kind differs from the attached device");
    if (d.kind == AtaDeviceKind::kDisk && sectors != disk_sectors(d))
        refuse(who, "saved disk size differs from the attached medium");
    uint8_t regs[14];
    for (uint8_t& v : regs) v = r.u8();
    bool irq_pending = r.boolean();
    ata::ChsGeometry translation{r.u32(), r.u32(), r.u32()};
    uint32_t multiple = r.u32();
    uint8_t transfer_mode = r.u8();
    bool write_cache = r.boolean();
    uint8_t phase = r.u8();
    uint8_t pending = r.u8();
    uint64_t deadline = r.u64();
    uint8_t transfer = r.u8();
    uint32_t buffer_pos = r.u32();
    uint32_t buffer_end = r.u32();
    if (phase > kLastPhase || pending > kLastPending || transfer > kLastTransfer)
        refuse(who, "bad transfer phase");
    if (buffer_end > kBufferSize || buffer_pos > buffer_end || (buffer_pos & 1))
        refuse(who, "buffer position out of range");
    std::vector<uint8_t> buffer(kBufferSize);
    r.bytes(std::span(buffer.data(), buffer_end));
    uint64_t lba = r.u64();
    uint64_t sectors_left = r.u64();
    uint32_t block_sectors = r.u32();
    bool lba48 = r.boolean();
    bool dma = r.boolean();
    uint32_t reply_size = r.u32();
    if (reply_size > 0x10000) refuse(who, "ATAPI reply too long");
    std::vector<uint8_t> reply(reply_size);
    r.bytes(reply);
    uint32_t reply_pos = r.u32();
    uint64_t medium_offset = r.u64();
    uint64_t medium_left = r.u64();
    uint32_t byte_limit = r.u32();
    AtapiCdrom cdrom_state;
    cdrom_state.load(r);

    bool no_translation = d.kind != AtaDeviceKind::kDisk && translation.capacity() == 0;
    if (!no_translation &&
        (translation.heads < 1 || translation.heads > 16 || translation.sectors < 1 ||
         translation.sectors > 255 || translation.cylinders > 65535))
        refuse(who, "bad CHS translation");
    if (multiple != 0 && (multiple > ata::kMaxMultipleSectors || (multiple & (multiple - 1))))
        refuse(who, "bad multiple sector count");
    if (block_sectors < 1 || block_sectors > ata::kMaxMultipleSectors)
        refuse(who, "bad block size");
    if (lba > disk_sectors(d) || sectors_left > disk_sectors(d) - lba)
        refuse(who, "transfer runs past the disk");
    if (reply_pos > reply.size()) refuse(who, "ATAPI reply position out of range");
    uint64_t medium_size = d.cdrom.has_medium() ? d.cdrom.blocks() * AtapiCdrom::kBlockSize : 0;
    if (medium_offset > medium_size || medium_left > medium_size - medium_offset)
        refuse(who, "ATAPI transfer runs past the medium");
    auto t = static_cast<Transfer>(transfer);
    if ((t == Transfer::kDiskRead || t == Transfer::kDiskWrite) && d.kind != AtaDeviceKind::kDisk)
        refuse(who, "disk transfer on a non-disk device");
    if (d.kind == AtaDeviceKind::kNone && (phase != 0 || pending != 0))
        refuse(who, "command in progress on an absent device");
    if (t == Transfer::kAtapi && d.kind != AtaDeviceKind::kCdrom)
        refuse(who, "ATAPI transfer on a non-ATAPI device");

    d.feature = regs[0];
    d.nsector = regs[1];
    d.sector = regs[2];
    d.lcyl = regs[3];
    d.hcyl = regs[4];
    d.hob_feature = regs[5];
    d.hob_nsector = regs[6];
    d.hob_sector = regs[7];
    d.hob_lcyl = regs[8];
    d.hob_hcyl = regs[9];
    d.select = regs[10];
    d.status = regs[11];
    d.error = regs[12];
    d.command = regs[13];
    d.irq_pending = irq_pending;
    d.translation = translation;
    d.multiple_sectors = multiple;
    d.transfer_mode = transfer_mode;
    d.write_cache = write_cache;
    d.phase = static_cast<Phase>(phase);
    d.pending = static_cast<Pending>(pending);
    d.transfer = t;
    d.buffer = std::move(buffer);
    d.buffer_pos = buffer_pos;
    d.buffer_end = buffer_end;
    d.lba = lba;
    d.sectors_left = sectors_left;
    d.block_sectors = block_sectors;
    d.lba48 = lba48;
    d.dma = dma;
    d.reply = std::move(reply);
    d.reply_pos = reply_pos;
    d.medium_offset = medium_offset;
    d.medium_left = medium_left;
    d.byte_limit = byte_limit;
    // Sense and event state only; the medium stays attached.
    StateWriter scratch;
    cdrom_state.save(scratch);
    StateReader again(scratch.data());
    d.cdrom.load(again);
    if (d.pending == Pending::kNone) {
        d.timer.cancel();
    } else {
        d.timer.arm_at(deadline);
    }
}

void AtaChannel::load(StateReader& r) {
    r.begin_section(name_, kStateVersion);
    for (auto& d : drives_) load_drive(r, *d);
    uint8_t control = r.u8();
    uint8_t bm_command = r.u8();
    uint8_t bm_status = r.u8();
    uint32_t prd = r.u32();
    r.end_section();
    device_control_ = control;
    bm_command_ = bm_command & 0x09;
    bm_status_ = bm_status & 0x67;
    bm_prd_address_ = prd & ~3u;
    update_irq();
}

}  // namespace sandpc
