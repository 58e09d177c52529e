// Runs one of the BIOS test guests (tests/bios/guests/*.asm, a boot sector)
// on a Machine until it writes to isa-debug-exit.
#pragma once
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "frontends/machine/machine.h"
#include "tests/support/memory_disk.h"

namespace sandpc::test {

inline std::vector<uint8_t> read_guest(const std::string& name) {
    std::ifstream in(std::string(SANDPC_BIOS_GUEST_DIR) + "/" + name + ".bin", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A 1.44 MB floppy whose boot sector is the named guest.
inline MachineConfig guest_config(const std::string& name) {
    std::vector<uint8_t> image(1474560, 0);
    std::vector<uint8_t> boot = read_guest(name);
    EXPECT_EQ(boot.size(), 512u) << name;
    std::copy(boot.begin(), boot.end(), image.begin());
    MachineConfig c;
    c.floppy[0] = std::make_unique<MemoryDisk>(std::move(image));
    c.isa_debug_exit = true;
    return c;
}

// The value the guest wrote to isa-debug-exit, or -1.
inline int run_guest(Machine& m) {
    for (int i = 0; i < 400; ++i) {
        MachineEvent e = m.run(1'000'000);
        if (e == MachineEvent::kDebugExit) return int(*m.exit_status() >> 1);
        if (e != MachineEvent::kNone) {
            ADD_FAILURE() << "guest stopped with event " << int(e) << " " << m.boot_failure();
            return -1;
        }
    }
    ADD_FAILURE() << "guest did not exit";
    return -1;
}

inline uint8_t peek8(Machine& m, uint64_t paddr) {
    uint8_t v = 0;
    m.memory().read(paddr, {&v, 1});
    return v;
}
inline uint16_t peek16(Machine& m, uint64_t paddr) {
    return uint16_t(peek8(m, paddr) | peek8(m, paddr + 1) << 8);
}
inline uint32_t peek32(Machine& m, uint64_t paddr) {
    return uint32_t(peek16(m, paddr) | uint32_t(peek16(m, paddr + 2)) << 16);
}
// Physical address of a real-mode far pointer stored at paddr (offset, segment).
inline uint32_t far_pointer(Machine& m, uint64_t paddr) {
    return uint32_t(peek16(m, paddr + 2)) * 16 + peek16(m, paddr);
}

inline bool is_black(const RgbImage& img, unsigned x, unsigned y) {
    const uint8_t* p = img.at(x, y);
    return p[0] == 0 && p[1] == 0 && p[2] == 0;
}

}  // namespace sandpc::test
