// Loads a Multiboot (version 1) kernel: finds the header in the first 8 KiB,
// loads the ELF32 PT_LOAD segments (or the a.out-kludge address range when
// header flag 16 is set), places the modules page aligned after the kernel
// and builds the Multiboot information structure (flags, mem_lower/upper,
// memory map, command line, boot loader name "sandpc", modules).
//
// Machine state the caller must set before jumping to `entry.eip` (Multiboot
// 0.6.96, section 3.2):
//   EAX = 0x2BADB002, EBX = entry.ebx (physical address of the info block)
//   CR0: PE = 1, PG = 0 (other bits as after POST)
//   CS: 32-bit execute/read code segment, base 0, limit 0xFFFFFFFF
//       (e.g. selector 0x08, access 0x9B, D = 1, G = 1)
//   DS, ES, FS, GS, SS: 32-bit read/write data segments, base 0, limit
//       0xFFFFFFFF (e.g. selector 0x10, access 0x93, B = 1, G = 1)
//   A20 gate enabled
//   EFLAGS: VM = 0, IF = 0 (bit 1 set, everything else may be 0)
//   ESP, GDTR, IDTR: undefined; the kernel sets its own before using them.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/physical_memory.h"

namespace sandpc {

class MultibootError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

constexpr uint32_t kMultibootHeaderMagic = 0x1BADB002;
constexpr uint32_t kMultibootBootMagic = 0x2BADB002;

// One entry of the BIOS memory map (E820 types: 1 usable, 2 reserved, ...).
struct MemoryRegion {
    uint64_t base = 0;
    uint64_t length = 0;
    uint32_t type = 1;
};

struct MultibootModule {
    std::span<const uint8_t> data;
    std::string cmdline;  // the module's string (usually its name and arguments)
};

struct MultibootConfig {
    std::string kernel_name = "kernel";  // for error messages
    uint64_t ram_bytes = 0;              // usable RAM from 0: nothing is placed at or above it
    std::vector<MemoryRegion> memory_map;
    std::string cmdline;
    std::vector<MultibootModule> modules;
    // Preferred place of the info block, strings and memory map (below the
    // EBDA); used unless a kernel segment overlaps it, then it goes after the
    // modules.
    uint32_t info_base = 0x8000;
    uint32_t info_limit = 0x9FC00;
};

struct ProtectedModeEntry {
    uint32_t eip = 0;
    uint32_t eax = kMultibootBootMagic;
    uint32_t ebx = 0;
};

struct MultibootHeader {
    uint32_t offset = 0;  // in the file
    uint32_t flags = 0;
    // Address fields (flag 16).
    uint32_t header_addr = 0, load_addr = 0, load_end_addr = 0, bss_end_addr = 0, entry_addr = 0;
};

// The header, or a MultibootError saying why the file is not Multiboot.
MultibootHeader find_multiboot_header(std::span<const uint8_t> image, const std::string& name);

struct MultibootResult {
    ProtectedModeEntry entry;
    uint32_t kernel_start = 0, kernel_end = 0;  // lowest and highest+1 loaded bytes
    std::vector<uint32_t> module_addrs;
    uint32_t info_addr = 0;
};

MultibootResult load_multiboot(PhysicalMemory& mem, std::span<const uint8_t> image,
                               const MultibootConfig& config);

}  // namespace sandpc
