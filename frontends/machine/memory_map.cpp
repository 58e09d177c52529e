#include "frontends/machine/memory_map.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#endif

namespace sandpc {

namespace {

constexpr uint32_t kHoleStart = 0xA0000;
constexpr uint32_t kVideoEnd = 0xC0000;
constexpr uint32_t kHoleEnd = 0x100000;
constexpr uint32_t kLowRomWindow = 0x20000;  // the ROM's last 128 KiB below 1 MiB

// Zeroed, page-aligned RAM; untouched pages cost nothing until used.
uint8_t* allocate_ram(size_t bytes) {
#if defined(__unix__) || defined(__APPLE__)
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
#else
    void* p = std::calloc(bytes, 1);
    if (!p) throw std::bad_alloc();
    return static_cast<uint8_t*>(p);
#endif
}

void free_ram(uint8_t* p, size_t bytes) {
#if defined(__unix__) || defined(__APPLE__)
    if (p) munmap(p, bytes);
#else
    (void)bytes;
    std::free(p);
#endif
}

}  // namespace

MemoryMap::MemoryMap(uint32_t ram_bytes, MmioBus& mmio) : ram_size_(ram_bytes), mmio_(mmio) {
    if (ram_bytes < (1u << 20) || ram_bytes % 4096)
        throw std::invalid_argument("RAM size must be at least 1 MiB and a multiple of 4 KiB");
    ram_ = allocate_ram(ram_bytes);
}

MemoryMap::~MemoryMap() {
    free_ram(ram_, ram_size_);
}

void MemoryMap::set_rom(std::vector<uint8_t> image) {
    if (image.empty() || image.size() % 0x10000 || image.size() > 0x100000)
        throw std::invalid_argument(
            "a firmware image must be a multiple of 64 KiB, at most 1 MiB (got " +
            std::to_string(image.size()) + " bytes)");
    rom_ = std::move(image);
}

void MemoryMap::set_option_rom_area(uint32_t base, std::vector<uint8_t> bytes) {
    uint32_t low_rom = kHoleEnd - std::min<uint32_t>(kLowRomWindow, uint32_t(rom_.size()));
    if (base % 4096 || bytes.size() % 4096 || base < kVideoEnd ||
        base + bytes.size() > (rom_.empty() ? kHoleEnd : low_rom))
        throw std::invalid_argument(
            "option ROM area must be page aligned, between the VGA "
            "window and the firmware");
    option_rom_base_ = base;
    option_roms_ = std::move(bytes);
}

void MemoryMap::add_ram_window(uint64_t base, std::span<uint8_t> memory) {
    if (base % 4096 || memory.size() % 4096 || base + memory.size() > 0x100000000ull)
        throw std::invalid_argument("RAM window must be page aligned and below 4 GiB");
    windows_.push_back({base, memory});
}

uint8_t* MemoryMap::rom_page(uint32_t paddr) {
    if (paddr >= option_rom_base_ && paddr - option_rom_base_ < option_roms_.size())
        return option_roms_.data() + ((paddr - option_rom_base_) & ~0xFFFu);
    if (rom_.empty()) return nullptr;
    uint32_t top_base = static_cast<uint32_t>(0x100000000ull - rom_.size());
    if (paddr >= top_base) return rom_.data() + ((paddr - top_base) & ~0xFFFu);
    uint32_t low_size = std::min<uint32_t>(kLowRomWindow, static_cast<uint32_t>(rom_.size()));
    if (paddr >= kHoleEnd - low_size && paddr < kHoleEnd)
        return rom_.data() + rom_.size() - (kHoleEnd - (paddr & ~0xFFFu));
    return nullptr;
}

uint8_t* MemoryMap::page_pointer(uint32_t paddr, bool write) {
    paddr &= ~0xFFFu;
    if (paddr < kHoleStart || (paddr >= kHoleEnd && paddr < ram_size_)) return ram_ + paddr;
    if (paddr < kVideoEnd && paddr >= kHoleStart) return nullptr;
    for (const RamWindow& w : windows_)
        if (paddr >= w.base && paddr - w.base < w.memory.size())
            return w.memory.data() + (paddr - w.base);
    if (write) return nullptr;
    return rom_page(paddr);
}

uint32_t MemoryMap::mmio_read(uint32_t paddr, unsigned size) {
    if (uint8_t* page = page_pointer(paddr, false)) {
        uint32_t v = 0;
        std::memcpy(&v, page + (paddr & 0xFFF), size);
        return v;
    }
    return static_cast<uint32_t>(mmio_.read(paddr, size));
}

void MemoryMap::mmio_write(uint32_t paddr, unsigned size, uint32_t value) {
    if (rom_page(paddr)) return;  // ROM ignores writes
    mmio_.write(paddr, size, value);
}

void MemoryMap::read(uint64_t paddr, std::span<uint8_t> out) {
    size_t done = 0;
    while (done < out.size()) {
        uint64_t a = paddr + done;
        size_t chunk = std::min<size_t>(out.size() - done, 0x1000 - (a & 0xFFF));
        if (a >= 0x100000000ull) {
            std::memset(out.data() + done, 0xFF, chunk);
        } else if (uint8_t* page = page_pointer(uint32_t(a), false)) {
            std::memcpy(out.data() + done, page + (a & 0xFFF), chunk);
        } else {
            for (size_t i = 0; i < chunk; ++i) out[done + i] = uint8_t(mmio_.read(a + i, 1));
        }
        done += chunk;
    }
}

void MemoryMap::write(uint64_t paddr, std::span<const uint8_t> data) {
    size_t done = 0;
    while (done < data.size()) {
        uint64_t a = paddr + done;
        size_t chunk = std::min<size_t>(data.size() - done, 0x1000 - (a & 0xFFF));
        if (a < 0x100000000ull) {
            if (uint8_t* page = page_pointer(uint32_t(a), true)) {
                std::memcpy(page + (a & 0xFFF), data.data() + done, chunk);
                if (on_write_) on_write_(uint32_t(a), uint32_t(chunk));
            } else if (!rom_page(uint32_t(a))) {
                for (size_t i = 0; i < chunk; ++i) mmio_.write(a + i, 1, data[done + i]);
            }
        }
        done += chunk;
    }
}

}  // namespace sandpc
