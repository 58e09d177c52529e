// Legacy option ROMs (PC expansion ROMs): a 55AAh signature, the length in
// 512-byte units at offset 2, an init entry at offset 3 (far-called by POST)
// and an 8-bit checksum of zero over that length. They live in the option
// ROM area below the system BIOS, on 2 KiB boundaries; 0xC0000-0xC7FFF is
// the VGA BIOS's place (our system BIOS serves INT 10h itself).
#pragma once
#include <cstdint>
#include <span>
#include <string>

namespace sandpc::option_rom {

constexpr uint32_t kAreaBase = 0xC8000;  // first place for a ROM
constexpr uint32_t kAreaEnd = 0xE0000;   // the scan stops here
constexpr uint32_t kAlign = 0x800;
constexpr uint32_t kMaxSize = 0x10000;
constexpr uint16_t kInitOffset = 0x0003;

// The length the header declares, in bytes.
inline uint32_t declared_length(std::span<const uint8_t> rom) {
    return rom.size() > 2 ? uint32_t(rom[2]) * 512 : 0;
}

// Why `image` is not a usable option ROM; empty when it is.
std::string problem(std::span<const uint8_t> image);

}  // namespace sandpc::option_rom
