// Which ISA IRQ a PCI device's interrupt pin reaches on a PIIX3 board. The
// board wires device d's INTx# pin p (1 = INTA#) to PIRQ((d - 1 + p - 1) mod
// 4), the usual rotation so neighbouring slots spread over the four PIRQs;
// the PIIX3's route registers then pick the IRQ.
#pragma once

#include <optional>

#include "devices/pci/piix3.h"

namespace sandpc {

// PIRQ index 0-3 (A-D) for device 0-31, pin 1-4; nothing for pin 0 (none)
// or out-of-range arguments.
std::optional<unsigned> pci_pirq_for(unsigned device, unsigned pin);
std::optional<unsigned> pci_isa_irq_for(const Piix3Isa& isa, unsigned device, unsigned pin);

}  // namespace sandpc
