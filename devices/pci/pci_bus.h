// PCI bus 0 behind configuration mechanism #1: the address register at 0xCF8
// (32-bit accesses only: bit 31 enable, bits 23-16 bus, 15-11 device, 10-8
// function, 7-2 dword register; reserved bits read 0) and the data window at
// 0xCFC-0xCFF (byte, word or dword access at any offset inside the dword).
// With the enable bit clear, or for a bus other than 0 or an empty slot,
// data reads are all ones and writes are ignored, as a master abort gives.
// Narrower accesses to 0xCF8-0xCFB are not decoded (all ones).
//
// Functions attach at device 0-31, function 0-7; the bus does not own them
// and must not outlive them.
#pragma once

#include <array>
#include <cstdint>

#include "devices/io_bus.h"
#include "devices/pci/pci_function.h"
#include "snapshot/state_stream.h"

namespace sandpc {

class PciBus {
  public:
    static constexpr uint16_t kAddressPort = 0xCF8;
    static constexpr uint16_t kDataPort = 0xCFC;
    static constexpr unsigned kDevices = 32;
    static constexpr unsigned kFunctions = 8;

    explicit PciBus(IoBus& io);
    PciBus(const PciBus&) = delete;
    PciBus& operator=(const PciBus&) = delete;

    // Throws std::invalid_argument for a bad or taken slot.
    void attach(unsigned device, unsigned function, PciFunction& fn);
    PciFunction* find(unsigned device, unsigned function) const;

    uint32_t address() const { return address_; }
    void set_address(uint32_t value) { address_ = value & 0x80FFFFFC; }

    // Direct configuration access (what the data window does once the
    // address is decoded). offset + size must stay within one dword.
    uint32_t config_read(unsigned bus, unsigned device, unsigned function, uint8_t offset,
                         unsigned size) const;
    void config_write(unsigned bus, unsigned device, unsigned function, uint8_t offset,
                      unsigned size, uint32_t value);

    // Section "pci": the address register and every attached function's
    // config space; load() refuses a different set of functions.
    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    uint32_t data_read(uint16_t port, unsigned size) const;
    void data_write(uint16_t port, unsigned size, uint32_t value);

    std::array<PciFunction*, kDevices * kFunctions> slots_{};
    uint32_t address_ = 0;
    IoBus::Mapping address_port_, data_port_;
};

}  // namespace sandpc
