// Guest physical memory: RAM (one host allocation), the firmware ROM at the
// top of 4 GiB with its last 128 KiB also below 1 MiB, the option ROM area,
// and MMIO regions for everything else. The legacy hole 0xA0000-0xFFFFF is
// never RAM (the VGA window is MMIO; the BIOS and option ROM areas are ROM:
// PAM shadowing is not modelled).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "devices/mmio_bus.h"
#include "devices/physical_memory.h"

namespace sandpc {

class MemoryMap : public PhysicalMemory {
  public:
    MemoryMap(uint32_t ram_bytes, MmioBus& mmio);
    ~MemoryMap() override;
    MemoryMap(const MemoryMap&) = delete;
    MemoryMap& operator=(const MemoryMap&) = delete;

    uint32_t ram_size() const { return ram_size_; }
    std::span<uint8_t> ram() { return {ram_, ram_size_}; }
    // The firmware image: a multiple of 64 KiB, at most 1 MiB.
    void set_rom(std::vector<uint8_t> image);
    std::span<uint8_t> rom() { return rom_; }
    // Read-only memory at `base` in the legacy hole above the VGA window
    // (option ROMs); base and size are 4 KiB multiples, below the low
    // firmware window. The span lets the host (or a test) fill it.
    void set_option_rom_area(uint32_t base, std::vector<uint8_t> bytes);
    std::span<uint8_t> option_rom_area() { return option_roms_; }
    // Device memory reached as plain RAM pages (a linear framebuffer). The
    // span must stay valid while mapped; base and size are 4 KiB multiples.
    void add_ram_window(uint64_t base, std::span<uint8_t> memory);

    uint8_t* page_pointer(uint32_t paddr, bool write);
    uint32_t mmio_read(uint32_t paddr, unsigned size);
    void mmio_write(uint32_t paddr, unsigned size, uint32_t value);

    // PhysicalMemory (device bus masters, the host loading files).
    void read(uint64_t paddr, std::span<uint8_t> out) override;
    void write(uint64_t paddr, std::span<const uint8_t> data) override;
    // Called after every write through write(), so decoded code is dropped.
    void set_write_observer(std::function<void(uint32_t, uint32_t)> fn) {
        on_write_ = std::move(fn);
    }

  private:
    uint8_t* rom_page(uint32_t paddr);
    uint8_t* ram_ = nullptr;
    uint32_t ram_size_;
    MmioBus& mmio_;
    std::vector<uint8_t> rom_;
    uint32_t option_rom_base_ = 0;
    std::vector<uint8_t> option_roms_;
    struct RamWindow {
        uint64_t base;
        std::span<uint8_t> memory;
    };
    std::vector<RamWindow> windows_;
    std::function<void(uint32_t, uint32_t)> on_write_;
};

}  // namespace sandpc
