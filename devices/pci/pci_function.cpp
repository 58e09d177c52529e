#include "devices/pci/pci_function.h"

#include <stdexcept>

#include "snapshot/state_stream.h"

namespace sandpc {

namespace {
// The bytes that identify a function: IDs, revision, class, header type.
constexpr uint8_t kIdentityBytes[] = {0x00, 0x01, 0x02, 0x03, 0x08, 0x09, 0x0A, 0x0B, 0x0E};
constexpr uint8_t kBarEnd = PciFunction::kBar0 + 4 * PciFunction::kBarCount;
}  // namespace

PciFunction::PciFunction(uint16_t vendor_id, uint16_t device_id, uint8_t revision,
                         uint32_t class_code, bool multi_function) {
    set_config16(0x00, vendor_id);
    set_config16(0x02, device_id);
    set_config32(0x08, class_code << 8 | revision);
    set_config8(kHeaderType, multi_function ? 0x80 : 0x00);
    set_writable(kCommand, 2, 0x0547);    // I/O, memory, master, parity, SERR, INTx disable
    set_write_clear(kStatus, 2, 0xF900);  // parity, target/master aborts, SERR, parity error
    set_writable(0x0C, 1, 0xFF);          // cache line size
    set_writable(0x0D, 1, 0xFF);          // latency timer
    set_writable(kInterruptLine, 1, 0xFF);
}

uint16_t PciFunction::config16(uint8_t offset) const {
    return static_cast<uint16_t>(config_read(offset, 2));
}

uint32_t PciFunction::config32(uint8_t offset) const {
    return config_read(offset, 4);
}

uint32_t PciFunction::config_read(uint8_t offset, unsigned size) const {
    uint32_t v = 0;
    for (unsigned i = 0; i < size && offset + i < kConfigSize; ++i) {
        v |= uint32_t{config_[offset + i]} << (8 * i);
    }
    return v;
}

void PciFunction::config_write(uint8_t offset, unsigned size, uint32_t value) {
    bool mapping_touched = false;
    for (unsigned i = 0; i < size && offset + i < kConfigSize; ++i) {
        unsigned at = offset + i;
        uint8_t b = static_cast<uint8_t>(value >> (8 * i));
        uint8_t old = config_[at];
        config_[at] = static_cast<uint8_t>((old & ~writable_[at]) | (b & writable_[at]));
        config_[at] &= static_cast<uint8_t>(~(b & write_clear_[at]));
        if (at == kCommand || at == kCommand + 1 || (at >= kBar0 && at < kBarEnd)) {
            mapping_touched = true;
        }
    }
    config_written(offset, size);
    if (mapping_touched) notify_change();
}

void PciFunction::set_config16(uint8_t offset, uint16_t value) {
    set_config8(offset, static_cast<uint8_t>(value));
    set_config8(offset + 1, static_cast<uint8_t>(value >> 8));
}

void PciFunction::set_config32(uint8_t offset, uint32_t value) {
    set_config16(offset, static_cast<uint16_t>(value));
    set_config16(offset + 2, static_cast<uint16_t>(value >> 16));
}

void PciFunction::set_writable(uint8_t offset, unsigned size, uint32_t mask) {
    for (unsigned i = 0; i < size; ++i)
        writable_[offset + i] = static_cast<uint8_t>(mask >> (8 * i));
}

void PciFunction::set_write_clear(uint8_t offset, unsigned size, uint32_t mask) {
    for (unsigned i = 0; i < size; ++i) {
        write_clear_[offset + i] = static_cast<uint8_t>(mask >> (8 * i));
    }
}

void PciFunction::define_bar(unsigned index, uint32_t size, PciBarType type) {
    bool io = type == PciBarType::kIo;
    if (index >= kBarCount || size == 0 || (size & (size - 1)) != 0 || size < (io ? 4u : 16u)) {
        throw std::invalid_argument("PCI BAR: bad index or size");
    }
    uint8_t offset = static_cast<uint8_t>(kBar0 + 4 * index);
    uint32_t type_bits = io ? 0x1 : type == PciBarType::kMemory32Prefetchable ? 0x8 : 0x0;
    set_config32(offset, type_bits);
    set_writable(offset, 4, ~(size - 1));
    bar_sizes_[index] = size;
}

uint32_t PciFunction::bar_address(unsigned index) const {
    if (index >= kBarCount || bar_sizes_[index] == 0) return 0;
    return config32(static_cast<uint8_t>(kBar0 + 4 * index)) & ~(bar_sizes_[index] - 1);
}

void PciFunction::set_interrupt_pin(uint8_t pin) {
    set_config8(kInterruptPin, pin);
}

void PciFunction::check_identity(const ConfigBytes& bytes) const {
    for (uint8_t at : kIdentityBytes) {
        if (bytes[at] != config_[at]) {
            throw StateError("state: PCI function identity differs from this machine's");
        }
    }
}

void PciFunction::restore(const ConfigBytes& bytes) {
    for (size_t at = 0; at < kConfigSize; ++at) {
        uint8_t changeable = writable_[at] | write_clear_[at];
        config_[at] = static_cast<uint8_t>((config_[at] & ~changeable) | (bytes[at] & changeable));
    }
    config_loaded();
}

}  // namespace sandpc
