// Memory-mapped device regions. Only the CPU's slow path (physical pages
// without a host pointer) looks here, so the regions are a small vector sorted
// by base address and searched by bisection.
//
// An access wholly inside one region goes to its handler with the offset from
// the region base; an access that straddles a region edge is split into byte
// accesses. Bytes outside every region read as all ones and ignore writes.
// Mappings are owned through MmioBus::Mapping handles (removed on destruction);
// the bus must outlive them. Overlaps throw std::invalid_argument.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sandpc {

struct MmioHandlers {
    // size is 1, 2, 4 or 8; offset is relative to the region base.
    std::function<uint64_t(uint64_t offset, unsigned size)> read;
    std::function<void(uint64_t offset, unsigned size, uint64_t value)> write;
};

class MmioBus {
  public:
    class Mapping {
      public:
        Mapping() = default;
        Mapping(Mapping&& other) noexcept { *this = std::move(other); }
        Mapping& operator=(Mapping&& other) noexcept;
        Mapping(const Mapping&) = delete;
        Mapping& operator=(const Mapping&) = delete;
        ~Mapping() { reset(); }

        void reset();
        bool active() const { return bus_ != nullptr; }

      private:
        friend class MmioBus;
        Mapping(MmioBus* bus, uint32_t id) : bus_(bus), id_(id) {}
        MmioBus* bus_ = nullptr;
        uint32_t id_ = 0;
    };

    MmioBus() = default;
    MmioBus(const MmioBus&) = delete;
    MmioBus& operator=(const MmioBus&) = delete;

    [[nodiscard]] Mapping map(uint64_t base, uint64_t size, MmioHandlers handlers,
                              std::string name = {});
    bool contains(uint64_t addr) const { return find(addr) != nullptr; }
    size_t region_count() const { return regions_.size(); }

    uint64_t read(uint64_t addr, unsigned size) const;
    void write(uint64_t addr, unsigned size, uint64_t value) const;

  private:
    struct Region {
        uint64_t base;
        uint64_t size;
        uint32_t id;
        MmioHandlers handlers;
        std::string name;
    };
    const Region* find(uint64_t addr) const;
    void unmap(uint32_t id);

    std::vector<Region> regions_;  // sorted by base, non-overlapping
    uint32_t next_id_ = 1;
};

}  // namespace sandpc
