#include "devices/mmio_bus.h"

#include <algorithm>
#include <stdexcept>

namespace sandpc {

MmioBus::Mapping& MmioBus::Mapping::operator=(Mapping&& other) noexcept {
    if (this != &other) {
        reset();
        bus_ = other.bus_;
        id_ = other.id_;
        other.bus_ = nullptr;
    }
    return *this;
}

void MmioBus::Mapping::reset() {
    if (bus_) bus_->unmap(id_);
    bus_ = nullptr;
}

MmioBus::Mapping MmioBus::map(uint64_t base, uint64_t size, MmioHandlers handlers,
                              std::string name) {
    if (size == 0 || base + size - 1 < base) {
        throw std::invalid_argument("mmio bus: bad range for '" + name + "'");
    }
    auto pos = std::lower_bound(regions_.begin(), regions_.end(), base,
                                [](const Region& r, uint64_t b) { return r.base < b; });
    bool overlaps_next = pos != regions_.end() && pos->base <= base + size - 1;
    bool overlaps_prev =
        pos != regions_.begin() && std::prev(pos)->base + std::prev(pos)->size > base;
    if (overlaps_next || overlaps_prev) {
        throw std::invalid_argument("mmio bus: '" + name + "' overlaps another region");
    }
    uint32_t id = next_id_++;
    regions_.insert(pos, Region{base, size, id, std::move(handlers), std::move(name)});
    return Mapping(this, id);
}

void MmioBus::unmap(uint32_t id) {
    std::erase_if(regions_, [id](const Region& r) { return r.id == id; });
}

const MmioBus::Region* MmioBus::find(uint64_t addr) const {
    auto pos = std::upper_bound(regions_.begin(), regions_.end(), addr,
                                [](uint64_t a, const Region& r) { return a < r.base; });
    if (pos == regions_.begin()) return nullptr;
    const Region& r = *std::prev(pos);
    return addr - r.base < r.size ? &r : nullptr;
}

uint64_t MmioBus::read(uint64_t addr, unsigned size) const {
    const Region* r = find(addr);
    if (r && addr - r->base + size <= r->size) {
        return r->handlers.read ? r->handlers.read(addr - r->base, size)
                                : (size >= 8 ? ~0ull : (1ull << (8 * size)) - 1);
    }
    uint64_t value = 0;
    for (unsigned i = 0; i < size && i < 8; ++i) {
        const Region* b = find(addr + i);
        uint64_t byte = 0xFF;
        if (b && b->handlers.read) byte = b->handlers.read(addr + i - b->base, 1) & 0xFF;
        value |= byte << (8 * i);
    }
    return value;
}

void MmioBus::write(uint64_t addr, unsigned size, uint64_t value) const {
    const Region* r = find(addr);
    if (r && addr - r->base + size <= r->size) {
        if (r->handlers.write) r->handlers.write(addr - r->base, size, value);
        return;
    }
    for (unsigned i = 0; i < size && i < 8; ++i) {
        const Region* b = find(addr + i);
        if (b && b->handlers.write)
            b->handlers.write(addr + i - b->base, 1, (value >> (8 * i)) & 0xFF);
    }
}

}  // namespace sandpc
