// One IDE channel (the primary at 0x1F0-0x1F7 / 0x3F6 on IRQ 14, the
// secondary at 0x170-0x177 / 0x376 on IRQ 15) with a master and a slave
// device, each absent, an ATA hard disk or an ATAPI CD-ROM.
//
// Each device latches every task file write, as on a real cable; reads and
// commands go to the device selected by the DEV bit. An absent device's
// registers read as QEMU and Linux expect: status and error 00h (a phantom
// with no valid signature), the other registers echo what was written; a
// channel with no device at all floats (FFh). Commands run after a short
// virtual-time delay (BSY), then present DRQ per sector (per block with
// READ/WRITE MULTIPLE, per byte-count-limit chunk for ATAPI) with an
// interrupt per block. Writes to a read-only medium abort (ABRT) without a
// data phase; an address beyond the medium gives IDNF; a host I/O failure
// UNC (reads) or ABRT (writes).
//
// Media are not part of the saved state: the machine attaches the same media
// again before load(), which refuses a state whose device kinds or disk size
// differ.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "devices/ata/ata_identify.h"
#include "devices/ata/atapi_cdrom.h"
#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/physical_memory.h"
#include "devices/scheduler.h"
#include "devices/storage/block_backend.h"
#include "snapshot/state_stream.h"

namespace sandpc {

enum class AtaDeviceKind : uint8_t { kNone, kDisk, kCdrom };

class AtaChannel {
  public:
    static constexpr uint64_t kCommandDelayNs = 20'000;
    static constexpr uint64_t kBlockDelayNs = 10'000;
    static constexpr uint32_t kBufferSize = 65536;  // largest DRQ block or DMA chunk

    // `name` names the state section and timers ("ata0", "ata1"). `memory`
    // is where bus-master DMA goes; without it DMA is not offered.
    AtaChannel(IoBus& bus, Scheduler& scheduler, InterruptLine irq, uint16_t command_base,
               uint16_t control_base, std::string name, PhysicalMemory* memory = nullptr);
    ~AtaChannel();
    AtaChannel(const AtaChannel&) = delete;
    AtaChannel& operator=(const AtaChannel&) = delete;

    // unit 0 = master, 1 = slave. A disk's medium has 512-byte sectors; a
    // CD-ROM starts empty.
    void attach_disk(unsigned unit, BlockBackendPtr medium);
    void attach_cdrom(unsigned unit);
    void detach(unsigned unit);
    AtaDeviceKind kind(unsigned unit) const;
    // CD-ROM media (an ISO image). eject_medium returns the medium, also
    // after the guest ejected it (then it was already dropped: nullptr).
    void insert_medium(unsigned unit, BlockBackendPtr iso);
    BlockBackendPtr eject_medium(unsigned unit);
    bool has_medium(unsigned unit) const;

    // Bus-master IDE registers (8 ports, PIIX layout); 0 = unmapped.
    void set_bus_master_base(uint16_t base);

    uint8_t read_register(unsigned offset);  // command block, offset 1-7
    void write_register(unsigned offset, uint8_t value);
    uint16_t read_data();
    void write_data(uint16_t value);
    uint8_t read_alternate_status();
    void write_device_control(uint8_t value);

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    struct Drive;
    enum class Phase : uint8_t;
    enum class Pending : uint8_t;
    enum class Transfer : uint8_t;

    Drive& selected() { return *drives_[selected_unit()]; }
    unsigned selected_unit() const;
    bool any_present() const;
    void update_irq();
    void interrupt(Drive& d);
    void arm(Drive& d, Pending what, uint64_t delay_ns);
    void run_pending(Drive& d);
    void software_reset_done(Drive& d);
    void set_signature(Drive& d);

    // Commands (ata_commands.cpp).
    void start_command(Drive& d, uint8_t command);
    void execute(Drive& d);
    bool execute_disk(Drive& d);
    bool execute_common(Drive& d);
    void start_disk_transfer(Drive& d, bool write, bool multiple, bool lba48, bool dma);
    void read_verify(Drive& d, bool lba48);
    void seek(Drive& d);
    void execute_packet(Drive& d);
    void send_identify(Drive& d, const ata::IdentifyBlock& block);
    bool decode_address(Drive& d, bool lba48, uint64_t& lba, uint64_t& count);
    void set_address(Drive& d, uint64_t lba);
    void disk_next_block(Drive& d);
    void disk_commit_block(Drive& d);
    void atapi_next_block(Drive& d);
    void atapi_complete(Drive& d);
    void atapi_fail(Drive& d);
    void block_transferred(Drive& d);
    void finish(Drive& d);
    void abort_command(Drive& d, uint8_t error = 0x04);
    uint64_t disk_sectors(const Drive& d) const;
    ata::DiskIdentity disk_identity(const Drive& d) const;

    // Bus-master DMA.
    uint8_t read_bus_master(unsigned offset);
    void write_bus_master(unsigned offset, uint8_t value);
    void run_dma(Drive& d);
    bool dma_possible() const { return memory_ != nullptr; }

    void save_drive(StateWriter& w, const Drive& d) const;
    void load_drive(StateReader& r, Drive& d);

    std::string name_;
    Scheduler& scheduler_;
    InterruptLine irq_;
    PhysicalMemory* memory_;
    IoBus& bus_;
    std::unique_ptr<Drive> drives_[2];
    uint8_t device_control_ = 0;
    // Bus master: command (start, direction), status (active, error, irq,
    // drive DMA capable bits), PRD table address.
    uint8_t bm_command_ = 0;
    uint8_t bm_status_ = 0;
    uint32_t bm_prd_address_ = 0;
    uint16_t bm_base_ = 0;
    IoBus::Mapping command_ports_;
    IoBus::Mapping control_port_;
    IoBus::Mapping bus_master_ports_;
};

}  // namespace sandpc
