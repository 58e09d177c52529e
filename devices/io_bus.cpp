#include "devices/io_bus.h"

#include <stdexcept>
#include <string>

namespace sandpc {

IoBus::Mapping& IoBus::Mapping::operator=(Mapping&& other) noexcept {
    if (this != &other) {
        reset();
        bus_ = other.bus_;
        slot_ = other.slot_;
        other.bus_ = nullptr;
    }
    return *this;
}

void IoBus::Mapping::reset() {
    if (bus_) bus_->unmap(slot_);
    bus_ = nullptr;
}

IoBus::IoBus() : owner_(0x10000, 0) {}

IoBus::Mapping IoBus::map(uint16_t base, uint32_t count, IoPortHandlers handlers) {
    if (count == 0 || base + count > 0x10000u) {
        throw std::invalid_argument("io bus: bad port range at " + std::to_string(base));
    }
    for (uint32_t p = base; p < base + count; ++p) {
        if (owner_[p] != 0) {
            throw std::invalid_argument("io bus: port " + std::to_string(p) + " already mapped");
        }
    }
    uint16_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        if (slots_.size() >= 0xFFFF) throw std::length_error("io bus: too many mappings");
        slot = static_cast<uint16_t>(slots_.size());
        slots_.emplace_back();
    }
    slots_[slot] = Slot{base, count, std::move(handlers)};
    for (uint32_t p = base; p < base + count; ++p) owner_[p] = static_cast<uint16_t>(slot + 1);
    return Mapping(this, slot);
}

void IoBus::unmap(uint16_t slot) {
    Slot& s = slots_[slot];
    for (uint32_t p = s.base; p < s.base + s.count; ++p) owner_[p] = 0;
    s = Slot{};
    free_slots_.push_back(slot);
}

const IoBus::Slot* IoBus::whole_owner(uint16_t port, unsigned width) const {
    uint16_t id = owner_[port];
    if (id == 0) return nullptr;
    for (unsigned i = 1; i < width; ++i) {
        if (owner_[static_cast<uint16_t>(port + i)] != id) return nullptr;
    }
    return &slots_[id - 1];
}

uint8_t IoBus::read8(uint16_t port) const {
    uint16_t id = owner_[port];
    if (id == 0) return 0xFF;
    const auto& h = slots_[id - 1].handlers;
    return h.read8 ? h.read8(port) : 0xFF;
}

uint16_t IoBus::read16(uint16_t port) const {
    const Slot* s = whole_owner(port, 2);
    if (s && s->handlers.read16) return s->handlers.read16(port);
    if (s && !s->handlers.read8) return 0xFFFF;
    return static_cast<uint16_t>(read8(port) | read8(static_cast<uint16_t>(port + 1)) << 8);
}

uint32_t IoBus::read32(uint16_t port) const {
    const Slot* s = whole_owner(port, 4);
    if (s && s->handlers.read32) return s->handlers.read32(port);
    return read16(port) | static_cast<uint32_t>(read16(static_cast<uint16_t>(port + 2))) << 16;
}

void IoBus::write8(uint16_t port, uint8_t value) const {
    uint16_t id = owner_[port];
    if (id == 0) return;
    const auto& h = slots_[id - 1].handlers;
    if (h.write8) h.write8(port, value);
}

void IoBus::write16(uint16_t port, uint16_t value) const {
    const Slot* s = whole_owner(port, 2);
    if (s && s->handlers.write16) return s->handlers.write16(port, value);
    if (s && !s->handlers.write8) return;
    write8(port, static_cast<uint8_t>(value));
    write8(static_cast<uint16_t>(port + 1), static_cast<uint8_t>(value >> 8));
}

void IoBus::write32(uint16_t port, uint32_t value) const {
    const Slot* s = whole_owner(port, 4);
    if (s && s->handlers.write32) return s->handlers.write32(port, value);
    write16(port, static_cast<uint16_t>(value));
    write16(static_cast<uint16_t>(port + 2), static_cast<uint16_t>(value >> 16));
}

uint32_t IoBus::read(uint16_t port, unsigned size) const {
    switch (size) {
        case 1: return read8(port);
        case 2: return read16(port);
        case 4: return read32(port);
        default: return 0xFFFFFFFF;
    }
}

void IoBus::write(uint16_t port, unsigned size, uint32_t value) const {
    switch (size) {
        case 1: write8(port, static_cast<uint8_t>(value)); break;
        case 2: write16(port, static_cast<uint16_t>(value)); break;
        case 4: write32(port, value); break;
        default: break;
    }
}

}  // namespace sandpc
