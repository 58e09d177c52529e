// What the CPU needs from the PC around it. The machine implements this; the
// CPU never sees a device. Only slow paths call through it: RAM and ROM are
// reached through host pointers cached in the TLB.
#pragma once

#include <cstdint>

namespace sandpc {

class CpuBus {
  public:
    virtual ~CpuBus() = default;

    // Host pointer to the 4 KiB physical page holding `paddr` (page aligned),
    // or nullptr when the page is not plain memory (MMIO, unmapped). `write`
    // asks for a writable mapping: ROM answers nullptr for writes, so the
    // write goes to mmio_write, which ignores it.
    virtual uint8_t* page_pointer(uint32_t paddr, bool write) = 0;

    // Accesses to physical addresses without a page pointer. size is 1, 2 or
    // 4 and the access never crosses a page. Unmapped memory reads all ones.
    virtual uint32_t mmio_read(uint32_t paddr, unsigned size) = 0;
    virtual void mmio_write(uint32_t paddr, unsigned size, uint32_t value) = 0;

    virtual uint32_t io_read(uint16_t port, unsigned size) = 0;
    virtual void io_write(uint16_t port, unsigned size, uint32_t value) = 0;

    // The CPU accepts a maskable interrupt: returns its vector (the PIC's
    // interrupt-acknowledge cycle).
    virtual uint8_t interrupt_acknowledge() = 0;

    // The x87 FERR# output (CR0.NE = 0 error reporting): asserted when a
    // waiting FPU instruction finds an unmasked exception pending, released
    // when the exception flags are cleared. A PC routes it to IRQ 13.
    virtual void set_ferr(bool /*asserted*/) {}
};

}  // namespace sandpc
