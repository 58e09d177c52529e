// The PC/AT ISA DMA subsystem: two Intel 8237A controllers and the page
// registers.
//
// DMA1 (channels 0-3, byte transfers) answers at 0x00-0x0F. DMA2 (channels
// 4-7, word transfers) answers at the even ports 0xC0-0xDE; its channel 4 is
// the cascade input from DMA1, so DMA1 channels only transfer while channel 4
// is unmasked and programmed for cascade mode, as on the AT. Page registers:
// 0x87/0x83/0x81/0x82 for channels 0-3, 0x8F/0x8B/0x89/0x8A for 4-7. The
// other ports of 0x81-0x8F are plain read/write scratch registers as on real
// chipsets; port 0x80 is left to the POST-code port.
//
// Word channels keep a word address: the byte address is
// (page & 0xFE) << 16 | address << 1, so a transfer wraps within its 128 KiB
// block; byte channels wrap within their 64 KiB page.
//
// Devices move data with transfer_to_memory / transfer_from_memory, which run
// as many cycles as the channel's count allows in one go (a device asserting
// DREQ until it is done). Verify mode and a mode whose direction does not
// match the call run the cycles (address and count move, TC is reached) but
// touch no memory; data read that way is all ones. Memory-to-memory transfers
// (command bit 0) and the rotating priority bit are stored but not acted on.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "devices/io_bus.h"
#include "devices/physical_memory.h"
#include "snapshot/state_stream.h"

namespace sandpc {

enum class DmaTransferType : uint8_t { kVerify = 0, kWrite = 1, kRead = 2, kIllegal = 3 };
enum class DmaMode : uint8_t { kDemand = 0, kSingle = 1, kBlock = 2, kCascade = 3 };

class IsaDma {
  public:
    static constexpr unsigned kChannels = 8;

    IsaDma(IoBus& bus, PhysicalMemory& memory);

    // Device side. A channel is ready when its controller is enabled, the
    // channel is unmasked and not in cascade mode (and, for channels 0-3,
    // DMA2's cascade channel 4 is unmasked in cascade mode). Both calls
    // return the number of bytes moved (0 when not ready); word channels move
    // whole words only.
    bool channel_ready(unsigned channel) const;
    size_t transfer_to_memory(unsigned channel, std::span<const uint8_t> data);
    size_t transfer_from_memory(unsigned channel, std::span<uint8_t> out);
    // Whether the last transfer call on the channel ended on terminal count
    // (the TC pulse a device sees); independent of the guest-visible status.
    bool terminal_count(unsigned channel) const;
    // DREQ line from a device, shown in the status register's request bits.
    void set_request_line(unsigned channel, bool asserted);

    DmaTransferType transfer_type(unsigned channel) const;
    DmaMode mode(unsigned channel) const;
    bool masked(unsigned channel) const;
    uint64_t current_byte_address(unsigned channel) const;
    uint16_t current_count(unsigned channel) const;

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    struct Channel {
        uint16_t base_address = 0, base_count = 0;
        uint16_t current_address = 0, current_count = 0;
        uint8_t mode = 0;
        bool tc_seen = false;  // device-side TC of the last transfer
        bool dreq = false;     // device request line
    };
    struct Controller {
        uint8_t command = 0;
        uint8_t status_tc = 0;     // status bits 0-3
        uint8_t soft_request = 0;  // request register bits 0-3
        uint8_t mask = 0x0F;
        uint8_t temporary = 0;
        bool flip_flop = false;
    };

    uint8_t read_register(unsigned ctrl, unsigned reg);
    void write_register(unsigned ctrl, unsigned reg, uint8_t value);
    uint8_t read_page(uint16_t port) const;
    void write_page(uint16_t port, uint8_t value);
    void master_clear(unsigned ctrl);
    // Runs up to max_units cycles; calls move(byte address, unit index) for
    // each cycle that touches memory. Returns the cycles run.
    template <typename Move>
    size_t run_cycles(unsigned channel, size_t max_units, bool to_memory, Move move);

    PhysicalMemory& memory_;
    std::array<Channel, kChannels> channels_{};
    std::array<Controller, 2> controllers_{};
    std::array<uint8_t, 16> pages_{};  // indexed by port - 0x80; [0] unused
    std::vector<IoBus::Mapping> mappings_;
};

}  // namespace sandpc
