// Port I/O dispatch. Devices map port ranges with width-specific handlers;
// the CPU reads and writes through a table indexed by port, so dispatch is one
// load and one call.
//
// Width rules, as on the ISA bus: a 16-bit access to ports whose owner has no
// 16-bit handler (or that straddles two owners) is split into two byte
// accesses, low port first; a 32-bit access without a 32-bit handler is split
// into two 16-bit accesses. A width the owner does not handle at all reads as
// all ones and ignores writes, like unmapped ports.
//
// A mapping is owned by the device through an IoBus::Mapping handle and
// removed when the handle is destroyed or reset(). The bus must outlive every
// handle. Overlapping mappings are a programming error (std::invalid_argument).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace sandpc {

struct IoPortHandlers {
    // Handlers get the absolute port number.
    std::function<uint8_t(uint16_t)> read8;
    std::function<uint16_t(uint16_t)> read16;
    std::function<uint32_t(uint16_t)> read32;
    std::function<void(uint16_t, uint8_t)> write8;
    std::function<void(uint16_t, uint16_t)> write16;
    std::function<void(uint16_t, uint32_t)> write32;
};

class IoBus {
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
        friend class IoBus;
        Mapping(IoBus* bus, uint16_t slot) : bus_(bus), slot_(slot) {}
        IoBus* bus_ = nullptr;
        uint16_t slot_ = 0;
    };

    IoBus();
    IoBus(const IoBus&) = delete;
    IoBus& operator=(const IoBus&) = delete;

    // Maps ports [base, base + count). count >= 1 and the range must not wrap.
    [[nodiscard]] Mapping map(uint16_t base, uint32_t count, IoPortHandlers handlers);
    bool is_mapped(uint16_t port) const { return owner_[port] != 0; }

    uint8_t read8(uint16_t port) const;
    uint16_t read16(uint16_t port) const;
    uint32_t read32(uint16_t port) const;
    void write8(uint16_t port, uint8_t value) const;
    void write16(uint16_t port, uint16_t value) const;
    void write32(uint16_t port, uint32_t value) const;

    // size is 1, 2 or 4 (anything else reads all ones / is ignored).
    uint32_t read(uint16_t port, unsigned size) const;
    void write(uint16_t port, unsigned size, uint32_t value) const;

  private:
    struct Slot {
        uint16_t base = 0;
        uint32_t count = 0;
        IoPortHandlers handlers;
    };
    void unmap(uint16_t slot);
    // The owning slot when ports [port, port + width) all belong to it.
    const Slot* whole_owner(uint16_t port, unsigned width) const;

    std::vector<uint16_t> owner_;  // port -> slot index + 1, 0 = unmapped
    std::vector<Slot> slots_;
    std::vector<uint16_t> free_slots_;
};

}  // namespace sandpc
