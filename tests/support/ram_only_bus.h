// A CpuBus with nothing but RAM from address 0: unmapped memory and every
// port read as all ones, writes to them are dropped, no interrupts. Used by
// CPU tests and benchmarks that need no devices.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/cpu_bus.h"

namespace sandpc {

class RamOnlyBus : public CpuBus {
  public:
    explicit RamOnlyBus(uint32_t ram_size) : ram(ram_size) {}

    uint8_t* page_pointer(uint32_t paddr, bool) override {
        return paddr < ram.size() ? ram.data() + paddr : nullptr;
    }
    uint32_t mmio_read(uint32_t, unsigned) override { return 0xFFFFFFFF; }
    void mmio_write(uint32_t, unsigned, uint32_t) override {}
    uint32_t io_read(uint16_t, unsigned) override { return 0xFFFFFFFF; }
    void io_write(uint16_t, unsigned, uint32_t) override {}
    uint8_t interrupt_acknowledge() override { return 0; }

    std::vector<uint8_t> ram;
};

}  // namespace sandpc
