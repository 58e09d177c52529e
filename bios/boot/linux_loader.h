// Loads a Linux bzImage the way a real-mode boot loader does (Linux x86 boot
// protocol, Documentation/arch/x86/boot.rst, protocol 2.02 or newer):
//
//   setup_base + 0x0000  real-mode setup code (the first (setup_sects+1)*512
//                        bytes of the file, header fields patched)
//   setup_base + heap    heap and stack up to kHeapEnd (SP starts there)
//   setup_base + 0xE000  command line (cmd_line_ptr)
//   0x100000             protected-mode kernel (the rest of the file)
//   high, page aligned   initrd, as high as initrd_addr_max and RAM allow,
//                        never inside the region the kernel decompresses into
//
// The machine runs POST first (the setup code calls INT 10h/15h/16h) and
// then, instead of INT 19h, starts the CPU in real mode at the returned entry.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "devices/physical_memory.h"

namespace sandpc {

class LinuxBootError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The setup header fields a loader reads (offsets from boot.rst).
struct LinuxSetupHeader {
    uint8_t setup_sects = 0;  // as in the file (0 means 4)
    uint32_t syssize = 0;     // 16-byte paragraphs of protected-mode code
    uint16_t protocol = 0;    // e.g. 0x020F
    uint8_t loadflags = 0;
    uint32_t code32_start = 0;
    uint32_t initrd_addr_max = 0;  // highest address the initrd may occupy
    uint32_t kernel_alignment = 0;
    bool relocatable = false;
    uint32_t cmdline_size = 0;  // longest command line, without the NUL
    uint64_t pref_address = 0;  // 0 before protocol 2.10
    uint32_t init_size = 0;     // 0 before protocol 2.10
    uint16_t kernel_version_offset = 0;
    std::string kernel_version;  // the version string the header points at

    // Bytes of real-mode setup code including the boot sector.
    uint32_t setup_bytes() const { return (setup_sects == 0 ? 4u : setup_sects) * 512u + 512u; }
};

constexpr uint8_t kLinuxLoadedHigh = 0x01;
constexpr uint8_t kLinuxCanUseHeap = 0x80;

// Whether the file carries the "HdrS" setup header (protocol 2.00+).
bool has_linux_setup_header(std::span<const uint8_t> image);

// Parses and validates the header; `name` (the file name) starts every error.
LinuxSetupHeader parse_linux_header(std::span<const uint8_t> image, const std::string& name);

struct LinuxBootConfig {
    std::string kernel_name = "kernel";  // for error messages
    std::string initrd_name = "initrd";
    uint64_t ram_bytes = 0;
    // Highest usable RAM address (exclusive) for the initrd; 0: ram_bytes.
    // Lower it to keep tables at the top of RAM free.
    uint64_t ram_limit = 0;
    // Where the real-mode part goes (16-byte aligned, setup_base + 0x10000
    // must stay below the EBDA).
    uint32_t setup_base = 0x10000;
    uint32_t ebda_base = 0x9FC00;
};

struct RealModeEntry {
    uint16_t cs = 0, ip = 0;
    uint16_t ds = 0;  // also ES, FS, GS
    uint16_t ss = 0, sp = 0;
};

struct LinuxBootResult {
    RealModeEntry entry;
    LinuxSetupHeader header;
    uint32_t kernel_addr = 0, kernel_size = 0;
    uint32_t cmdline_addr = 0;
    uint32_t initrd_addr = 0, initrd_size = 0;  // 0, 0 without an initrd
    // [kernel_run_start, kernel_run_end): where the kernel decompresses and
    // runs; the initrd is kept out of it.
    uint64_t kernel_run_start = 0, kernel_run_end = 0;
};

constexpr uint32_t kLinuxKernelLoadAddr = 0x100000;
constexpr uint16_t kLinuxHeapEnd = 0xE000;  // offset in the setup segment
constexpr uint16_t kLinuxCmdlineOffset = 0xE000;

// Validates everything first and writes guest memory only when the whole
// layout fits; throws LinuxBootError naming the file and field otherwise.
LinuxBootResult load_linux(PhysicalMemory& mem, std::span<const uint8_t> kernel,
                           std::span<const uint8_t> initrd, const std::string& cmdline,
                           const LinuxBootConfig& config);

}  // namespace sandpc
