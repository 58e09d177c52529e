// Intel 82077AA floppy disk controller in PC/AT mode, with up to two drives.
//
// Ports base+0..5 and base+7 (SRA, SRB, DOR, TDR, MSR/DSR, FIFO, DIR/CCR);
// base+6 belongs to the IDE controller. IRQ 6 and ISA DMA channel 2 on a PC.
//
// Media are BlockBackends whose size picks the format (see floppy_geometry.h);
// sectors are always 512 bytes (N = 2) and every track holds sectors
// 1..spt. A drive's type is either fixed by set_drive_type or, by default,
// follows the last medium inserted (1.44M before any). Inserting or ejecting
// sets the drive's disk-change line (DIR bit 7), which a step pulse clears
// while a medium is in the drive. The head position is physical: after a
// controller reset the PCN is 0 wherever the head is, so software
// recalibrates as on real hardware. Recalibrate gives up after 80 steps.
//
// Timing is virtual and short: commands with an execution phase complete
// after kCommandDelayNs plus kSectorDelayNs per further sector; seeks take
// kSeekBaseNs plus kStepNs per step. The motor bits are stored but a stopped
// motor does not stop transfers.
//
// Simplifications: no deleted data marks, so READ DELETED DATA reads and
// WRITE DELETED DATA writes like their plain versions; READ TRACK reads
// sectors 1..EOT of the track; FORMAT TRACK writes the fill byte into every
// sector whose ID fits the image's layout and ignores the other IDs; a
// missing medium or a data rate the medium does not use reports a missing
// address mark (real hardware would hang); with polling disabled by
// CONFIGURE a reset raises no interrupt; in non-DMA mode the interrupt comes
// per byte whatever the FIFO threshold. SCAN commands are invalid.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "devices/dma/isa_dma.h"
#include "devices/floppy/floppy_geometry.h"
#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/scheduler.h"
#include "devices/storage/block_backend.h"

namespace sandpc {

class FloppyController {
  public:
    static constexpr unsigned kDrives = 2;
    static constexpr uint64_t kResetDelayNs = 10'000;
    static constexpr uint64_t kCommandDelayNs = 100'000;
    static constexpr uint64_t kSectorDelayNs = 20'000;
    static constexpr uint64_t kSeekBaseNs = 500'000;
    static constexpr uint64_t kStepNs = 20'000;

    FloppyController(IoBus& bus, Scheduler& scheduler, InterruptLine irq, IsaDma& dma,
                     unsigned dma_channel = 2, uint16_t base = 0x3F0);

    // Media. insert_medium refuses (BlockError) a size that is no diskette
    // format or that the drive's fixed type cannot read, and sets the
    // disk-change line; reattach_medium is for a machine restoring media
    // after load() and leaves the line as loaded.
    void insert_medium(unsigned drive, BlockBackendPtr medium);
    void reattach_medium(unsigned drive, BlockBackendPtr medium);
    BlockBackendPtr eject_medium(unsigned drive);
    bool has_medium(unsigned drive) const;
    std::optional<FloppyGeometry> medium_geometry(unsigned drive) const;

    // kNone disconnects the drive. A fixed type stops following the media.
    void set_drive_type(unsigned drive, FloppyDriveType type);
    FloppyDriveType drive_type(unsigned drive) const;
    // CMOS register 0x10: drive 0 type in bits 7-4, drive 1 in bits 3-0.
    uint8_t cmos_drive_types() const;
    bool disk_changed(unsigned drive) const;
    uint8_t cylinder(unsigned drive) const;

    uint8_t read_register(unsigned offset);
    void write_register(unsigned offset, uint8_t value);

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    enum class Phase : uint8_t { kCommand, kExecution, kResult };
    // What the execution timer does when it fires.
    enum class Step : uint8_t { kNone, kResetPoll, kSector, kReadId, kFormat };

    struct Drive {
        BlockBackendPtr medium;
        std::optional<FloppyGeometry> geometry;
        FloppyDriveType type = FloppyDriveType::k1440K;
        bool type_follows_medium = true;
        uint8_t cylinder = 0;  // physical head position
        uint8_t sector = 1;    // next sector under the head, for READ ID
        bool changed = true;
    };
    struct CommandSpec {
        uint8_t length;  // command bytes including the opcode; 0 = invalid
        void (FloppyController::*start)();
    };
    static const std::array<CommandSpec, 32>& command_table();

    uint8_t main_status() const;
    uint8_t read_data();
    void write_data(uint8_t value);
    void write_dor(uint8_t value);
    void enter_reset();
    void leave_reset();
    void update_irq();
    void set_result(std::initializer_list<uint8_t> bytes, bool interrupt);
    void finish_transfer(uint8_t ic, uint8_t st1, uint8_t st2);
    uint8_t st0_for(uint8_t ic) const;
    bool drive_connected(unsigned drive) const;
    FloppyDataRate data_rate() const { return static_cast<FloppyDataRate>(ccr_ & 3); }
    // The medium of the drive as the controller can see it at the current
    // rate on the current head, or nullptr (missing address mark).
    const FloppyGeometry* readable_track(unsigned drive, unsigned head) const;
    void step_drive(unsigned drive, int steps);
    void start_seek(unsigned drive, uint8_t st0, int steps);
    void complete_seeks(uint64_t now);
    void arm_exec(uint64_t delay_ns, Step step);
    void run_step();
    void run_sector();
    void sector_done(bool terminal_count);
    void advance_id();
    void run_read_id();
    void run_format();
    // A medium in a connected drive, read at its data rate.
    bool format_possible() const;
    void format_sector(const uint8_t* id);
    bool dma_allowed() const { return xfer_dma_ && (dor_ & 0x08); }

    void cmd_invalid();
    void cmd_specify();
    void cmd_sense_drive_status();
    void cmd_recalibrate();
    void cmd_seek();
    void cmd_sense_interrupt();
    void cmd_data();  // READ/WRITE (DELETED) DATA, READ TRACK, VERIFY
    void cmd_read_id();
    void cmd_format();
    void cmd_version();
    void cmd_configure();
    void cmd_lock();
    void cmd_dumpreg();
    void cmd_perpendicular();

    uint16_t base_;
    Scheduler& scheduler_;
    InterruptLine irq_;
    IsaDma& dma_;
    unsigned dma_channel_;
    std::array<Drive, kDrives> drives_;

    // Registers
    uint8_t dor_ = 0, tdr_ = 0, dsr_ = 0x02, ccr_ = 0x02;  // 250 kb/s
    uint8_t specify_[2] = {0, 0};                          // SRT/HUT, HLT/ND
    uint8_t config_ = 0x20;                                // FIFO off, polling on
    uint8_t pretrk_ = 0, perpendicular_ = 0, last_eot_ = 0;
    bool locked_ = false;
    bool in_reset_ = true;

    // Command / result phases
    Phase phase_ = Phase::kCommand;
    std::array<uint8_t, 9> cmd_{};
    uint8_t cmd_len_ = 0;
    std::array<uint8_t, 10> result_{};
    uint8_t result_len_ = 0, result_pos_ = 0;
    bool result_irq_ = false;

    // Drive state the controller keeps per drive select code
    std::array<uint8_t, 4> pcn_{};
    std::array<bool, 4> status_pending_{};
    std::array<uint8_t, 4> status_st0_{};
    std::array<uint64_t, 4> seek_deadline_{Scheduler::kNever, Scheduler::kNever, Scheduler::kNever,
                                           Scheduler::kNever};
    std::array<uint8_t, 4> seek_st0_{};

    // Execution phase
    Step step_ = Step::kNone;
    uint8_t xfer_drive_ = 0, xfer_head_ = 0;
    std::array<uint8_t, 4> id_{};  // C, H, R, N of the current sector
    uint8_t sectors_done_ = 0;
    bool xfer_dma_ = true;
    bool pio_ready_ = false, pio_irq_ = false;
    uint16_t buffer_pos_ = 0, buffer_len_ = 0;
    std::array<uint8_t, 512> buffer_{};

    Timer exec_timer_;
    Timer seek_timer_;
    IoBus::Mapping ports_;
    IoBus::Mapping dir_port_;
};

}  // namespace sandpc
