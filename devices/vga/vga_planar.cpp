#include "devices/vga/vga_planar.h"

namespace sandpc {

namespace {

struct WindowRange {
    uint64_t base;
    uint32_t size;
};
// GC register 6 bits 2-3.
constexpr WindowRange kWindows[4] = {
    {0xA0000, 0x20000}, {0xA0000, 0x10000}, {0xB0000, 0x8000}, {0xB8000, 0x8000}};

struct PlaneAddress {
    uint32_t offset;
    uint8_t write_planes;  // before the map mask
    uint8_t read_plane;
};

PlaneAddress decode(const VgaRegisters& regs, uint32_t a) {
    if (regs.chain4()) {
        // The two low address bits pick the plane; the plane address keeps
        // them (cleared), so each plane holds every fourth byte.
        unsigned plane = a & 3;
        return {a & ~3u, static_cast<uint8_t>(1u << plane), static_cast<uint8_t>(plane)};
    }
    PlaneAddress p{a, 0x0F, static_cast<uint8_t>(regs.gc[4] & 3)};
    if (!regs.sequential()) {
        p.offset = a & ~1u;
        p.write_planes = (a & 1) ? 0x0A : 0x05;
    }
    if (regs.host_odd_even()) {
        p.offset = a & ~1u;
        p.read_plane = static_cast<uint8_t>((regs.gc[4] & 2) | (a & 1));
    }
    return p;
}

uint8_t rotate_right(uint8_t v, unsigned n) {
    n &= 7;
    return static_cast<uint8_t>((v >> n) | (v << ((8 - n) & 7)));
}

uint8_t alu(unsigned function, uint8_t data, uint8_t latch) {
    switch (function) {
        case 1: return data & latch;
        case 2: return data | latch;
        case 3: return data ^ latch;
        default: return data;
    }
}

}  // namespace

std::optional<uint32_t> vga_window_offset(const VgaRegisters& regs, uint64_t addr) {
    const WindowRange& w = kWindows[regs.memory_map()];
    if (addr < w.base || addr >= w.base + w.size) return std::nullopt;
    return static_cast<uint32_t>(addr - w.base);
}

uint8_t vga_planar_read(VgaRegisters& regs, std::span<const uint8_t> vram, uint32_t offset) {
    PlaneAddress p = decode(regs, offset);
    for (unsigned plane = 0; plane < 4; ++plane)
        regs.latch[plane] = plane_byte(vram, plane, p.offset);
    if (!regs.read_mode1()) return regs.latch[p.read_plane];
    // Colour compare: a bit is 1 where every plane that is not "don't care"
    // matches the compare colour.
    uint8_t compare = regs.gc[2] & 0x0F, care = regs.gc[7] & 0x0F;
    uint8_t mismatch = 0;
    for (unsigned plane = 0; plane < 4; ++plane) {
        if (!(care & (1u << plane))) continue;
        uint8_t want = (compare & (1u << plane)) ? 0xFF : 0x00;
        mismatch |= regs.latch[plane] ^ want;
    }
    return static_cast<uint8_t>(~mismatch);
}

void vga_planar_write(VgaRegisters& regs, std::span<uint8_t> vram, uint32_t offset, uint8_t value) {
    PlaneAddress p = decode(regs, offset);
    uint8_t planes = p.write_planes & regs.seq[2] & 0x0F;
    uint8_t set_reset = regs.gc[0], enable_set_reset = regs.gc[1];
    unsigned function = (regs.gc[3] >> 3) & 3;
    uint8_t rotated = rotate_right(value, regs.gc[3] & 7);
    uint8_t bit_mask = regs.gc[8];
    unsigned mode = regs.write_mode();
    if (mode == 3) bit_mask &= rotated;

    for (unsigned plane = 0; plane < 4; ++plane) {
        if (!(planes & (1u << plane))) continue;
        uint8_t latch = regs.latch[plane];
        uint8_t fill_sr = (set_reset & (1u << plane)) ? 0xFF : 0x00;
        uint8_t data;
        switch (mode) {
            case 0: data = (enable_set_reset & (1u << plane)) ? fill_sr : rotated; break;
            case 1: plane_byte(vram, plane, p.offset) = latch; continue;
            case 2: data = (value & (1u << plane)) ? 0xFF : 0x00; break;
            default: data = fill_sr; break;
        }
        data = alu(function, data, latch);
        plane_byte(vram, plane, p.offset) =
            static_cast<uint8_t>((data & bit_mask) | (latch & ~bit_mask));
    }
}

}  // namespace sandpc
