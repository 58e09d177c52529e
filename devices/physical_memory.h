// Guest physical memory as bus-master devices see it (ISA DMA, IDE bus
// mastering, the BIOS loading a boot sector). The machine implements it over
// its RAM and MMIO map, and tells the CPU about every write so decoded code
// on those pages is dropped. Accesses outside RAM follow the memory map:
// unmapped bytes read as all ones and writes to them are ignored.
#pragma once
#include <cstdint>
#include <span>

namespace sandpc {

class PhysicalMemory {
  public:
    virtual ~PhysicalMemory() = default;
    virtual void read(uint64_t paddr, std::span<uint8_t> out) = 0;
    virtual void write(uint64_t paddr, std::span<const uint8_t> data) = 0;
};

}  // namespace sandpc
