// A PhysicalMemory over a plain byte array, filled with a marker byte so
// tests see which bytes a loader wrote. Accesses outside RAM are counted.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "devices/physical_memory.h"

namespace sandpc::test {

class RamMemory : public PhysicalMemory {
  public:
    explicit RamMemory(size_t bytes, uint8_t fill = 0xCC) : ram(bytes, fill) {}

    void read(uint64_t paddr, std::span<uint8_t> out) override {
        for (size_t i = 0; i < out.size(); ++i) {
            out[i] = paddr + i < ram.size() ? ram[paddr + i] : 0xFF;
        }
    }
    void write(uint64_t paddr, std::span<const uint8_t> data) override {
        ++writes;
        if (paddr > ram.size() || data.size() > ram.size() - paddr) {
            ++outside_writes;
            return;
        }
        std::copy(data.begin(), data.end(), ram.begin() + static_cast<ptrdiff_t>(paddr));
    }

    uint8_t u8(uint64_t a) const { return ram.at(a); }
    uint16_t u16(uint64_t a) const { return static_cast<uint16_t>(u8(a) | u8(a + 1) << 8); }
    uint32_t u32(uint64_t a) const { return u16(a) | uint32_t{u16(a + 2)} << 16; }
    uint64_t u64(uint64_t a) const { return u32(a) | uint64_t{u32(a + 4)} << 32; }
    std::string str(uint64_t a) const {
        std::string s;
        while (ram.at(a) != 0) s.push_back(static_cast<char>(ram[a++]));
        return s;
    }
    bool equals(uint64_t a, const std::vector<uint8_t>& bytes, size_t from, size_t count) const {
        return std::equal(bytes.begin() + static_cast<ptrdiff_t>(from),
                          bytes.begin() + static_cast<ptrdiff_t>(from + count),
                          ram.begin() + static_cast<ptrdiff_t>(a));
    }

    std::vector<uint8_t> ram;
    int writes = 0;
    int outside_writes = 0;
};

}  // namespace sandpc::test
