// A PC: the CPU, memory map, devices, BIOS and the virtual clock, wired
// together. The only place that knows every part. One thread drives a
// Machine; many Machines may live in one process.
//
// run() executes guest instructions in slices bounded by the next timer
// deadline, so device events happen at their exact virtual time; the CPU
// clock (instructions) and the scheduler stay equal. A halted CPU skips
// virtual time to the next event.
//
// Host input reaches the guest only at slice boundaries: the serial ports
// poll their backends there (at most once per millisecond of virtual time),
// on this thread. When bytes arrive depends on the host, so a run that takes
// serial input is not deterministic.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bios/bios.h"
#include "bios/boot/linux_loader.h"
#include "bios/boot/multiboot_loader.h"
#include "cpu/cpu.h"
#include "devices/acpi_pm/acpi_pm.h"
#include "devices/ata/ata_channel.h"
#include "devices/debug_console.h"
#include "devices/dma/isa_dma.h"
#include "devices/floppy/floppy_controller.h"
#include "devices/fw_cfg/fw_cfg.h"
#include "devices/i8042/i8042.h"
#include "devices/io_bus.h"
#include "devices/isa_debug_exit.h"
#include "devices/mmio_bus.h"
#include "devices/pci/i440fx.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/piix3.h"
#include "devices/pic_pair.h"
#include "devices/pit8254.h"
#include "devices/rtc146818.h"
#include "devices/scheduler.h"
#include "devices/serial_backend.h"
#include "devices/storage/block_backend.h"
#include "devices/system_control_port_a.h"
#include "devices/system_control_port_b.h"
#include "devices/uart16550.h"
#include "devices/vga/vga.h"
#include "frontends/machine/memory_map.h"

namespace sandpc {

enum class CpuEngine : uint8_t { kInterpreter, kJit };

struct MachineConfig {
    uint32_t ram_mb = 32;
    // kJit: hot blocks run as native code where the host allows it (else the
    // interpreter, and cpu_engine_note() says why). Both give the same
    // results, instruction counts and checkpoints.
    CpuEngine cpu_engine = CpuEngine::kJit;
    unsigned jit_threshold = 16;  // executions before a block is compiled
    // Firmware image for -bios; empty: the built-in BIOS.
    std::vector<uint8_t> bios_image;
    // Legacy option ROMs (`qemu -option-rom`), placed read-only in this order
    // from 0xC8000 on 2 KiB boundaries; each must pass option_rom::problem()
    // (else std::invalid_argument). Our BIOS's POST runs their init entries.
    std::vector<std::vector<uint8_t>> option_roms;
    std::string boot_order = "cad";
    std::array<BlockBackendPtr, 2> floppy;
    std::array<BlockBackendPtr, 4> hard_disk;
    // The disc in the ATAPI CD-ROM drive on the secondary master (where
    // `qemu -cdrom` puts it; -hdc cannot be used with it), 2048-byte sectors.
    BlockBackendPtr cdrom;
    // COM1-COM4; nullptr: no UART at that address. Not owned.
    std::array<SerialBackend*, 4> serial{};
    SerialBackend* debug_console = nullptr;  // port 0xE9; nullptr: absent
    bool isa_debug_exit = false;
    uint16_t isa_debug_exit_port = IsaDebugExit::kDefaultPort;
    int64_t rtc_epoch_unix = 0;  // the RTC's time at power-on
    uint64_t instructions_per_second = Scheduler::kDefaultInstructionsPerSecond;
    // Direct kernel boot (-kernel/-initrd/-append), after POST from INT 19h:
    // a Linux bzImage ("HdrS" header) enters its real-mode setup code as a
    // boot loader would, with `initrd`; any other file must be a Multiboot v1
    // kernel, entered in 32-bit protected mode with `modules`. The machine
    // refuses (std::invalid_argument) a Multiboot kernel that cannot load.
    std::vector<uint8_t> kernel;
    std::vector<uint8_t> initrd;
    std::string kernel_cmdline;
    std::string kernel_name = "kernel", initrd_name = "initrd";
    struct BootModule {
        std::vector<uint8_t> data;
        std::string cmdline;  // the module's string: its name and arguments
    };
    std::vector<BootModule> modules;
};

enum class MachineEvent : uint8_t {
    kNone,           // the slice ran out; call run() again
    kDebugExit,      // the guest wrote to isa-debug-exit (exit_status())
    kTripleFault,    // shutdown; the caller resets or stops
    kHaltedForever,  // HLT with interrupts disabled (nothing can wake it)
    kBootFailed,     // the BIOS found nothing to boot (boot_failure())
    kReset,          // the guest asked for a reset (already performed)
    kPowerOff,       // the guest switched the machine off (ACPI S5)
};

class Machine final : public CpuBus, public BiosHost {
  public:
    explicit Machine(MachineConfig config);
    ~Machine() override;
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    // Power-on / hard reset: every device and the CPU to their reset state.
    void reset();
    // Runs at most `instructions` of virtual time (halted time included).
    MachineEvent run(uint64_t instructions);

    uint64_t instructions() const { return cpu_.instruction_count(); }
    // Whether hot blocks run as native code, and if the JIT was asked for but
    // is unavailable, why (empty otherwise).
    bool jit_active() const { return compiler_ != nullptr; }
    const std::string& cpu_engine_note() const { return cpu_engine_note_; }
    const BlockStats& block_stats() const { return cpu_.block_stats(); }
    uint64_t now_ns() const override { return scheduler_.now_ns(); }
    std::optional<uint32_t> exit_status() const;
    const std::string& boot_failure() const { return boot_failure_; }
    // The text screen (text modes), rows joined by '\n'; empty in graphics.
    std::string text_screen() const { return vga_.text_screen(); }
    Vga& vga() { return vga_; }
    // Whether the guest is blocked waiting for a key (INT 16h, empty buffer).
    bool waiting_for_key() const { return waiting_for_key_; }
    // Types text on the PS/2 keyboard ('\n' = Enter); false if not accepted
    // now (the controller still has bytes queued).
    bool type_text(std::string_view text);
    I8042& keyboard_controller() { return kbc_; }

    // Every component's state (not RAM, not the media) as one stream of
    // sections; load() needs a Machine built from the same configuration and
    // RAM restored separately (see snapshot/checkpoint_file.h).
    void save(StateWriter& w, bool include_video_memory = true) const;
    void load(StateReader& r);
    // Drive slots: 0-1 floppies, 2-5 hard disks, 6 the CD; nullptr when empty.
    BlockBackend* drive_backend(unsigned slot) {
        return slot < 2 ? floppy(slot) : slot < 6 ? hard_disk(slot - 2) : cdrom();
    }

    Cpu& cpu() override { return cpu_; }
    IoBus& io() override { return io_; }
    MemoryMap& memory() { return memory_; }
    Scheduler& scheduler() { return scheduler_; }

    // CpuBus.
    uint8_t* page_pointer(uint32_t paddr, bool write) override {
        return memory_.page_pointer(paddr, write);
    }
    uint32_t mmio_read(uint32_t paddr, unsigned size) override;
    void mmio_write(uint32_t paddr, unsigned size, uint32_t value) override;
    uint32_t io_read(uint16_t port, unsigned size) override;
    void io_write(uint16_t port, unsigned size, uint32_t value) override;
    uint8_t interrupt_acknowledge() override;
    void set_ferr(bool asserted) override;

    // BiosHost.
    BlockBackend* floppy(unsigned drive) override;
    BlockBackend* hard_disk(unsigned index) override;
    BlockBackend* cdrom() override { return config_.cdrom.get(); }
    uint64_t ram_bytes() const override { return memory_.ram_size(); }
    void keyboard_wait() override { waiting_for_key_ = true; }
    void boot_failed(const std::string& why) override;
    void request_reset() override { reset_requested_ = true; }
    bool boot_kernel(Cpu& cpu) override;

  private:
    // fw_cfg items: RAM size, CPU count and, for -kernel, QEMU's kernel,
    // setup, initrd and command-line items (host configuration, so set
    // identically before a load()).
    void publish_fw_cfg();
    void place_option_roms();
    LinuxBootConfig linux_boot_config() const;
    bool boot_linux(Cpu& cpu);
    bool boot_multiboot(Cpu& cpu);
    MultibootConfig multiboot_config() const;
    void sync_clock();
    void poll_serial_input();
    void after_device_access();  // scheduler catches up with the CPU's instruction count
    void update_intr() { cpu_.set_intr(pic_.intr_pending()); }
    // The chipset combines both A20 sources: the line is off only when both are.
    void update_a20();

    MachineConfig config_;
    Scheduler scheduler_;
    IoBus io_;
    MmioBus mmio_;
    MemoryMap memory_;
    Cpu cpu_;
    std::unique_ptr<BlockCompiler> compiler_;
    std::string cpu_engine_note_;
    PicPair pic_;
    Pit8254 pit_;
    Rtc146818 rtc_;
    SystemControlPortA port_a_;
    SystemControlPortB port_b_;
    I8042 kbc_;
    Vga vga_;
    IsaDma dma_;
    FloppyController fdc_;
    AtaChannel ata_primary_, ata_secondary_;
    PciBus pci_;
    I440fx host_bridge_;
    Piix3Isa isa_bridge_;
    Piix3Ide ide_;
    AcpiPm acpi_pm_;
    FwCfg fw_cfg_;  // ports 0x510-0x511 (no DMA interface)
    bool power_off_ = false;
    bool ferr_ = false;
    IoBus::Mapping ferr_port_;
    std::array<std::unique_ptr<Uart16550>, 4> uarts_;
    std::unique_ptr<DebugConsole> debug_console_;
    std::unique_ptr<IsaDebugExit> debug_exit_;
    std::unique_ptr<Bios> bios_;  // nullptr with an external firmware image
    IoBus::Mapping post_port_;

    uint64_t slice_end_ns_ = 0;
    uint64_t last_serial_poll_ns_ = UINT64_MAX;  // UINT64_MAX: never
    bool waiting_for_key_ = false;
    bool reset_requested_ = false;
    bool boot_failed_ = false;
    std::string boot_failure_;
};

}  // namespace sandpc
