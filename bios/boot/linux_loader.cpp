#include "bios/boot/linux_loader.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "bios/boot/le_bytes.h"

namespace sandpc {

namespace {

// Setup header offsets (boot.rst, "The real-mode kernel header").
constexpr size_t kSetupSects = 0x1F1;
constexpr size_t kSyssize = 0x1F4;
constexpr size_t kVidMode = 0x1FA;
constexpr size_t kBootFlag = 0x1FE;
constexpr size_t kHeaderMagic = 0x202;
constexpr size_t kVersion = 0x206;
constexpr size_t kKernelVersion = 0x20E;
constexpr size_t kTypeOfLoader = 0x210;
constexpr size_t kLoadflags = 0x211;
constexpr size_t kCode32Start = 0x214;
constexpr size_t kRamdiskImage = 0x218;
constexpr size_t kRamdiskSize = 0x21C;
constexpr size_t kHeapEndPtr = 0x224;
constexpr size_t kCmdLinePtr = 0x228;
constexpr size_t kInitrdAddrMax = 0x22C;
constexpr size_t kKernelAlignment = 0x230;
constexpr size_t kRelocatable = 0x234;
constexpr size_t kCmdlineSize = 0x238;
constexpr size_t kPrefAddress = 0x258;
constexpr size_t kInitSize = 0x260;
constexpr size_t kHeaderEnd = 0x268;

constexpr uint32_t kHdrS = 0x53726448;  // "HdrS"
constexpr uint32_t kRealModeLimit = 0x8000;
constexpr uint64_t kFourGiB = 0x100000000ull;

std::string hex(uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

[[noreturn]] void fail(const std::string& name, const std::string& what) {
    throw LinuxBootError(name + ": " + what);
}

uint64_t align_up(uint64_t v, uint64_t a) {
    return a == 0 ? v : (v + a - 1) / a * a;
}

}  // namespace

bool has_linux_setup_header(std::span<const uint8_t> image) {
    return image.size() >= kHeaderMagic + 4 && le32(image, kHeaderMagic) == kHdrS;
}

LinuxSetupHeader parse_linux_header(std::span<const uint8_t> image, const std::string& name) {
    if (image.size() < 1024) {
        fail(name, "not a Linux kernel: " + std::to_string(image.size()) +
                       " bytes is too small for a bzImage");
    }
    if (le16(image, kBootFlag) != 0xAA55) {
        fail(name, "not a Linux kernel: boot_flag is " + hex(le16(image, kBootFlag)) +
                       ", expected 0xaa55");
    }
    if (le32(image, kHeaderMagic) != kHdrS) {
        fail(name, "not a bzImage: no \"HdrS\" setup header (boot protocol before 2.00)");
    }
    LinuxSetupHeader h;
    h.protocol = le16(image, kVersion);
    if (h.protocol < 0x0202) {
        fail(name, "boot protocol version " + hex(h.protocol) + " is too old (2.02 needed)");
    }
    h.setup_sects = image[kSetupSects];
    h.syssize = le32(image, kSyssize);
    h.loadflags = image[kLoadflags];
    h.code32_start = le32(image, kCode32Start);
    if (!(h.loadflags & kLinuxLoadedHigh)) {
        fail(name, "not a bzImage: loadflags.LOADED_HIGH is clear (zImage is not supported)");
    }
    const uint32_t setup = h.setup_bytes();
    if (setup > kRealModeLimit) {
        fail(name, "setup_sects " + std::to_string(h.setup_sects) +
                       " makes the real-mode code larger than 32 KiB");
    }
    if (setup >= image.size() || image.size() < kHeaderEnd) {
        fail(name, "truncated: setup_sects says " + std::to_string(setup) +
                       " bytes of setup code, the file has " + std::to_string(image.size()));
    }
    const uint64_t payload = image.size() - setup;
    if (h.protocol >= 0x0204 && uint64_t{h.syssize} * 16 > payload) {
        fail(name, "truncated: syssize says " + std::to_string(uint64_t{h.syssize} * 16) +
                       " bytes of kernel, the file has " + std::to_string(payload));
    }
    h.initrd_addr_max = h.protocol >= 0x0203 ? le32(image, kInitrdAddrMax) : 0x37FFFFFF;
    if (h.protocol >= 0x0205) {
        h.kernel_alignment = le32(image, kKernelAlignment);
        h.relocatable = image[kRelocatable] != 0;
        if (h.relocatable && (h.kernel_alignment & (h.kernel_alignment - 1)) != 0) {
            fail(name, "kernel_alignment " + hex(h.kernel_alignment) + " is not a power of two");
        }
    }
    h.cmdline_size = h.protocol >= 0x0206 ? le32(image, kCmdlineSize) : 255;
    if (h.protocol >= 0x020A) {
        h.pref_address = le64(image, kPrefAddress);
        h.init_size = le32(image, kInitSize);
    }
    h.kernel_version_offset = le16(image, kKernelVersion);
    if (h.kernel_version_offset != 0) {
        for (size_t i = h.kernel_version_offset + 0x200u; i < setup && image[i] != 0; ++i) {
            if (h.kernel_version.size() == 256) break;
            h.kernel_version.push_back(static_cast<char>(image[i]));
        }
    }
    return h;
}

LinuxBootResult load_linux(PhysicalMemory& mem, std::span<const uint8_t> kernel,
                           std::span<const uint8_t> initrd, const std::string& cmdline,
                           const LinuxBootConfig& config) {
    const std::string& name = config.kernel_name;
    LinuxBootResult r;
    r.header = parse_linux_header(kernel, name);
    const LinuxSetupHeader& h = r.header;

    if (config.setup_base % 16 != 0 || config.setup_base < 0x1000 ||
        uint64_t{config.setup_base} + 0x10000 > config.ebda_base) {
        fail(name, "setup base " + hex(config.setup_base) + " is not usable");
    }
    const uint64_t ram = std::min(config.ram_bytes, kFourGiB);
    const uint64_t limit = config.ram_limit ? std::min(config.ram_limit, ram) : ram;

    // Protected-mode part and the region the kernel decompresses into.
    const uint32_t setup = h.setup_bytes();
    r.kernel_addr = kLinuxKernelLoadAddr;
    const uint64_t kernel_bytes = kernel.size() - setup;
    if (kernel_bytes > limit) {
        fail(name, "kernel of " + std::to_string(kernel_bytes) + " bytes is larger than RAM");
    }
    r.kernel_size = static_cast<uint32_t>(kernel_bytes);
    uint64_t run_start = r.kernel_addr;
    if (h.protocol >= 0x020A && h.pref_address != 0) {
        run_start = h.pref_address;
        if (h.relocatable) {
            run_start =
                std::max<uint64_t>(align_up(r.kernel_addr, h.kernel_alignment), h.pref_address);
        }
    }
    r.kernel_run_start = std::min<uint64_t>(run_start, r.kernel_addr);
    r.kernel_run_end =
        std::max<uint64_t>(uint64_t{r.kernel_addr} + r.kernel_size, run_start + h.init_size);
    if (r.kernel_run_end > limit) {
        fail(name, "kernel does not fit in RAM: it needs memory up to " + hex(r.kernel_run_end) +
                       " (" + std::to_string(r.kernel_size) + " bytes loaded, init_size " +
                       std::to_string(h.init_size) + "), the machine has " +
                       std::to_string(ram >> 20) + " MiB");
    }

    // Command line after the heap, below the EBDA.
    if (cmdline.find('\0') != std::string::npos) fail(name, "command line contains a NUL byte");
    if (cmdline.size() > h.cmdline_size) {
        fail(name, "command line is " + std::to_string(cmdline.size()) +
                       " bytes, the kernel's cmdline_size allows " +
                       std::to_string(h.cmdline_size));
    }
    r.cmdline_addr = config.setup_base + kLinuxCmdlineOffset;
    if (uint64_t{r.cmdline_addr} + cmdline.size() + 1 > config.ebda_base) {
        fail(name, "command line of " + std::to_string(cmdline.size()) +
                       " bytes would run into the EBDA");
    }

    // Initrd: page aligned, as high as initrd_addr_max and RAM allow.
    if (!initrd.empty()) {
        const uint64_t top = std::min<uint64_t>(uint64_t{h.initrd_addr_max} + 1, limit);
        const uint64_t size = initrd.size();
        const uint64_t addr = size <= top ? (top - size) & ~uint64_t{0xFFF} : 0;
        if (size > top || addr < r.kernel_run_end) {
            fail(config.initrd_name,
                 "initrd of " + std::to_string(size) + " bytes does not fit between the kernel (" +
                     hex(r.kernel_run_end) + ") and " + hex(top) + " (min of initrd_addr_max " +
                     hex(h.initrd_addr_max) + " and usable RAM)");
        }
        r.initrd_addr = static_cast<uint32_t>(addr);
        r.initrd_size = static_cast<uint32_t>(size);
    }

    // Real-mode part with the header fields a loader fills in.
    std::vector<uint8_t> real(kernel.begin(), kernel.begin() + setup);
    put_le16(real, kVidMode, 0xFFFF);
    real[kTypeOfLoader] = 0xFF;
    real[kLoadflags] = static_cast<uint8_t>(h.loadflags | kLinuxCanUseHeap);
    put_le16(real, kHeapEndPtr, kLinuxHeapEnd - 0x200);
    put_le32(real, kCmdLinePtr, r.cmdline_addr);
    put_le32(real, kRamdiskImage, r.initrd_addr);
    put_le32(real, kRamdiskSize, r.initrd_size);

    mem.write(config.setup_base, real);
    mem.write(r.kernel_addr, kernel.subspan(setup));
    std::vector<uint8_t> line(cmdline.begin(), cmdline.end());
    line.push_back(0);
    mem.write(r.cmdline_addr, line);
    if (!initrd.empty()) mem.write(r.initrd_addr, initrd);

    const uint16_t seg = static_cast<uint16_t>(config.setup_base >> 4);
    r.entry = RealModeEntry{static_cast<uint16_t>(seg + 0x20), 0, seg, seg, kLinuxHeapEnd};
    return r;
}

}  // namespace sandpc
