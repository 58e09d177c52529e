// The PC/AT interrupt controller: master 8259A at 0x20/0x21, slave at
// 0xA0/0xA1 cascaded on master IR2, and the edge/level control registers
// (ELCR, 0x4D0/0x4D1, as on PIIX-class chipsets). It is the IrqSink for ISA
// IRQ 0-15; IRQ2 requests go to IRQ9, as the AT bus reroutes that pin.
//
// The CPU polls intr_pending() (a cached flag) and, when it takes the
// interrupt, calls acknowledge() for the vector. A spurious acknowledge gives
// the master's IR7 vector, or the slave's IR7 vector (IRQ15) with the
// master's IR2 put in service, as on real hardware. The master's IR2 input is
// the slave's INT output, edge-triggered like any other master input.
#pragma once

#include <cstdint>

#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/pic8259.h"

namespace sandpc {

class PicPair : public IrqSink {
  public:
    static constexpr unsigned kCascadeLine = 2;

    explicit PicPair(IoBus& bus);

    void set_irq_level(unsigned irq, bool level) override;
    bool intr_pending() const { return intr_; }
    uint8_t acknowledge();

    Pic8259& master() { return master_; }
    Pic8259& slave() { return slave_; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    void update();

    Pic8259 master_{"pic8259.master"};
    Pic8259 slave_{"pic8259.slave"};
    bool intr_ = false;
    IoBus::Mapping master_ports_, slave_ports_, elcr_ports_;
};

}  // namespace sandpc
