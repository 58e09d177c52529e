#include "devices/pci/pci_irq_routing.h"

namespace sandpc {

std::optional<unsigned> pci_pirq_for(unsigned device, unsigned pin) {
    if (device >= 32 || pin < 1 || pin > 4) return std::nullopt;
    return (device + pin + 2) & 3;  // (device - 1 + pin - 1) mod 4 without underflow
}

std::optional<unsigned> pci_isa_irq_for(const Piix3Isa& isa, unsigned device, unsigned pin) {
    std::optional<unsigned> pirq = pci_pirq_for(device, pin);
    if (!pirq) return std::nullopt;
    return isa.pirq_irq(*pirq);
}

}  // namespace sandpc
