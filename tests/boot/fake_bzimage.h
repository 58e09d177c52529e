// A bzImage-shaped file for loader tests: a setup header with the fields a
// boot loader reads, patterned setup and kernel bytes around it.
#pragma once
#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "bios/boot/linux_loader.h"

namespace sandpc::test {

struct ImageSpec {
    uint8_t setup_sects = 4;
    uint16_t protocol = 0x020F;
    uint8_t loadflags = kLinuxLoadedHigh;
    uint32_t kernel_bytes = 0x3000;
    uint32_t syssize_bytes = 0x3000;  // written as paragraphs
    uint32_t initrd_addr_max = 0x7FFFFFFF;
    uint32_t kernel_alignment = 0x1000000;
    bool relocatable = true;
    uint32_t cmdline_size = 2047;
    uint64_t pref_address = 0x1000000;
    uint32_t init_size = 0x400000;
    uint16_t boot_flag = 0xAA55;
    const char* magic = "HdrS";
};

inline void put(std::vector<uint8_t>& b, size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A bzImage-shaped file: patterned setup and kernel bytes around a header.
inline std::vector<uint8_t> make_image(const ImageSpec& s) {
    const size_t setup = ((s.setup_sects == 0 ? 4 : s.setup_sects) + 1) * 512;
    std::vector<uint8_t> b(setup + s.kernel_bytes);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 7 + (i >> 9));
    b[0x1F1] = s.setup_sects;
    put(b, 0x1F4, s.syssize_bytes / 16, 4);
    put(b, 0x1FA, 0x1234, 2);  // vid_mode as shipped; the loader sets 0xFFFF
    put(b, 0x1FE, s.boot_flag, 2);
    std::copy(s.magic, s.magic + 4, b.begin() + 0x202);
    put(b, 0x206, s.protocol, 2);
    put(b, 0x20E, 0x300, 2);  // version string at 0x500
    const char version[] = "6.1.0-test (builder) #1";
    std::copy(std::begin(version), std::end(version), b.begin() + 0x500);
    b[0x210] = 0;
    b[0x211] = s.loadflags;
    put(b, 0x214, 0x100000, 4);
    put(b, 0x218, 0, 8);  // ramdisk image/size
    put(b, 0x224, 0, 2);
    put(b, 0x228, 0, 4);
    put(b, 0x22C, s.initrd_addr_max, 4);
    put(b, 0x230, s.kernel_alignment, 4);
    b[0x234] = s.relocatable ? 1 : 0;
    put(b, 0x238, s.cmdline_size, 4);
    put(b, 0x258, s.pref_address, 8);
    put(b, 0x260, s.init_size, 4);
    return b;
}

}  // namespace sandpc::test
