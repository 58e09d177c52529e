#include "devices/ata/ata_channel.h"

#include "devices/ata/ata_drive.h"

namespace sandpc {

using namespace ata;

AtaChannel::AtaChannel(IoBus& bus, Scheduler& scheduler, InterruptLine irq, uint16_t command_base,
                       uint16_t control_base, std::string name, PhysicalMemory* memory)
    : name_(std::move(name)), scheduler_(scheduler), irq_(irq), memory_(memory), bus_(bus) {
    for (unsigned unit = 0; unit < 2; ++unit) {
        auto timer_name = name_ + (unit ? ".slave" : ".master");
        drives_[unit] = std::make_unique<Drive>(
            scheduler, timer_name, [this, unit](uint64_t) { run_pending(*drives_[unit]); });
        drives_[unit]->unit = unit;
        set_signature(*drives_[unit]);
    }
    IoPortHandlers cmd;
    cmd.read8 = [this, command_base](uint16_t port) -> uint8_t {
        unsigned offset = port - command_base;
        return offset == 0 ? static_cast<uint8_t>(read_data()) : read_register(offset);
    };
    cmd.write8 = [this, command_base](uint16_t port, uint8_t v) {
        unsigned offset = port - command_base;
        if (offset == 0) {
            write_data(v);
        } else {
            write_register(offset, v);
        }
    };
    cmd.read16 = [this, command_base](uint16_t port) -> uint16_t {
        if (port == command_base) return read_data();
        return static_cast<uint16_t>(read_register(port - command_base) |
                                     read_register(port + 1u - command_base) << 8);
    };
    cmd.write16 = [this, command_base](uint16_t port, uint16_t v) {
        if (port == command_base) return write_data(v);
        write_register(port - command_base, static_cast<uint8_t>(v));
        write_register(port + 1u - command_base, static_cast<uint8_t>(v >> 8));
    };
    // 32-bit data port access moves two words.
    cmd.read32 = [this, command_base](uint16_t port) -> uint32_t {
        if (port != command_base) return 0xFFFFFFFF;
        uint32_t low = read_data();
        return low | uint32_t{read_data()} << 16;
    };
    cmd.write32 = [this, command_base](uint16_t port, uint32_t v) {
        if (port != command_base) return;
        write_data(static_cast<uint16_t>(v));
        write_data(static_cast<uint16_t>(v >> 16));
    };
    command_ports_ = bus.map(command_base, 8, std::move(cmd));
    IoPortHandlers ctl;
    ctl.read8 = [this](uint16_t) { return read_alternate_status(); };
    ctl.write8 = [this](uint16_t, uint8_t v) { write_device_control(v); };
    control_port_ = bus.map(control_base, 1, std::move(ctl));
}

AtaChannel::~AtaChannel() = default;

void AtaChannel::attach_disk(unsigned unit, BlockBackendPtr medium) {
    Drive& d = *drives_[unit & 1];
    d.kind = AtaDeviceKind::kDisk;
    d.disk = std::move(medium);
    d.cdrom.eject();
    d.translation = default_geometry(disk_sectors(d));
    set_signature(d);
}

void AtaChannel::attach_cdrom(unsigned unit) {
    Drive& d = *drives_[unit & 1];
    d.kind = AtaDeviceKind::kCdrom;
    d.disk.reset();
    set_signature(d);
}

void AtaChannel::detach(unsigned unit) {
    Drive& d = *drives_[unit & 1];
    d.kind = AtaDeviceKind::kNone;
    d.disk.reset();
    d.cdrom.eject();
    d.timer.cancel();
    d.pending = Pending::kNone;
    d.phase = Phase::kIdle;
    set_signature(d);
}

AtaDeviceKind AtaChannel::kind(unsigned unit) const {
    return drives_[unit & 1]->kind;
}

void AtaChannel::insert_medium(unsigned unit, BlockBackendPtr iso) {
    Drive& d = *drives_[unit & 1];
    if (d.kind == AtaDeviceKind::kCdrom) d.cdrom.insert(std::move(iso));
}

BlockBackendPtr AtaChannel::eject_medium(unsigned unit) {
    Drive& d = *drives_[unit & 1];
    return d.kind == AtaDeviceKind::kCdrom ? d.cdrom.eject() : nullptr;
}

bool AtaChannel::has_medium(unsigned unit) const {
    const Drive& d = *drives_[unit & 1];
    return d.kind == AtaDeviceKind::kDisk ? d.disk != nullptr : d.cdrom.has_medium();
}

uint64_t AtaChannel::disk_sectors(const Drive& d) const {
    return d.disk ? d.disk->size() / kSectorSize : 0;
}

unsigned AtaChannel::selected_unit() const {
    return (drives_[0]->select & kDeviceDev) ? 1 : 0;
}

bool AtaChannel::any_present() const {
    return drives_[0]->kind != AtaDeviceKind::kNone || drives_[1]->kind != AtaDeviceKind::kNone;
}

void AtaChannel::update_irq() {
    const Drive& d = *drives_[selected_unit()];
    irq_.set_level(d.irq_pending && !(device_control_ & kControlNien));
}

void AtaChannel::interrupt(Drive& d) {
    d.irq_pending = true;
    update_irq();
}

void AtaChannel::arm(Drive& d, Pending what, uint64_t delay_ns) {
    d.pending = what;
    d.status = static_cast<uint8_t>((d.status & ~(kStatusDrq | kStatusErr)) | kStatusBsy);
    d.timer.arm_in(delay_ns);
}

// The signature and diagnostic result a device presents after power-on,
// reset and EXECUTE DEVICE DIAGNOSTIC.
void AtaChannel::set_signature(Drive& d) {
    d.nsector = d.sector = 1;
    d.hob_nsector = d.hob_sector = d.hob_lcyl = d.hob_hcyl = 0;
    d.select = static_cast<uint8_t>(0xA0 | (d.select & kDeviceDev));
    d.timer.cancel();
    d.pending = Pending::kNone;
    d.phase = Phase::kIdle;
    d.transfer = Transfer::kNone;
    switch (d.kind) {
        case AtaDeviceKind::kDisk:
            d.lcyl = d.hcyl = 0;
            d.status = kStatusDrdy | kStatusDsc;
            d.error = kDiagnosticPassed;
            break;
        case AtaDeviceKind::kCdrom:
            d.lcyl = 0x14;
            d.hcyl = 0xEB;
            d.status = 0;
            d.error = kDiagnosticPassed;
            break;
        case AtaDeviceKind::kNone:
            d.lcyl = d.hcyl = 0xFF;
            d.status = 0;
            d.error = 0;
            break;
    }
}

uint8_t AtaChannel::read_register(unsigned offset) {
    if (!any_present()) return 0xFF;
    Drive& d = selected();
    bool hob = device_control_ & kControlHob;
    bool absent = d.kind == AtaDeviceKind::kNone;
    switch (offset) {
        case 1: return absent ? 0 : (hob ? d.hob_feature : d.error);
        case 2: return hob ? d.hob_nsector : d.nsector;
        case 3: return hob ? d.hob_sector : d.sector;
        case 4: return hob ? d.hob_lcyl : d.lcyl;
        case 5: return hob ? d.hob_hcyl : d.hcyl;
        case 6: return d.select;
        case 7:
            if (absent) return 0;
            d.irq_pending = false;
            update_irq();
            return d.status;
        default: return 0xFF;
    }
}

uint8_t AtaChannel::read_alternate_status() {
    if (!any_present()) return 0xFF;
    Drive& d = selected();
    return d.kind == AtaDeviceKind::kNone ? 0 : d.status;
}

void AtaChannel::write_register(unsigned offset, uint8_t value) {
    if (selected().status & kStatusBsy) return;
    device_control_ &= static_cast<uint8_t>(~kControlHob);  // any task file write clears HOB
    for (auto& dp : drives_) {
        Drive& d = *dp;
        auto latch = [value](uint8_t& current, uint8_t& previous) {
            previous = current;
            current = value;
        };
        switch (offset) {
            case 1: latch(d.feature, d.hob_feature); break;
            case 2: latch(d.nsector, d.hob_nsector); break;
            case 3: latch(d.sector, d.hob_sector); break;
            case 4: latch(d.lcyl, d.hob_lcyl); break;
            case 5: latch(d.hcyl, d.hob_hcyl); break;
            case 6: d.select = static_cast<uint8_t>(value | 0xA0); break;
            default: break;
        }
    }
    if (offset == 6) update_irq();
    if (offset == 7) {
        Drive& d = selected();
        if (d.kind == AtaDeviceKind::kNone) return;
        start_command(d, value);
    }
}

void AtaChannel::write_device_control(uint8_t value) {
    bool was_reset = device_control_ & kControlSrst;
    device_control_ = value;
    if (value & kControlSrst) {
        for (auto& dp : drives_) {
            Drive& d = *dp;
            d.timer.cancel();
            d.pending = Pending::kNone;
            d.phase = Phase::kIdle;
            d.irq_pending = false;
            if (d.kind != AtaDeviceKind::kNone) d.status = kStatusBsy;
        }
        bm_status_ &= static_cast<uint8_t>(~0x01);
    } else if (was_reset) {
        for (auto& dp : drives_) {
            if (dp->kind != AtaDeviceKind::kNone) arm(*dp, Pending::kResetDone, kCommandDelayNs);
        }
        drives_[0]->select &= static_cast<uint8_t>(~kDeviceDev);  // reset selects device 0
        drives_[1]->select &= static_cast<uint8_t>(~kDeviceDev);
    }
    update_irq();
}

void AtaChannel::software_reset_done(Drive& d) {
    set_signature(d);
    d.multiple_sectors = 0;
    d.translation = default_geometry(disk_sectors(d));
    if (d.kind == AtaDeviceKind::kCdrom) d.cdrom.reset();
}

uint16_t AtaChannel::read_data() {
    Drive& d = selected();
    if (d.phase != Phase::kDataIn || !(d.status & kStatusDrq)) return 0xFFFF;
    uint16_t v = static_cast<uint16_t>(d.buffer[d.buffer_pos] | d.buffer[d.buffer_pos + 1] << 8);
    d.buffer_pos += 2;
    if (d.buffer_pos >= d.buffer_end) block_transferred(d);
    return v;
}

void AtaChannel::write_data(uint16_t value) {
    Drive& d = selected();
    if ((d.phase != Phase::kDataOut && d.phase != Phase::kPacket) || !(d.status & kStatusDrq))
        return;
    d.buffer[d.buffer_pos] = static_cast<uint8_t>(value);
    d.buffer[d.buffer_pos + 1] = static_cast<uint8_t>(value >> 8);
    d.buffer_pos += 2;
    if (d.buffer_pos >= d.buffer_end) block_transferred(d);
}

void AtaChannel::run_pending(Drive& d) {
    Pending what = d.pending;
    d.pending = Pending::kNone;
    switch (what) {
        case Pending::kNone: break;
        case Pending::kExecute: execute(d); break;
        case Pending::kNextBlock:
            if (d.transfer == Transfer::kAtapi) {
                atapi_next_block(d);
            } else {
                disk_next_block(d);
            }
            break;
        case Pending::kCommit: disk_commit_block(d); break;
        case Pending::kPacketCommand: execute_packet(d); break;
        case Pending::kComplete: atapi_complete(d); break;
        case Pending::kResetDone: software_reset_done(d); break;
        case Pending::kDmaRun: run_dma(d); break;
    }
}

}  // namespace sandpc
