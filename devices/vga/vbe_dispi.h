// The Bochs/QEMU VBE "dispi" interface: index port 0x1CE, data port 0x1CF
// (16-bit). Register behaviour follows Bochs: the ID register keeps any
// supported version written to it (0xB0C0-0xB0C5) so a probe can read its
// version back; resolution and depth change only while the display is
// disabled; enabling resets the virtual size and offsets to the mode and
// clears the mode's memory unless NOCLEARMEM is set. With GETCAPS set, XRES,
// YRES and BPP read back as the maxima. Values that do not fit the video
// memory are ignored, so every derived offset stays inside it.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "snapshot/state_stream.h"

namespace sandpc {

class VbeDispi {
  public:
    enum Index : uint16_t {
        kId = 0,
        kXres,
        kYres,
        kBpp,
        kEnable,
        kBank,
        kVirtWidth,
        kVirtHeight,
        kXOffset,
        kYOffset,
        kVideoMemory64k,
    };
    static constexpr uint16_t kEnabled = 0x01, kGetCaps = 0x02, kDac8Bit = 0x20, kLfbEnabled = 0x40,
                              kNoClearMem = 0x80;
    static constexpr uint16_t kIdMin = 0xB0C0, kIdMax = 0xB0C5;
    static constexpr uint16_t kMaxXres = 2560, kMaxYres = 1600, kMaxBpp = 32;
    static constexpr uint32_t kBankSize = 64 * 1024;

    // vram_size: a multiple of 64 KiB.
    explicit VbeDispi(uint32_t vram_size);

    uint16_t index = 0;
    uint16_t read_data() const;
    // vram is cleared here when the display is enabled.
    void write_data(uint16_t value, std::span<uint8_t> vram);

    bool enabled() const { return regs_[kEnable] & kEnabled; }
    bool dac_8bit() const { return regs_[kEnable] & kDac8Bit; }
    unsigned xres() const { return regs_[kXres]; }
    unsigned yres() const { return regs_[kYres]; }
    unsigned bpp() const { return regs_[kBpp]; }
    unsigned bytes_per_pixel() const { return bytes_for(regs_[kBpp]); }
    uint32_t line_bytes() const { return regs_[kVirtWidth] * bytes_per_pixel(); }
    uint32_t display_start() const {
        return regs_[kYOffset] * line_bytes() + regs_[kXOffset] * bytes_per_pixel();
    }
    uint32_t bank_offset() const { return regs_[kBank] * kBankSize; }

    void save(StateWriter& w) const;
    void load(StateReader& r);  // throws StateError on bad values

  private:
    static unsigned bytes_for(unsigned bpp);
    bool mode_fits(unsigned xres, unsigned yres, unsigned bpp) const;
    bool offsets_fit(unsigned x, unsigned y) const;
    void enable(uint16_t flags, std::span<uint8_t> vram);
    void validate() const;

    uint32_t vram_size_;
    std::array<uint16_t, 10> regs_{};
};

}  // namespace sandpc
