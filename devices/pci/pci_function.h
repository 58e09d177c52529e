// One PCI function's 256-byte configuration space (type 0 header).
//
// Every byte has a mask of guest-writable bits and a mask of write-1-to-clear
// bits; everything else is read only, so vendor/device IDs, class and header
// type cannot be changed. The base sets up the common header: command
// register bits 0-2, 6, 8 and 10 writable, status bits 8 and 11-15
// write-1-to-clear, cache line size, latency timer and interrupt line
// writable. Owners add their own registers with set_writable().
//
// BARs: define_bar() makes a BAR's address bits above its size writable, so
// the standard sizing (write all ones, read back) returns ~(size - 1) with
// the type bits (I/O: bit 0 set; memory: 32-bit, bit 3 prefetchable). All
// 32 bits are decoded for I/O BARs too, as most emulated PIIX-class chips do.
// After any write touching the command register or a BAR the change callback
// runs, so the owner can move or drop its I/O or MMIO mapping (it should map
// only while the matching command enable bit is set).
#pragma once

#include <array>
#include <cstdint>
#include <functional>

namespace sandpc {

enum class PciBarType : uint8_t { kIo, kMemory32, kMemory32Prefetchable };

class PciFunction {
  public:
    static constexpr size_t kConfigSize = 256;
    static constexpr unsigned kBarCount = 6;
    static constexpr uint8_t kCommand = 0x04;
    static constexpr uint8_t kStatus = 0x06;
    static constexpr uint8_t kHeaderType = 0x0E;
    static constexpr uint8_t kBar0 = 0x10;
    static constexpr uint8_t kInterruptLine = 0x3C;
    static constexpr uint8_t kInterruptPin = 0x3D;
    static constexpr uint16_t kCommandIo = 0x0001;
    static constexpr uint16_t kCommandMemory = 0x0002;
    static constexpr uint16_t kCommandBusMaster = 0x0004;

    // class_code is base class << 16 | subclass << 8 | programming interface.
    PciFunction(uint16_t vendor_id, uint16_t device_id, uint8_t revision, uint32_t class_code,
                bool multi_function = false);
    virtual ~PciFunction() = default;
    PciFunction(const PciFunction&) = delete;
    PciFunction& operator=(const PciFunction&) = delete;

    // Guest access; [offset, offset + size) must lie within one dword.
    uint32_t config_read(uint8_t offset, unsigned size) const;
    void config_write(uint8_t offset, unsigned size, uint32_t value);

    uint8_t config8(uint8_t offset) const { return config_[offset]; }
    uint16_t config16(uint8_t offset) const;
    uint32_t config32(uint8_t offset) const;
    uint16_t vendor_id() const { return config16(0x00); }
    uint16_t device_id() const { return config16(0x02); }
    uint32_t class_code() const { return config32(0x08) >> 8; }
    uint16_t command() const { return config16(kCommand); }
    bool io_enabled() const { return command() & kCommandIo; }
    bool memory_enabled() const { return command() & kCommandMemory; }
    bool bus_master_enabled() const { return command() & kCommandBusMaster; }

    // BAR address with the type bits masked off; 0 for an undefined BAR.
    uint32_t bar_address(unsigned index) const;
    uint32_t bar_size(unsigned index) const { return index < kBarCount ? bar_sizes_[index] : 0; }

    void set_change_callback(std::function<void()> callback) { changed_ = std::move(callback); }

    // Snapshots (the bus's section holds every function's bytes).
    using ConfigBytes = std::array<uint8_t, kConfigSize>;
    const ConfigBytes& config_bytes() const { return config_; }
    // Throws StateError unless the IDs, revision, class and header type match.
    void check_identity(const ConfigBytes& bytes) const;
    // Takes the changeable bits from `bytes`, keeps the read-only ones, and
    // replays the side effects (mapping callbacks).
    void restore(const ConfigBytes& bytes);

  protected:
    // Initial contents, bypassing the masks (for setup only).
    void set_config8(uint8_t offset, uint8_t value) { config_[offset] = value; }
    void set_config16(uint8_t offset, uint16_t value);
    void set_config32(uint8_t offset, uint32_t value);
    void set_writable(uint8_t offset, unsigned size, uint32_t mask);
    void set_write_clear(uint8_t offset, unsigned size, uint32_t mask);
    // size is a power of two: at least 4 for I/O, 16 for memory.
    void define_bar(unsigned index, uint32_t size, PciBarType type);
    void set_interrupt_pin(uint8_t pin);  // 1 = INTA# .. 4 = INTD#

    // After a guest write to [offset, offset + size), masks applied.
    virtual void config_written(uint8_t offset, unsigned size) {}
    // After load() replaced the contents: replay the owner's side effects.
    virtual void config_loaded() { notify_change(); }
    void notify_change() {
        if (changed_) changed_();
    }

  private:
    std::array<uint8_t, kConfigSize> config_{};
    std::array<uint8_t, kConfigSize> writable_{};
    std::array<uint8_t, kConfigSize> write_clear_{};
    std::array<uint32_t, kBarCount> bar_sizes_{};
    std::function<void()> changed_;
};

}  // namespace sandpc
