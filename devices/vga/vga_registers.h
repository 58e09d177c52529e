// The VGA register file (everything but the DAC) and the decoded fields the
// memory logic and the renderer need. Plain data: the chip owns one.
#pragma once

#include <array>
#include <cstdint>

namespace sandpc {

struct VgaRegisters {
    static constexpr unsigned kSequencerCount = 5;
    static constexpr unsigned kCrtcCount = 25;
    static constexpr unsigned kGraphicsCount = 9;
    static constexpr unsigned kAttributeCount = 21;

    uint8_t misc = 0;
    uint8_t feature = 0;
    uint8_t subsystem_enable = 1;  // 0x3C3 bit 0
    uint8_t seq_index = 0;
    std::array<uint8_t, kSequencerCount> seq{};
    uint8_t crtc_index = 0;
    std::array<uint8_t, kCrtcCount> crtc{};
    uint8_t gc_index = 0;
    std::array<uint8_t, kGraphicsCount> gc{};
    uint8_t attr_index = 0;       // bits 0-4 index, bit 5 palette address source
    bool attr_flip_flop = false;  // false: next 0x3C0 write is an index
    std::array<uint8_t, kAttributeCount> attr{};
    std::array<uint8_t, 4> latch{};

    bool color_ports() const { return misc & 0x01; }
    bool ram_enabled() const { return misc & 0x02; }
    bool chain4() const { return seq[4] & 0x08; }
    bool sequential() const { return seq[4] & 0x04; }  // odd/even off for writes
    bool host_odd_even() const { return gc[5] & 0x10; }
    unsigned write_mode() const { return gc[5] & 0x03; }
    bool read_mode1() const { return gc[5] & 0x08; }
    bool graphics_mode() const { return gc[6] & 0x01; }
    unsigned memory_map() const { return (gc[6] >> 2) & 0x03; }
    bool palette_enabled() const { return attr_index & 0x20; }
    bool screen_off() const { return seq[1] & 0x20; }
    bool eight_dot_chars() const { return seq[1] & 0x01; }

    unsigned crtc_start() const { return crtc[0x0C] << 8 | crtc[0x0D]; }
    unsigned cursor_location() const { return crtc[0x0E] << 8 | crtc[0x0F]; }
    unsigned vertical_display_lines() const {
        unsigned v = crtc[0x12] | (crtc[0x07] & 0x02) << 7 | (crtc[0x07] & 0x40) << 3;
        return v + 1;
    }
    unsigned horizontal_chars() const { return crtc[0x01] + 1u; }
    unsigned max_scan_line() const { return crtc[0x09] & 0x1F; }
    bool double_scan() const { return crtc[0x09] & 0x80; }
    // Bytes of plane address per CRTC address step: dword, word or byte mode.
    unsigned address_size() const {
        if (crtc[0x14] & 0x40) return 4;
        return (crtc[0x17] & 0x40) ? 1 : 2;
    }
    unsigned line_pitch() const { return crtc[0x13] * 2u * address_size(); }
};

}  // namespace sandpc
