// A flat RAM array as the bus-master view of memory, for DMA tests.
// Addresses past the end read as all ones and ignore writes, like unmapped
// memory.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "devices/physical_memory.h"

namespace sandpc::test {

class RamPhysicalMemory : public PhysicalMemory {
  public:
    explicit RamPhysicalMemory(size_t size) : ram(size, 0) {}
    void read(uint64_t paddr, std::span<uint8_t> out) override {
        for (size_t i = 0; i < out.size(); ++i)
            out[i] = paddr + i < ram.size() ? ram[paddr + i] : 0xFF;
    }
    void write(uint64_t paddr, std::span<const uint8_t> data) override {
        for (size_t i = 0; i < data.size(); ++i)
            if (paddr + i < ram.size()) ram[paddr + i] = data[i];
    }
    std::vector<uint8_t> ram;
};

}  // namespace sandpc::test
