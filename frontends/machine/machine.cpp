#include "frontends/machine/machine.h"

#include <algorithm>
#include <stdexcept>

#include "bios/acpi/acpi_tables.h"
#include "bios/bda.h"
#include "bios/e820_map.h"
#include "bios/option_rom.h"
#include "devices/cmos_layout.h"
#include "devices/storage/borrowed_backend.h"
#include "jit/host_compiler.h"
#include "snapshot/state_stream.h"

namespace sandpc {

namespace {

constexpr uint16_t kComBases[4] = {0x3F8, 0x2F8, 0x3E8, 0x2E8};
constexpr unsigned kComIrqs[4] = {4, 3, 4, 3};
constexpr uint64_t kMaxSlice = 1 << 16;
// How often (virtual time) serial backends are asked for host input: about
// eleven characters' time at 115200 baud.
constexpr uint64_t kSerialInputPollNs = 1'000'000;
// Section "machine": version 2 adds the fw_cfg section after the BIOS's.
constexpr uint32_t kMachineStateVersion = 2;

MachineConfig&& checked_drives(MachineConfig& c) {
    if (c.cdrom && c.hard_disk[2])
        throw std::invalid_argument(
            "the CD-ROM drive is the secondary master: no third hard disk (-hdc) with it");
    if (c.cdrom && c.cdrom->size() % AtapiCdrom::kBlockSize != 0)
        throw std::invalid_argument("CD-ROM image " + c.cdrom->describe() + ": size " +
                                    std::to_string(c.cdrom->size()) +
                                    " is not a multiple of 2048-byte sectors");
    return std::move(c);
}

uint32_t checked_ram_bytes(uint32_t mb) {
    if (mb < 2 || mb > 3072)
        throw std::invalid_argument("RAM size must be 2..3072 MiB (got " + std::to_string(mb) +
                                    ")");
    return mb << 20;
}

// A loader's dry run: reads see zeros, writes are kept aside, the machine's
// memory is not touched.
class RecordingMemory final : public PhysicalMemory {
  public:
    void read(uint64_t, std::span<uint8_t> out) override { std::fill(out.begin(), out.end(), 0); }
    void write(uint64_t paddr, std::span<const uint8_t> data) override {
        writes.emplace_back(paddr, std::vector<uint8_t>(data.begin(), data.end()));
    }
    std::vector<uint8_t> written_at(uint64_t paddr) const {
        for (const auto& [addr, bytes] : writes)
            if (addr == paddr) return bytes;
        return {};
    }
    std::vector<std::pair<uint64_t, std::vector<uint8_t>>> writes;
};

}  // namespace

Machine::Machine(MachineConfig config)
    : config_(checked_drives(config)),
      scheduler_(config_.instructions_per_second),
      memory_(checked_ram_bytes(config_.ram_mb), mmio_),
      cpu_(*this, CpuConfig{memory_.ram_size()}),
      pic_(io_),
      pit_(io_, scheduler_, InterruptLine(pic_, 0)),
      rtc_(io_, scheduler_, InterruptLine(pic_, 8), config_.rtc_epoch_unix),
      port_a_(io_, [this](bool) { update_a20(); }),
      port_b_(io_, scheduler_, pit_),
      kbc_(
          io_, InterruptLine(pic_, 1), InterruptLine(pic_, 12), [this](bool) { update_a20(); },
          [this] { reset_requested_ = true; }),
      vga_(io_, mmio_, scheduler_),
      dma_(io_, memory_),
      fdc_(io_, scheduler_, InterruptLine(pic_, 6), dma_),
      ata_primary_(io_, scheduler_, InterruptLine(pic_, 14), 0x1F0, 0x3F6, "ata0", &memory_),
      ata_secondary_(io_, scheduler_, InterruptLine(pic_, 15), 0x170, 0x376, "ata1", &memory_),
      pci_(io_),
      acpi_pm_(
          io_, scheduler_, InterruptLine(pic_, 9), AcpiPmConfig{},
          [this] {
              power_off_ = true;
              cpu_.request_stop();
          },
          [this] { reset_requested_ = true; }),
      fw_cfg_(io_) {
    for (unsigned i = 0; i < 4; ++i) {
        if (config_.serial[i])
            uarts_[i] =
                std::make_unique<Uart16550>(io_, scheduler_, InterruptLine(pic_, kComIrqs[i]),
                                            kComBases[i], *config_.serial[i]);
    }
    if (config_.debug_console)
        debug_console_ = std::make_unique<DebugConsole>(io_, *config_.debug_console);
    if (config_.isa_debug_exit)
        debug_exit_ = std::make_unique<IsaDebugExit>(io_, config_.isa_debug_exit_port);
    // POST-code port: accepted and ignored (also Linux's I/O delay port).
    IoPortHandlers post;
    post.read8 = [](uint16_t) -> uint8_t { return 0xFF; };
    post.write8 = [](uint16_t, uint8_t) {};
    post_port_ = io_.map(0x80, 1, std::move(post));

    // Storage: the controllers and the BIOS share the host's backends.
    for (unsigned i = 0; i < 2; ++i) {
        if (config_.floppy[i]) {
            if (i == 1) fdc_.set_drive_type(1, FloppyDriveType::k1440K);
            fdc_.insert_medium(i, borrow_backend(config_.floppy[i].get()));
        }
    }
    for (unsigned i = 0; i < 4; ++i) {
        if (!config_.hard_disk[i]) continue;
        AtaChannel& channel = i < 2 ? ata_primary_ : ata_secondary_;
        channel.attach_disk(i & 1, borrow_backend(config_.hard_disk[i].get()));
    }
    if (config_.cdrom) {
        ata_secondary_.attach_cdrom(0);
        ata_secondary_.insert_medium(0, borrow_backend(config_.cdrom.get()));
    }
    // PCI: host bridge, PIIX3 ISA bridge and its IDE function, whose BAR4
    // places the bus-master registers of both channels.
    pci_.attach(0, 0, host_bridge_);
    pci_.attach(1, 0, isa_bridge_);
    pci_.attach(1, 1, ide_);
    ide_.set_change_callback([this] {
        uint16_t base = ide_.bus_master_base().value_or(0);
        ata_primary_.set_bus_master_base(base);
        ata_secondary_.set_bus_master_base(base ? uint16_t(base + 8) : 0);
    });
    // FERR# reaches IRQ 13; a write to port 0xF0 asserts IGNNE# until the
    // FPU drops FERR# (the PC/AT's coprocessor error logic).
    IoPortHandlers f0;
    f0.read8 = [](uint16_t) -> uint8_t { return 0xFF; };
    f0.write8 = [this](uint16_t, uint8_t) {
        if (ferr_) {
            cpu_.set_ignne(true);
            pic_.set_irq_level(13, false);
        }
    };
    ferr_port_ = io_.map(0xF0, 1, std::move(f0));
    // The linear framebuffer is plain memory: map it as RAM pages.
    memory_.add_ram_window(vga_.lfb_base(), vga_.linear_framebuffer());
    memory_.set_write_observer([this](uint32_t a, uint32_t n) { cpu_.invalidate_physical(a, n); });
    if (config_.cpu_engine == CpuEngine::kJit) {
        compiler_ = make_host_block_compiler(cpu_engine_note_);
        if (compiler_) cpu_.set_block_compiler(compiler_.get(), config_.jit_threshold);
    }
    if (config_.bios_image.empty()) {
        BiosConfig bc;
        bc.boot_order = config_.boot_order;
        bios_ = std::make_unique<Bios>(*this, bc);
        memory_.set_rom(bios_->rom().image());
    } else {
        memory_.set_rom(config_.bios_image);
    }
    place_option_roms();

    PcCmosConfig cmos;
    cmos.ram_bytes = memory_.ram_size();
    cmos.floppy_a = static_cast<FloppyType>(fdc_.cmos_drive_types() >> 4);
    cmos.floppy_b = static_cast<FloppyType>(fdc_.cmos_drive_types() & 0x0F);
    cmos.hard_disk0_type = hard_disk(0) ? 47 : 0;
    cmos.hard_disk1_type = hard_disk(1) ? 47 : 0;
    fill_pc_cmos(rtc_, cmos);
    if (!config_.kernel.empty() && !has_linux_setup_header(config_.kernel)) {
        try {
            RecordingMemory nowhere;
            load_multiboot(nowhere, config_.kernel, multiboot_config());
        } catch (const MultibootError& e) {
            throw std::invalid_argument(std::string(e.what()) +
                                        " (-kernel takes a Linux bzImage or a Multiboot kernel)");
        }
    }
    publish_fw_cfg();
    reset();
}

Machine::~Machine() = default;

void Machine::place_option_roms() {
    if (config_.option_roms.empty()) return;
    std::vector<uint8_t> area(option_rom::kAreaEnd - option_rom::kAreaBase, 0xFF);
    uint32_t at = 0;
    for (size_t i = 0; i < config_.option_roms.size(); ++i) {
        const std::vector<uint8_t>& image = config_.option_roms[i];
        std::string name = "option ROM " + std::to_string(i + 1);
        if (std::string why = option_rom::problem(image); !why.empty())
            throw std::invalid_argument(name + ": " + why);
        if (at + image.size() > area.size())
            throw std::invalid_argument(name + ": no room left below 0xE0000");
        std::copy(image.begin(), image.end(), area.begin() + at);
        at += uint32_t(image.size());
        at = (at + option_rom::kAlign - 1) / option_rom::kAlign * option_rom::kAlign;
    }
    area.resize((at + 0xFFF) & ~0xFFFu);
    memory_.set_option_rom_area(option_rom::kAreaBase, std::move(area));
}

void Machine::publish_fw_cfg() {
    fw_cfg_.set_ram_size(memory_.ram_size());
    fw_cfg_.set_cpu_count(1);
    if (config_.kernel.empty()) return;
    if (!has_linux_setup_header(config_.kernel)) {
        fw_cfg_.set_u32(fw_cfg::kCmdlineSize, uint32_t(config_.kernel_cmdline.size() + 1));
        fw_cfg_.set_string(fw_cfg::kCmdlineData, config_.kernel_cmdline);
        return;
    }
    // The layout INT 19h will load, from a dry run of the same loader.
    RecordingMemory layout;
    LinuxBootResult r;
    try {
        r = load_linux(layout, config_.kernel, config_.initrd, config_.kernel_cmdline,
                       linux_boot_config());
    } catch (const LinuxBootError&) {
        return;  // reported when INT 19h tries to boot it
    }
    const LinuxBootConfig lc = linux_boot_config();
    const std::vector<uint8_t> setup = layout.written_at(lc.setup_base);
    FwCfgKernelBoot b;
    b.setup_addr = lc.setup_base;
    b.setup = setup;
    b.kernel_addr = r.kernel_addr;
    b.kernel = std::span(config_.kernel).subspan(setup.size());
    b.cmdline_addr = r.cmdline_addr;
    b.cmdline = config_.kernel_cmdline;
    b.initrd_addr = r.initrd_addr;
    b.initrd = config_.initrd;
    fw_cfg_.set_kernel_boot(b);
}

void Machine::reset() {
    cpu_.reset();
    cpu_.set_instruction_count(scheduler_.instructions());
    // The chipset comes out of reset with A20 on (the 8042's output port
    // A20 bit set, as on AT boards), fast A20 off.
    port_a_.write(0x00);
    io_.write8(I8042::kStatusPort, 0xD1);
    io_.write8(I8042::kDataPort, 0xCF);
    update_a20();
    waiting_for_key_ = false;
    reset_requested_ = false;
    update_intr();
}

void Machine::sync_clock() {
    uint64_t now = cpu_.instruction_count();
    if (now > scheduler_.instructions()) scheduler_.advance(now - scheduler_.instructions());
}

MachineEvent Machine::run(uint64_t instructions) {
    uint64_t end = scheduler_.instructions() + instructions;
    while (scheduler_.instructions() < end) {
        scheduler_.run_due_events();
        poll_serial_input();
        update_intr();
        uint64_t budget = std::min({scheduler_.instructions_until_next_event(),
                                    end - scheduler_.instructions(), kMaxSlice});
        if (budget == 0) continue;
        slice_end_ns_ =
            scheduler_.now_ns() + budget * 1'000'000'000 / scheduler_.instructions_per_second();
        StopReason why = cpu_.run(budget);
        sync_clock();
        if (debug_exit_ && debug_exit_->exit_requested()) return MachineEvent::kDebugExit;
        if (boot_failed_) return MachineEvent::kBootFailed;
        if (power_off_) return MachineEvent::kPowerOff;
        if (reset_requested_ || port_a_.take_reset_request()) {
            reset();
            return MachineEvent::kReset;
        }
        if (why == StopReason::kShutdown) return MachineEvent::kTripleFault;
        if (why == StopReason::kHalted) {
            if (!(cpu_.s.eflags & eflags::IF)) return MachineEvent::kHaltedForever;
            // Idle: jump to the next timer event (or the end of the slice).
            uint64_t next = scheduler_.instructions_until_next_event();
            if (next == Scheduler::kNever) return MachineEvent::kHaltedForever;
            uint64_t skip = std::min(next, end - scheduler_.instructions());
            scheduler_.advance(skip);
            cpu_.set_instruction_count(scheduler_.instructions());
        }
    }
    scheduler_.run_due_events();
    update_intr();
    return MachineEvent::kNone;
}

void Machine::poll_serial_input() {
    uint64_t now = scheduler_.now_ns();
    if (now >= last_serial_poll_ns_ && now - last_serial_poll_ns_ < kSerialInputPollNs) return;
    last_serial_poll_ns_ = now;
    for (const auto& uart : uarts_)
        if (uart) uart->poll_input();
}

std::optional<uint32_t> Machine::exit_status() const {
    return debug_exit_ ? debug_exit_->exit_status() : std::nullopt;
}

uint32_t Machine::mmio_read(uint32_t paddr, unsigned size) {
    sync_clock();
    return memory_.mmio_read(paddr, size);
}

void Machine::mmio_write(uint32_t paddr, unsigned size, uint32_t value) {
    sync_clock();
    memory_.mmio_write(paddr, size, value);
    update_intr();
    after_device_access();
}

uint32_t Machine::io_read(uint16_t port, unsigned size) {
    sync_clock();
    uint32_t v = io_.read(port, size);
    update_intr();
    after_device_access();
    return v;
}

void Machine::io_write(uint16_t port, unsigned size, uint32_t value) {
    sync_clock();
    if (port == BiosRom::kTrapPort && size == 1 && bios_ && cpu_.mode() != CpuMode::kProtected) {
        if (bios_->trap(cpu_.s.seg[CS].base + cpu_.s.eip)) {
            update_intr();
            return;
        }
    }
    io_.write(port, size, value);
    update_intr();
    after_device_access();
}

void Machine::after_device_access() {
    // The host must see an exit request at once, and a timer armed earlier
    // than the running slice ends must fire on time.
    if ((debug_exit_ && debug_exit_->exit_requested()) || reset_requested_ ||
        scheduler_.instructions_until_next_event() == 0 ||
        scheduler_.next_deadline_ns() < slice_end_ns_)
        cpu_.request_stop();
}

void Machine::set_ferr(bool asserted) {
    ferr_ = asserted;
    if (!asserted) cpu_.set_ignne(false);
    pic_.set_irq_level(13, asserted);
}

uint8_t Machine::interrupt_acknowledge() {
    uint8_t vector = pic_.acknowledge();
    update_intr();
    return vector;
}

BlockBackend* Machine::floppy(unsigned drive) {
    return drive < 2 ? config_.floppy[drive].get() : nullptr;
}

BlockBackend* Machine::hard_disk(unsigned index) {
    return index < 4 ? config_.hard_disk[index].get() : nullptr;
}

bool Machine::boot_kernel(Cpu& cpu) {
    if (config_.kernel.empty()) return false;
    return has_linux_setup_header(config_.kernel) ? boot_linux(cpu) : boot_multiboot(cpu);
}

LinuxBootConfig Machine::linux_boot_config() const {
    LinuxBootConfig lc;
    lc.kernel_name = config_.kernel_name;
    lc.initrd_name = config_.initrd_name;
    lc.ram_bytes = memory_.ram_size();
    lc.ram_limit = acpi_region_base(memory_.ram_size());  // keep the ACPI tables
    return lc;
}

bool Machine::boot_linux(Cpu& cpu) {
    LinuxBootResult boot;
    try {
        boot = load_linux(memory_, config_.kernel, config_.initrd, config_.kernel_cmdline,
                          linux_boot_config());
    } catch (const LinuxBootError& e) {
        boot_failed(e.what());
        return false;
    }
    const RealModeEntry& e = boot.entry;
    for (unsigned seg : {DS, ES, FS, GS, SS}) cpu.load_segment(seg, e.ds);
    cpu.load_segment(SS, e.ss);
    cpu.s.gpr[ESP] = e.sp;
    cpu.set_eflags(0, eflags::IF);
    cpu.push<uint16_t>(e.cs);
    cpu.push<uint16_t>(e.ip);
    return true;
}

MultibootConfig Machine::multiboot_config() const {
    MultibootConfig mc;
    mc.kernel_name = config_.kernel_name;
    // Modules and a displaced info block stay below the ACPI tables.
    mc.ram_bytes = acpi_region_base(memory_.ram_size());
    for (const E820Entry& e : pc_e820_map(memory_.ram_size()))
        mc.memory_map.push_back({e.base, e.length, e.type});
    mc.cmdline = config_.kernel_cmdline;
    for (const MachineConfig::BootModule& m : config_.modules)
        mc.modules.push_back({m.data, m.cmdline});
    mc.info_limit = bda::kEbda;
    return mc;
}

// Multiboot 0.6.96 section 3.2: flat 32-bit code and data segments, paging
// off, A20 on, IF = 0, EAX = magic, EBX = the info block. GDTR and IDTR keep
// their real-mode values (the spec leaves them undefined). The INT 19h
// trap's OUT finishes by jumping to next_eip.
bool Machine::boot_multiboot(Cpu& cpu) {
    MultibootResult boot;
    try {
        boot = load_multiboot(memory_, config_.kernel, multiboot_config());
    } catch (const MultibootError& e) {
        boot_failed(e.what());
        return false;
    }
    io_.write8(0x92, uint8_t((io_.read8(0x92) | 0x02) & ~0x01));  // fast A20 on, no reset
    cpu.write_cr0((cpu.s.cr0 | cr0::PE) & ~cr0::PG);
    cpu.set_segment_cache(CS, 0x08, 0, 0xFFFFFFFF, 0xCF9B);
    for (unsigned seg : {DS, ES, FS, GS, SS})
        cpu.set_segment_cache(seg, 0x10, 0, 0xFFFFFFFF, 0xCF93);
    cpu.set_eflags(0, eflags::IF | eflags::DF | eflags::TF | eflags::VM | eflags::AC);
    cpu.s.gpr[EAX] = boot.entry.eax;
    cpu.s.gpr[EBX] = boot.entry.ebx;
    cpu.next_eip = boot.entry.eip;
    cpu.end_block();
    return true;
}

void Machine::boot_failed(const std::string& why) {
    boot_failed_ = true;
    if (boot_failure_.empty()) boot_failure_ = why;
}

bool Machine::type_text(std::string_view text) {
    if (!kbc_.idle()) return false;
    waiting_for_key_ = false;
    return kbc_.type_text(text);
}

void Machine::update_a20() {
    cpu_.set_a20(port_a_.a20_enabled() || kbc_.a20_enabled());
}

void Machine::save(StateWriter& w, bool include_video_memory) const {
    w.begin_section("machine", kMachineStateVersion);
    w.u32(memory_.ram_size());
    w.boolean(waiting_for_key_);
    w.boolean(boot_failed_);
    w.str(boot_failure_);
    w.boolean(ferr_);
    w.boolean(power_off_);
    w.end_section();
    // The scheduler first and the PICs before the devices that drive them:
    // load() re-arms timers and re-drives interrupt lines in this order.
    scheduler_.save(w);
    cpu_.save(w);
    pic_.save(w);
    pit_.save(w);
    rtc_.save(w);
    port_a_.save(w);
    port_b_.save(w);
    kbc_.save(w);
    vga_.save(w, include_video_memory);
    dma_.save(w);
    fdc_.save(w);
    ata_primary_.save(w);
    ata_secondary_.save(w);
    pci_.save(w);
    acpi_pm_.save(w);
    for (const auto& uart : uarts_)
        if (uart) uart->save(w);
    if (debug_console_) debug_console_->save(w);
    if (debug_exit_) debug_exit_->save(w);
    if (bios_) bios_->save(w);
    fw_cfg_.save(w);
}

void Machine::load(StateReader& r) {
    const uint32_t version = r.begin_section("machine", kMachineStateVersion);
    uint32_t ram = r.u32();
    if (ram != memory_.ram_size())
        throw StateError("machine: the state is for " + std::to_string(ram >> 20) +
                         " MiB of RAM, this machine has " +
                         std::to_string(memory_.ram_size() >> 20) + " MiB");
    bool waiting = r.boolean();
    bool failed = r.boolean();
    std::string failure = r.str();
    bool ferr = r.boolean();
    bool power_off = r.boolean();
    r.end_section();
    scheduler_.load(r);
    cpu_.load(r);
    pic_.load(r);
    pit_.load(r);
    rtc_.load(r);
    port_a_.load(r);
    port_b_.load(r);
    kbc_.load(r);
    vga_.load(r);
    dma_.load(r);
    fdc_.load(r);
    for (unsigned i = 0; i < 2; ++i)
        if (config_.floppy[i]) fdc_.reattach_medium(i, borrow_backend(config_.floppy[i].get()));
    ata_primary_.load(r);
    ata_secondary_.load(r);
    pci_.load(r);
    acpi_pm_.load(r);
    for (const auto& uart : uarts_)
        if (uart) uart->load(r);
    if (debug_console_) debug_console_->load(r);
    if (debug_exit_) debug_exit_->load(r);
    if (bios_) bios_->load(r);
    if (version >= 2)
        fw_cfg_.load(r);
    else
        fw_cfg_.select(fw_cfg::kSignature);  // version 1: the machine had no fw_cfg
    waiting_for_key_ = waiting;
    boot_failed_ = failed;
    boot_failure_ = failure;
    ferr_ = ferr;
    power_off_ = power_off;
    reset_requested_ = false;
    update_a20();
    update_intr();
}

}  // namespace sandpc
