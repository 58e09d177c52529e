// CPU access to the VGA's four 64 KiB planes through the legacy window: the
// address decoding (chain-4, odd/even, sequential), the write modes 0-3 with
// set/reset, rotate, logical function and bit mask, the read modes 0-1 and
// the latches. Planes live interleaved at the start of video memory: plane p,
// offset o is byte o * 4 + p, so a latch load is one 32-bit read.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "devices/vga/vga_registers.h"

namespace sandpc {

constexpr uint32_t kVgaPlaneSize = 64 * 1024;
constexpr uint32_t kVgaPlanarBytes = 4 * kVgaPlaneSize;
constexpr uint64_t kVgaWindowBase = 0xA0000;
constexpr uint64_t kVgaWindowSize = 0x20000;

inline uint8_t& plane_byte(std::span<uint8_t> vram, unsigned plane, uint32_t offset) {
    return vram[(offset & (kVgaPlaneSize - 1)) * 4 + (plane & 3)];
}
inline uint8_t plane_byte(std::span<const uint8_t> vram, unsigned plane, uint32_t offset) {
    return vram[(offset & (kVgaPlaneSize - 1)) * 4 + (plane & 3)];
}

// Offset inside the window selected by GC misc bits 2-3, or nullopt when the
// address (absolute, 0xA0000-0xBFFFF) lies outside it.
std::optional<uint32_t> vga_window_offset(const VgaRegisters& regs, uint64_t addr);

// vram must hold at least kVgaPlanarBytes.
uint8_t vga_planar_read(VgaRegisters& regs, std::span<const uint8_t> vram, uint32_t offset);
void vga_planar_write(VgaRegisters& regs, std::span<uint8_t> vram, uint32_t offset, uint8_t value);

}  // namespace sandpc
