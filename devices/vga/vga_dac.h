// The VGA DAC (palette RAM): 256 entries of red, green, blue, written and
// read in three-byte cycles through 0x3C8/0x3C9 and 0x3C7/0x3C9, plus the PEL
// mask at 0x3C6. Entries hold 6-bit values unless the VBE 8-bit DAC mode is
// on, in which case all 8 bits are kept.
#pragma once

#include <array>
#include <cstdint>

#include "snapshot/state_stream.h"

namespace sandpc {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const Rgb&) const = default;
};

class VgaDac {
  public:
    void write_index_port(uint8_t index);  // 0x3C8
    void read_index_port(uint8_t index);   // 0x3C7
    void write_data(uint8_t value, bool eight_bit);
    uint8_t read_data();
    uint8_t state() const { return reading_ ? 0x03 : 0x00; }  // 0x3C7 read
    uint8_t write_index() const { return write_index_; }
    uint8_t pel_mask = 0xFF;

    // Raw entry as the guest sees it.
    const std::array<uint8_t, 3>& entry(unsigned index) const { return palette_[index & 0xFF]; }
    void set_entry(unsigned index, Rgb value);
    // Host colour of a pixel value after the PEL mask.
    Rgb color(uint8_t index, bool eight_bit) const;

    // Written inside the chip's section; load validates and throws StateError.
    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    std::array<std::array<uint8_t, 3>, 256> palette_{};
    uint8_t write_index_ = 0, read_index_ = 0;
    uint8_t component_ = 0;  // 0-2 within the current cycle
    std::array<uint8_t, 3> pending_{};
    bool reading_ = false;
};

}  // namespace sandpc
