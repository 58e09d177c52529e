#include "devices/floppy/floppy_controller.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sandpc {

namespace {
// Main status register
constexpr uint8_t kMsrRqm = 0x80, kMsrDio = 0x40, kMsrNonDma = 0x20, kMsrBusy = 0x10;
// ST0 interrupt codes and bits
constexpr uint8_t kIcNormal = 0x00, kIcAbnormal = 0x40, kIcInvalid = 0x80, kIcPolling = 0xC0;
constexpr uint8_t kSt0SeekEnd = 0x20, kSt0EquipmentCheck = 0x10;
// ST1
constexpr uint8_t kSt1EndOfCylinder = 0x80, kSt1DataError = 0x20, kSt1Overrun = 0x10,
                  kSt1NoData = 0x04, kSt1NotWritable = 0x02, kSt1MissingAddressMark = 0x01;
// ST2
constexpr uint8_t kSt2WrongCylinder = 0x10, kSt2BadCylinder = 0x02;
// First command byte
constexpr uint8_t kMultiTrack = 0x80;
// CONFIGURE byte 2
constexpr uint8_t kConfigImpliedSeek = 0x40, kConfigPollingOff = 0x10;
constexpr uint8_t kDorReset = 0x04, kDorDmaGate = 0x08;
constexpr uint8_t kSectorSizeCode = 2;  // N = 2: 512-byte sectors
constexpr unsigned kRecalibrateSteps = 80;

// Opcodes (low five bits of the first command byte)
enum : uint8_t {
    kReadTrack = 0x02,
    kSpecify = 0x03,
    kSenseDriveStatus = 0x04,
    kWriteData = 0x05,
    kReadData = 0x06,
    kRecalibrate = 0x07,
    kSenseInterrupt = 0x08,
    kWriteDeletedData = 0x09,
    kReadId = 0x0A,
    kReadDeletedData = 0x0C,
    kFormatTrack = 0x0D,
    kDumpreg = 0x0E,
    kSeek = 0x0F,
    kVersion = 0x10,
    kPerpendicular = 0x12,
    kConfigure = 0x13,
    kLock = 0x14,
    kVerify = 0x16,
};

bool is_write(uint8_t op) {
    return op == kWriteData || op == kWriteDeletedData;
}

void check_drive(unsigned drive) {
    if (drive >= FloppyController::kDrives)
        throw std::invalid_argument("floppy: drive " + std::to_string(drive) + " does not exist");
}
}  // namespace

const std::array<FloppyController::CommandSpec, 32>& FloppyController::command_table() {
    static const std::array<CommandSpec, 32> table = [] {
        std::array<CommandSpec, 32> t{};
        t.fill({1, &FloppyController::cmd_invalid});
        t[kReadTrack] = {9, &FloppyController::cmd_data};
        t[kSpecify] = {3, &FloppyController::cmd_specify};
        t[kSenseDriveStatus] = {2, &FloppyController::cmd_sense_drive_status};
        t[kWriteData] = {9, &FloppyController::cmd_data};
        t[kReadData] = {9, &FloppyController::cmd_data};
        t[kRecalibrate] = {2, &FloppyController::cmd_recalibrate};
        t[kSenseInterrupt] = {1, &FloppyController::cmd_sense_interrupt};
        t[kWriteDeletedData] = {9, &FloppyController::cmd_data};
        t[kReadId] = {2, &FloppyController::cmd_read_id};
        t[kReadDeletedData] = {9, &FloppyController::cmd_data};
        t[kFormatTrack] = {6, &FloppyController::cmd_format};
        t[kDumpreg] = {1, &FloppyController::cmd_dumpreg};
        t[kSeek] = {3, &FloppyController::cmd_seek};
        t[kVersion] = {1, &FloppyController::cmd_version};
        t[kPerpendicular] = {2, &FloppyController::cmd_perpendicular};
        t[kConfigure] = {4, &FloppyController::cmd_configure};
        t[kLock] = {1, &FloppyController::cmd_lock};
        t[kVerify] = {9, &FloppyController::cmd_data};
        return t;
    }();
    return table;
}

FloppyController::FloppyController(IoBus& bus, Scheduler& scheduler, InterruptLine irq, IsaDma& dma,
                                   unsigned dma_channel, uint16_t base)
    : base_(base),
      scheduler_(scheduler),
      irq_(irq),
      dma_(dma),
      dma_channel_(dma_channel),
      exec_timer_(scheduler, "floppy.exec", [this](uint64_t) { run_step(); }),
      seek_timer_(scheduler, "floppy.seek", [this](uint64_t now) { complete_seeks(now); }) {
    if (dma_channel >= IsaDma::kChannels)
        throw std::invalid_argument("floppy: DMA channel out of range");
    drives_[1].type = FloppyDriveType::kNone;
    drives_[1].type_follows_medium = false;
    IoPortHandlers h;
    h.read8 = [this](uint16_t port) { return read_register(port - base_); };
    h.write8 = [this](uint16_t port, uint8_t v) { write_register(port - base_, v); };
    ports_ = bus.map(base, 6, h);
    dir_port_ = bus.map(static_cast<uint16_t>(base + 7), 1, std::move(h));
}

// ---- Media and drives ----

void FloppyController::insert_medium(unsigned drive, BlockBackendPtr medium) {
    check_drive(drive);
    if (!medium) throw std::invalid_argument("floppy: no medium given");
    auto geometry = floppy_geometry_for_size(medium->size());
    if (!geometry)
        throw BlockError(
            medium->describe() + ": " + std::to_string(medium->size()) +
            " bytes is not a diskette image size (supported: " + floppy_supported_sizes() + ")");
    Drive& d = drives_[drive];
    if (d.type == FloppyDriveType::kNone && !d.type_follows_medium)
        throw std::invalid_argument("floppy: drive " + std::to_string(drive) + " is not connected");
    if (!d.type_follows_medium && !floppy_drive_accepts(d.type, *geometry))
        throw BlockError(medium->describe() + ": a " + geometry->name +
                         " diskette does not fit floppy drive " + std::to_string(drive) +
                         " (CMOS type " + std::to_string(static_cast<int>(d.type)) + ")");
    if (d.type_follows_medium) d.type = geometry->natural_drive;
    d.medium = std::move(medium);
    d.geometry = geometry;
    d.changed = true;
}

void FloppyController::reattach_medium(unsigned drive, BlockBackendPtr medium) {
    check_drive(drive);
    bool changed = drives_[drive].changed;
    FloppyDriveType type = drives_[drive].type;
    insert_medium(drive, std::move(medium));
    drives_[drive].changed = changed;
    drives_[drive].type = type;
}

BlockBackendPtr FloppyController::eject_medium(unsigned drive) {
    check_drive(drive);
    Drive& d = drives_[drive];
    d.changed = true;
    d.geometry.reset();
    return std::move(d.medium);
}

bool FloppyController::has_medium(unsigned drive) const {
    check_drive(drive);
    return drives_[drive].medium != nullptr;
}

std::optional<FloppyGeometry> FloppyController::medium_geometry(unsigned drive) const {
    check_drive(drive);
    return drives_[drive].geometry;
}

void FloppyController::set_drive_type(unsigned drive, FloppyDriveType type) {
    check_drive(drive);
    if (static_cast<uint8_t>(type) > static_cast<uint8_t>(FloppyDriveType::k2880K))
        throw std::invalid_argument("floppy: unknown drive type");
    Drive& d = drives_[drive];
    if (d.geometry && type != FloppyDriveType::kNone && !floppy_drive_accepts(type, *d.geometry))
        throw std::invalid_argument("floppy: the inserted medium does not fit that drive type");
    if (type == FloppyDriveType::kNone) eject_medium(drive);
    d.type = type;
    d.type_follows_medium = false;
}

FloppyDriveType FloppyController::drive_type(unsigned drive) const {
    check_drive(drive);
    return drives_[drive].type;
}

uint8_t FloppyController::cmos_drive_types() const {
    return static_cast<uint8_t>(static_cast<uint8_t>(drives_[0].type) << 4 |
                                static_cast<uint8_t>(drives_[1].type));
}

bool FloppyController::disk_changed(unsigned drive) const {
    check_drive(drive);
    return drives_[drive].changed;
}

uint8_t FloppyController::cylinder(unsigned drive) const {
    check_drive(drive);
    return drives_[drive].cylinder;
}

bool FloppyController::drive_connected(unsigned drive) const {
    return drive < kDrives && drives_[drive].type != FloppyDriveType::kNone;
}

const FloppyGeometry* FloppyController::readable_track(unsigned drive, unsigned head) const {
    if (!drive_connected(drive)) return nullptr;
    const Drive& d = drives_[drive];
    if (!d.medium || !d.geometry || !floppy_rate_matches(*d.geometry, data_rate())) return nullptr;
    if (d.cylinder >= d.geometry->cylinders || head >= d.geometry->heads) return nullptr;
    return &*d.geometry;
}

// ---- Registers ----

uint8_t FloppyController::read_register(unsigned offset) {
    const unsigned sel = dor_ & 3;
    const bool sel_connected = drive_connected(sel);
    switch (offset) {
        case 0: {              // SRA, PS/2 layout
            uint8_t v = 0x04;  // /INDEX inactive
            if (irq_.level()) v |= 0x80;
            if (!drive_connected(1)) v |= 0x40;
            if (!(sel_connected && drives_[sel].cylinder == 0)) v |= 0x10;
            if (xfer_head_) v |= 0x08;
            if (!(sel_connected && drives_[sel].medium && drives_[sel].medium->read_only()))
                v |= 0x02;
            return v;
        }
        case 1:  // SRB, PS/2 layout
            return static_cast<uint8_t>(0xC0 | (dor_ & 1) << 5 | (dor_ >> 4 & 3));
        case 2: return dor_;
        case 3: return tdr_ & 3;
        case 4: return main_status();
        case 5: return read_data();
        case 7: return (sel_connected && drives_[sel].changed) ? 0x80 : 0x00;
        default: return 0xFF;
    }
}

void FloppyController::write_register(unsigned offset, uint8_t value) {
    switch (offset) {
        case 2: write_dor(value); break;
        case 3: tdr_ = value & 3; break;
        case 4:
            dsr_ = value & 0x7F;
            ccr_ = value & 3;
            if (value & 0x80) {  // self-clearing software reset
                enter_reset();
                if (dor_ & kDorReset) leave_reset();
            }
            break;
        case 5: write_data(value); break;
        case 7: ccr_ = value & 3; break;
        default: break;
    }
}

void FloppyController::write_dor(uint8_t value) {
    bool was_reset = !(dor_ & kDorReset);
    dor_ = value;
    if (!(value & kDorReset)) {
        if (!in_reset_) enter_reset();
    } else if (was_reset && in_reset_) {
        leave_reset();
    }
    update_irq();
}

uint8_t FloppyController::main_status() const {
    if (in_reset_ || step_ == Step::kResetPoll) return 0;
    uint8_t busy = 0;
    for (unsigned i = 0; i < 4; ++i)
        if (seek_deadline_[i] != Scheduler::kNever) busy |= static_cast<uint8_t>(1u << i);
    switch (phase_) {
        case Phase::kCommand: return busy | kMsrRqm | (cmd_len_ ? kMsrBusy : 0);
        case Phase::kResult: return busy | kMsrRqm | kMsrDio | kMsrBusy;
        case Phase::kExecution: {
            uint8_t v = busy | kMsrBusy;
            if (!xfer_dma_) v |= kMsrNonDma;
            if (pio_ready_) {
                v |= kMsrRqm;
                uint8_t op = cmd_[0] & 0x1F;
                if (!is_write(op) && op != kFormatTrack) v |= kMsrDio;
            }
            return v;
        }
    }
    return 0;
}

void FloppyController::update_irq() {
    bool pending = result_irq_ || pio_irq_;
    for (bool p : status_pending_) pending = pending || p;
    irq_.set_level(pending && (dor_ & kDorDmaGate));
}

void FloppyController::enter_reset() {
    in_reset_ = true;
    exec_timer_.cancel();
    seek_timer_.cancel();
    step_ = Step::kNone;
    phase_ = Phase::kCommand;
    cmd_len_ = result_len_ = result_pos_ = 0;
    result_irq_ = pio_irq_ = pio_ready_ = false;
    pcn_.fill(0);
    status_pending_.fill(false);
    seek_deadline_.fill(Scheduler::kNever);
    if (!locked_) {
        config_ = 0x20;
        pretrk_ = 0;
    }
    perpendicular_ &= 0x3C;  // GAP and WGATE clear; the drive bits survive
    update_irq();
}

void FloppyController::leave_reset() {
    in_reset_ = false;
    if (!(config_ & kConfigPollingOff)) arm_exec(kResetDelayNs, Step::kResetPoll);
}

// ---- Command and result phases ----

uint8_t FloppyController::read_data() {
    if (in_reset_) return 0xFF;
    if (phase_ == Phase::kResult) {
        if (result_irq_) {
            result_irq_ = false;
            update_irq();
        }
        uint8_t v = result_[result_pos_++];
        if (result_pos_ >= result_len_) {
            phase_ = Phase::kCommand;
            result_len_ = result_pos_ = 0;
        }
        return v;
    }
    if (phase_ == Phase::kExecution && pio_ready_ && (main_status() & kMsrDio)) {
        uint8_t v = buffer_[buffer_pos_++];
        pio_irq_ = false;
        update_irq();
        if (buffer_pos_ >= buffer_len_) {
            pio_ready_ = false;
            sector_done(false);
        } else {
            pio_irq_ = true;  // an interrupt per byte, as with the FIFO off
            update_irq();
        }
        return v;
    }
    return 0xFF;
}

void FloppyController::write_data(uint8_t value) {
    if (in_reset_) return;
    if (phase_ == Phase::kExecution && pio_ready_ && !(main_status() & kMsrDio)) {
        buffer_[buffer_pos_++] = value;
        pio_irq_ = false;
        update_irq();
        if (buffer_pos_ >= buffer_len_) {
            pio_ready_ = false;
            if ((cmd_[0] & 0x1F) == kFormatTrack)
                format_sector(buffer_.data());
            else
                run_sector();
        } else {
            pio_irq_ = true;
            update_irq();
        }
        return;
    }
    if (phase_ != Phase::kCommand || step_ == Step::kResetPoll) return;
    cmd_[cmd_len_++] = value;
    const CommandSpec& spec = command_table()[cmd_[0] & 0x1F];
    if (cmd_len_ < spec.length) return;
    (this->*spec.start)();
    cmd_len_ = 0;
}

void FloppyController::set_result(std::initializer_list<uint8_t> bytes, bool interrupt) {
    std::copy(bytes.begin(), bytes.end(), result_.begin());
    result_len_ = static_cast<uint8_t>(bytes.size());
    result_pos_ = 0;
    phase_ = Phase::kResult;
    step_ = Step::kNone;
    pio_ready_ = pio_irq_ = false;
    result_irq_ = interrupt;
    update_irq();
}

uint8_t FloppyController::st0_for(uint8_t ic) const {
    return static_cast<uint8_t>(ic | (xfer_head_ & 1) << 2 | xfer_drive_);
}

void FloppyController::arm_exec(uint64_t delay_ns, Step step) {
    step_ = step;
    exec_timer_.arm_in(delay_ns);
}

void FloppyController::run_step() {
    switch (step_) {
        case Step::kResetPoll:
            step_ = Step::kNone;
            for (unsigned i = 0; i < 4; ++i) {
                status_pending_[i] = true;
                status_st0_[i] = static_cast<uint8_t>(kIcPolling | i);
            }
            update_irq();
            break;
        case Step::kSector: run_sector(); break;
        case Step::kReadId: run_read_id(); break;
        case Step::kFormat: run_format(); break;
        case Step::kNone: break;
    }
}

// ---- Immediate commands ----

void FloppyController::cmd_invalid() {
    set_result({kIcInvalid}, false);
}

void FloppyController::cmd_specify() {
    specify_[0] = cmd_[1];
    specify_[1] = cmd_[2];
    phase_ = Phase::kCommand;
}

void FloppyController::cmd_sense_drive_status() {
    unsigned drive = cmd_[1] & 3;
    unsigned head = cmd_[1] >> 2 & 1;
    uint8_t st3 = static_cast<uint8_t>(0x28 | head << 2 | drive);  // bits 5 and 3 read as one
    if (drive_connected(drive)) {
        const Drive& d = drives_[drive];
        if (d.medium && d.medium->read_only()) st3 |= 0x40;
        if (d.cylinder == 0) st3 |= 0x10;
    }
    set_result({st3}, false);
}

void FloppyController::cmd_version() {
    set_result({0x90}, false);
}

void FloppyController::cmd_configure() {
    config_ = cmd_[2] & 0x7F;
    pretrk_ = cmd_[3];
    phase_ = Phase::kCommand;
}

void FloppyController::cmd_lock() {
    locked_ = cmd_[0] & 0x80;
    set_result({static_cast<uint8_t>(locked_ ? 0x10 : 0x00)}, false);
}

void FloppyController::cmd_perpendicular() {
    uint8_t v = cmd_[1];
    uint8_t drives = (v & 0x80) ? (v & 0x3C) : (perpendicular_ & 0x3C);
    perpendicular_ = static_cast<uint8_t>(drives | (v & 3));
    phase_ = Phase::kCommand;
}

void FloppyController::cmd_dumpreg() {
    set_result({pcn_[0], pcn_[1], pcn_[2], pcn_[3], specify_[0], specify_[1], last_eot_,
                static_cast<uint8_t>((locked_ ? 0x80 : 0) | perpendicular_), config_, pretrk_},
               false);
}

void FloppyController::cmd_sense_interrupt() {
    for (unsigned i = 0; i < 4; ++i) {
        if (!status_pending_[i]) continue;
        status_pending_[i] = false;
        set_result({status_st0_[i], pcn_[i]}, false);
        update_irq();
        return;
    }
    set_result({kIcInvalid}, false);
}

// ---- Seeks ----

void FloppyController::step_drive(unsigned drive, int steps) {
    if (!drive_connected(drive) || steps == 0) return;
    Drive& d = drives_[drive];
    int target = std::clamp(int{d.cylinder} + steps, 0, int{floppy_drive_max_cylinder(d.type)});
    d.cylinder = static_cast<uint8_t>(target);
    if (d.medium) d.changed = false;  // the step pulse resets the change latch
}

void FloppyController::start_seek(unsigned drive, uint8_t st0, int steps) {
    seek_st0_[drive] = st0;
    seek_deadline_[drive] =
        scheduler_.now_ns() + kSeekBaseNs + kStepNs * static_cast<uint64_t>(std::abs(steps));
    seek_timer_.arm_at(*std::min_element(seek_deadline_.begin(), seek_deadline_.end()));
    phase_ = Phase::kCommand;
}

void FloppyController::complete_seeks(uint64_t now) {
    for (unsigned i = 0; i < 4; ++i) {
        if (seek_deadline_[i] > now) continue;
        seek_deadline_[i] = Scheduler::kNever;
        status_pending_[i] = true;
        status_st0_[i] = seek_st0_[i];
    }
    uint64_t next = *std::min_element(seek_deadline_.begin(), seek_deadline_.end());
    if (next != Scheduler::kNever) seek_timer_.arm_at(next);
    update_irq();
}

void FloppyController::cmd_recalibrate() {
    unsigned drive = cmd_[1] & 3;
    unsigned steps = 0;
    bool track0 = false;
    if (drive_connected(drive)) {
        steps = std::min<unsigned>(drives_[drive].cylinder, kRecalibrateSteps);
        step_drive(drive, -static_cast<int>(steps));
        track0 = drives_[drive].cylinder == 0;
    } else {
        steps = kRecalibrateSteps;
    }
    pcn_[drive] = 0;
    uint8_t st0 = static_cast<uint8_t>(kSt0SeekEnd | drive);
    if (!track0) st0 |= kIcAbnormal | kSt0EquipmentCheck;
    start_seek(drive, st0, static_cast<int>(steps));
}

void FloppyController::cmd_seek() {
    unsigned drive = cmd_[1] & 3;
    unsigned head = cmd_[1] >> 2 & 1;
    int steps;
    if (cmd_[0] & 0x80) {  // relative seek: bit 6 set steps inwards
        steps = (cmd_[0] & 0x40) ? cmd_[2] : -int{cmd_[2]};
        pcn_[drive] = static_cast<uint8_t>(pcn_[drive] + steps);
    } else {
        steps = int{cmd_[2]} - pcn_[drive];
        pcn_[drive] = cmd_[2];
    }
    step_drive(drive, steps);
    start_seek(drive, static_cast<uint8_t>(kSt0SeekEnd | head << 2 | drive), steps);
}

// ---- Data transfer commands ----

void FloppyController::cmd_data() {
    uint8_t op = cmd_[0] & 0x1F;
    xfer_drive_ = cmd_[1] & 3;
    xfer_head_ = cmd_[1] >> 2 & 1;
    std::copy(cmd_.begin() + 2, cmd_.begin() + 6, id_.begin());
    if (op == kReadTrack) id_[2] = 1;
    last_eot_ = cmd_[6];
    sectors_done_ = 0;
    xfer_dma_ = !(specify_[1] & 1);
    buffer_pos_ = buffer_len_ = 0;
    phase_ = Phase::kExecution;
    if ((config_ & kConfigImpliedSeek) && drive_connected(xfer_drive_)) {
        step_drive(xfer_drive_, int{id_[0]} - pcn_[xfer_drive_]);
        pcn_[xfer_drive_] = id_[0];
    }
    if (is_write(op) && drive_connected(xfer_drive_) && drives_[xfer_drive_].medium &&
        drives_[xfer_drive_].medium->read_only()) {
        finish_transfer(kIcAbnormal, kSt1NotWritable, 0);
        return;
    }
    arm_exec(kCommandDelayNs, Step::kSector);
}

void FloppyController::finish_transfer(uint8_t ic, uint8_t st1, uint8_t st2) {
    exec_timer_.cancel();
    set_result({st0_for(ic), st1, st2, id_[0], id_[1], id_[2], id_[3]}, true);
}

void FloppyController::advance_id() {
    bool multi_track = cmd_[0] & kMultiTrack && (cmd_[0] & 0x1F) != kReadTrack;
    if (id_[2] != last_eot_) {
        ++id_[2];
    } else if (multi_track && !(id_[1] & 1)) {
        id_[1] ^= 1;
        id_[2] = 1;
    } else {
        ++id_[0];
        if (multi_track) id_[1] ^= 1;
        id_[2] = 1;
    }
}

void FloppyController::run_sector() {
    step_ = Step::kNone;
    uint8_t op = cmd_[0] & 0x1F;
    const FloppyGeometry* g = readable_track(xfer_drive_, xfer_head_);
    if (!g) return finish_transfer(kIcAbnormal, kSt1MissingAddressMark, 0);
    Drive& d = drives_[xfer_drive_];
    // The sector must carry the ID asked for: the image's IDs are the
    // physical cylinder and head, sectors 1..spt, N = 2.
    if (id_[0] != d.cylinder || id_[1] != xfer_head_ || id_[3] != kSectorSizeCode || id_[2] == 0 ||
        id_[2] > g->sectors_per_track) {
        uint8_t st2 = 0;
        if (id_[0] != d.cylinder) st2 = id_[0] == 0xFF ? kSt2BadCylinder : kSt2WrongCylinder;
        return finish_transfer(kIcAbnormal, kSt1NoData, st2);
    }
    uint64_t lba =
        (uint64_t{d.cylinder} * g->heads + xfer_head_) * g->sectors_per_track + (id_[2] - 1u);
    d.sector = static_cast<uint8_t>(id_[2] % g->sectors_per_track + 1);
    try {
        if (op == kVerify) {
            bool counted = (cmd_[1] & 0x80) && sectors_done_ + 1 >= cmd_[8];
            return sector_done(counted);
        }
        if (is_write(op)) {
            if (buffer_len_ == 0) {  // fetch the sector's data
                if (!xfer_dma_) {
                    buffer_pos_ = 0;
                    buffer_len_ = kSectorSize;
                    pio_ready_ = pio_irq_ = true;
                    update_irq();
                    return;
                }
                size_t n = dma_allowed() ? dma_.transfer_from_memory(dma_channel_, buffer_) : 0;
                bool tc = dma_allowed() && dma_.terminal_count(dma_channel_);
                if (n < kSectorSize && !tc) return finish_transfer(kIcAbnormal, kSt1Overrun, 0);
                std::fill(buffer_.begin() + static_cast<ptrdiff_t>(n), buffer_.end(), 0);
                d.medium->write_sectors(lba, buffer_);
                buffer_len_ = 0;
                return sector_done(tc);
            }
            d.medium->write_sectors(lba, buffer_);  // PIO: the host filled the buffer
            buffer_len_ = 0;
            return sector_done(false);
        }
        d.medium->read_sectors(lba, buffer_);
    } catch (const BlockError&) {
        return finish_transfer(kIcAbnormal, kSt1DataError, 0);
    }
    if (!xfer_dma_) {
        buffer_pos_ = 0;
        buffer_len_ = kSectorSize;
        pio_ready_ = pio_irq_ = true;
        update_irq();
        return;
    }
    size_t n = dma_allowed() ? dma_.transfer_to_memory(dma_channel_, buffer_) : 0;
    bool tc = dma_allowed() && dma_.terminal_count(dma_channel_);
    if (n < kSectorSize && !tc) return finish_transfer(kIcAbnormal, kSt1Overrun, 0);
    sector_done(tc);
}

void FloppyController::sector_done(bool terminal_count) {
    ++sectors_done_;
    buffer_len_ = buffer_pos_ = 0;
    uint8_t op = cmd_[0] & 0x1F;
    bool at_eot = id_[2] == last_eot_;
    bool head_switch = at_eot && (cmd_[0] & kMultiTrack) && op != kReadTrack && !(id_[1] & 1);
    advance_id();
    if (terminal_count) return finish_transfer(kIcNormal, 0, 0);
    if (at_eot && !head_switch) {
        // Ran off the track without TC. VERIFY with EC=0 ends here by design.
        bool verify_to_eot = op == kVerify && !(cmd_[1] & 0x80);
        if (verify_to_eot) return finish_transfer(kIcNormal, 0, 0);
        return finish_transfer(kIcAbnormal, kSt1EndOfCylinder, 0);
    }
    if (head_switch) xfer_head_ = 1;
    arm_exec(kSectorDelayNs, Step::kSector);
}

void FloppyController::cmd_read_id() {
    xfer_drive_ = cmd_[1] & 3;
    xfer_head_ = cmd_[1] >> 2 & 1;
    phase_ = Phase::kExecution;
    xfer_dma_ = !(specify_[1] & 1);
    arm_exec(kCommandDelayNs, Step::kReadId);
}

void FloppyController::run_read_id() {
    step_ = Step::kNone;
    const FloppyGeometry* g = readable_track(xfer_drive_, xfer_head_);
    if (!g) {
        id_ = {0, 0, 0, 0};
        return finish_transfer(kIcAbnormal, kSt1MissingAddressMark, 0);
    }
    Drive& d = drives_[xfer_drive_];
    if (d.sector == 0 || d.sector > g->sectors_per_track) d.sector = 1;
    id_ = {d.cylinder, xfer_head_, d.sector, kSectorSizeCode};
    d.sector = static_cast<uint8_t>(d.sector % g->sectors_per_track + 1);
    finish_transfer(kIcNormal, 0, 0);
}

void FloppyController::cmd_format() {
    xfer_drive_ = cmd_[1] & 3;
    xfer_head_ = cmd_[1] >> 2 & 1;
    sectors_done_ = 0;
    id_ = {0, 0, 0, cmd_[2]};
    xfer_dma_ = !(specify_[1] & 1);
    buffer_pos_ = buffer_len_ = 0;
    phase_ = Phase::kExecution;
    const Drive* d = drive_connected(xfer_drive_) ? &drives_[xfer_drive_] : nullptr;
    if (d && d->medium && d->medium->read_only()) {
        finish_transfer(kIcAbnormal, kSt1NotWritable, 0);
        return;
    }
    arm_exec(kCommandDelayNs, Step::kFormat);
}

bool FloppyController::format_possible() const {
    if (!drive_connected(xfer_drive_)) return false;
    const Drive& d = drives_[xfer_drive_];
    return d.medium && d.geometry && floppy_rate_matches(*d.geometry, data_rate());
}

void FloppyController::run_format() {
    step_ = Step::kNone;
    if (!format_possible()) return finish_transfer(kIcAbnormal, kSt1MissingAddressMark, 0);
    if (cmd_[3] == 0 || sectors_done_ >= cmd_[3]) return finish_transfer(kIcNormal, 0, 0);
    if (!xfer_dma_) {
        buffer_pos_ = 0;
        buffer_len_ = 4;
        pio_ready_ = pio_irq_ = true;
        update_irq();
        return;
    }
    uint8_t id[4];
    size_t n = dma_allowed() ? dma_.transfer_from_memory(dma_channel_, id) : 0;
    bool tc = dma_allowed() && dma_.terminal_count(dma_channel_);
    if (n < 4) return finish_transfer(kIcAbnormal, kSt1Overrun, 0);
    format_sector(id);
    if (tc && phase_ == Phase::kExecution) finish_transfer(kIcNormal, 0, 0);
}

void FloppyController::format_sector(const uint8_t* id) {
    std::copy(id, id + 4, id_.begin());
    if (!format_possible()) return finish_transfer(kIcAbnormal, kSt1MissingAddressMark, 0);
    Drive& d = drives_[xfer_drive_];
    const FloppyGeometry& g = *d.geometry;
    // Only IDs that match the image's fixed layout have a place in it.
    bool fits = d.cylinder < g.cylinders && xfer_head_ < g.heads && id[0] == d.cylinder &&
                id[1] == xfer_head_ && id[3] == kSectorSizeCode && cmd_[2] == kSectorSizeCode &&
                id[2] >= 1 && id[2] <= g.sectors_per_track;
    if (fits) {
        std::array<uint8_t, kSectorSize> fill;
        fill.fill(cmd_[5]);
        uint64_t lba =
            (uint64_t{d.cylinder} * g.heads + xfer_head_) * g.sectors_per_track + (id[2] - 1u);
        try {
            d.medium->write_sectors(lba, fill);
        } catch (const BlockError&) {
            return finish_transfer(kIcAbnormal, kSt1DataError, 0);
        }
    }
    ++sectors_done_;
    buffer_len_ = buffer_pos_ = 0;
    if (sectors_done_ >= cmd_[3]) return finish_transfer(kIcNormal, 0, 0);
    arm_exec(kSectorDelayNs, Step::kFormat);
}

// ---- State ----

void FloppyController::save(StateWriter& w) const {
    w.begin_section("floppy", 1);
    for (uint8_t v : {dor_, tdr_, dsr_, ccr_, specify_[0], specify_[1], config_, pretrk_,
                      perpendicular_, last_eot_})
        w.u8(v);
    w.boolean(locked_);
    w.boolean(in_reset_);
    w.u8(static_cast<uint8_t>(phase_));
    w.bytes(cmd_);
    w.u8(cmd_len_);
    w.bytes(result_);
    w.u8(result_len_);
    w.u8(result_pos_);
    w.boolean(result_irq_);
    for (unsigned i = 0; i < 4; ++i) {
        w.u8(pcn_[i]);
        w.boolean(status_pending_[i]);
        w.u8(status_st0_[i]);
        w.u64(seek_deadline_[i]);
        w.u8(seek_st0_[i]);
    }
    w.u8(static_cast<uint8_t>(step_));
    w.u64(exec_timer_.deadline());
    w.u8(xfer_drive_);
    w.u8(xfer_head_);
    w.bytes(id_);
    w.u8(sectors_done_);
    w.boolean(xfer_dma_);
    w.boolean(pio_ready_);
    w.boolean(pio_irq_);
    w.u16(buffer_pos_);
    w.u16(buffer_len_);
    w.bytes(buffer_);
    for (const Drive& d : drives_) {
        w.u8(static_cast<uint8_t>(d.type));
        w.boolean(d.type_follows_medium);
        w.u8(d.cylinder);
        w.u8(d.sector);
        w.boolean(d.changed);
    }
    w.end_section();
}

void FloppyController::load(StateReader& r) {
    auto fail = [](const char* what) { throw StateError(std::string("state: floppy: ") + what); };
    r.begin_section("floppy", 1);
    uint8_t regs[10];
    for (uint8_t& v : regs) v = r.u8();
    bool locked = r.boolean(), in_reset = r.boolean();
    uint8_t phase = r.u8();
    std::array<uint8_t, 9> cmd;
    r.bytes(cmd);
    uint8_t cmd_len = r.u8();
    std::array<uint8_t, 10> result;
    r.bytes(result);
    uint8_t result_len = r.u8(), result_pos = r.u8();
    bool result_irq = r.boolean();
    std::array<uint8_t, 4> pcn, status_st0, seek_st0;
    std::array<bool, 4> status_pending;
    std::array<uint64_t, 4> seek_deadline;
    for (unsigned i = 0; i < 4; ++i) {
        pcn[i] = r.u8();
        status_pending[i] = r.boolean();
        status_st0[i] = r.u8();
        seek_deadline[i] = r.u64();
        seek_st0[i] = r.u8();
    }
    uint8_t step = r.u8();
    uint64_t exec_deadline = r.u64();
    uint8_t xfer_drive = r.u8(), xfer_head = r.u8();
    std::array<uint8_t, 4> id;
    r.bytes(id);
    uint8_t sectors_done = r.u8();
    bool xfer_dma = r.boolean(), pio_ready = r.boolean(), pio_irq = r.boolean();
    uint16_t buffer_pos = r.u16(), buffer_len = r.u16();
    std::array<uint8_t, 512> buffer;
    r.bytes(buffer);
    struct DriveState {
        uint8_t type, cylinder, sector;
        bool follows, changed;
    };
    std::array<DriveState, kDrives> ds;
    for (DriveState& d : ds) {
        d.type = r.u8();
        d.follows = r.boolean();
        d.cylinder = r.u8();
        d.sector = r.u8();
        d.changed = r.boolean();
    }
    r.end_section();

    if (phase > static_cast<uint8_t>(Phase::kResult)) fail("bad phase");
    if (step > static_cast<uint8_t>(Step::kFormat)) fail("bad execution step");
    if (cmd_len >= command_table()[cmd[0] & 0x1F].length && cmd_len != 0)
        fail("bad command length");
    if (phase != static_cast<uint8_t>(Phase::kCommand) && cmd_len != 0)
        fail("command bytes outside the command phase");
    if (result_len > result.size() || result_pos > result_len ||
        (phase == static_cast<uint8_t>(Phase::kResult) && result_pos >= result_len))
        fail("bad result position");
    if (buffer_len > buffer.size() || buffer_pos > buffer_len) fail("bad buffer position");
    if (pio_ready && buffer_pos >= buffer_len) fail("bad transfer buffer state");
    if (xfer_drive > 3 || xfer_head > 1) fail("bad drive or head");
    for (const DriveState& d : ds)
        if (d.type > static_cast<uint8_t>(FloppyDriveType::k2880K) || d.sector == 0)
            fail("bad drive state");
    for (unsigned i = 0; i < kDrives; ++i) {
        const Drive& cur = drives_[i];
        if (cur.geometry &&
            !floppy_drive_accepts(static_cast<FloppyDriveType>(ds[i].type), *cur.geometry))
            fail("drive type does not fit the attached medium");
    }

    dor_ = regs[0];
    tdr_ = regs[1] & 3;
    dsr_ = regs[2] & 0x7F;
    ccr_ = regs[3] & 3;
    specify_[0] = regs[4];
    specify_[1] = regs[5];
    config_ = regs[6] & 0x7F;
    pretrk_ = regs[7];
    perpendicular_ = regs[8] & 0x3F;
    last_eot_ = regs[9];
    locked_ = locked;
    in_reset_ = in_reset;
    phase_ = static_cast<Phase>(phase);
    cmd_ = cmd;
    cmd_len_ = cmd_len;
    result_ = result;
    result_len_ = result_len;
    result_pos_ = result_pos;
    result_irq_ = result_irq;
    pcn_ = pcn;
    status_pending_ = status_pending;
    status_st0_ = status_st0;
    seek_deadline_ = seek_deadline;
    seek_st0_ = seek_st0;
    step_ = static_cast<Step>(step);
    xfer_drive_ = xfer_drive;
    xfer_head_ = xfer_head;
    id_ = id;
    sectors_done_ = sectors_done;
    xfer_dma_ = xfer_dma;
    pio_ready_ = pio_ready;
    pio_irq_ = pio_irq;
    buffer_pos_ = buffer_pos;
    buffer_len_ = buffer_len;
    buffer_ = buffer;
    for (unsigned i = 0; i < kDrives; ++i) {
        drives_[i].type = static_cast<FloppyDriveType>(ds[i].type);
        drives_[i].type_follows_medium = ds[i].follows;
        drives_[i].cylinder = ds[i].cylinder;
        drives_[i].sector = ds[i].sector;
        drives_[i].changed = ds[i].changed;
    }
    if (step_ == Step::kNone || exec_deadline == Scheduler::kNever)
        exec_timer_.cancel();
    else
        exec_timer_.arm_at(exec_deadline);
    uint64_t next_seek = *std::min_element(seek_deadline_.begin(), seek_deadline_.end());
    if (next_seek == Scheduler::kNever)
        seek_timer_.cancel();
    else
        seek_timer_.arm_at(next_seek);
    update_irq();
}

}  // namespace sandpc
