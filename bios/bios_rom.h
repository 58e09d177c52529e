// The BIOS ROM image: 64 KiB at 0xF0000 (and aliased below 4 GiB). It holds
// only small real-mode stubs and data tables. A stub reaches its C++ service
// by `out kTrapPort, al`; the machine passes that OUT to Bios::trap() when it
// was executed from this ROM, and the ROM offset of the OUT names the
// service. Everything else the firmware does is written in C++.
//
// Stub shapes (the service leaves ZF=1 when done, ZF=0 to wait):
//   service:  out trap / jnz wait / iret / wait: sti, hlt, cli, jmp service
//   irq:      vector-specific code around the trap, ending with EOI and iret
//   boot:     out trap / retf   (the service pushed the target CS:IP)
//   post:     out trap(kPost); then per option ROM: out trap(kOptionRom) /
//             jz boot / sti / retf (the service pushed the ROM's init entry
//             and, below it, the return to that trap); boot: int 19h; int 18h
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

namespace sandpc {

enum class BiosService : uint8_t {
    kPost,
    kOptionRom,     // POST's continuation: the next option ROM to initialise
    kBoot,          // INT 19h
    kNoBootDevice,  // INT 18h
    kVideo,         // INT 10h
    kEquipment,     // INT 11h
    kMemorySize,    // INT 12h
    kDisk,          // INT 13h
    kSerial,        // INT 14h
    kSystem,        // INT 15h
    kKeyboard,      // INT 16h
    kPrinter,       // INT 17h
    kTime,          // INT 1Ah
    kTimerIrq,      // INT 08h
    kKeyboardIrq,   // INT 09h (after the INT 15h/4Fh intercept)
    kFloppyIrq,     // INT 0Eh
    kRtcIrq,        // INT 70h
    kDiskIrq,       // INT 76h/77h
};

class BiosRom {
  public:
    static constexpr uint32_t kBase = 0xF0000;
    static constexpr uint32_t kSize = 0x10000;
    static constexpr uint8_t kTrapPort = 0xE6;
    static constexpr uint16_t kSegment = 0xF000;
    static constexpr std::string_view kDate = "11/23/26";  // mm/dd/yy at F000:FFF5

    BiosRom();

    const std::vector<uint8_t>& image() const { return image_; }
    // The service whose trap OUT sits at this ROM offset, if any.
    bool service_at(uint32_t offset, BiosService& out) const;
    // Offset of the handler to put in the IVT for a vector.
    uint16_t vector_entry(unsigned vector) const { return vectors_[vector]; }
    uint16_t floppy_params(unsigned type) const;  // INT 1Eh table for a CMOS drive type
    uint16_t config_table() const { return config_table_; }
    uint16_t reset_entry() const { return post_entry_; }
    // Where an option ROM's init returns to (the kOptionRom trap).
    uint16_t option_rom_return() const { return option_rom_return_; }
    // Code page 437 fonts (see bios/font/rom_font.h), 256 characters each.
    uint16_t font8x16() const { return font8x16_; }
    uint16_t font8x14() const { return font8x14_; }
    uint16_t font8x8() const { return font8x8_; }
    // An empty alternate-glyph list (INT 10h AX=1130h BH=05h/07h).
    uint16_t font_alternates() const { return font_alternates_; }
    // VBE data the BIOS hands out: the OEM, vendor, product and revision
    // strings and the 0xFFFF-terminated mode number list.
    uint16_t vbe_oem_string() const { return vbe_oem_; }
    uint16_t vbe_vendor_string() const { return vbe_vendor_; }
    uint16_t vbe_product_string() const { return vbe_product_; }
    uint16_t vbe_revision_string() const { return vbe_revision_; }
    uint16_t vbe_mode_list() const { return vbe_modes_; }
    uint16_t vbe_window_function() const { return vbe_window_function_; }

    // Copies `data` into the free space after the fonts, at an `align`-byte
    // boundary, and returns its ROM offset. Throws std::logic_error when it
    // does not fit. For tables the firmware builds once per machine (SMBIOS).
    uint32_t append(std::span<const uint8_t> data, unsigned align);

  private:
    class Emitter;
    static constexpr uint32_t kCgaFontOffset = 0xFA6E;  // F000:FA6E, fixed by the PC
    std::vector<uint8_t> image_;
    std::map<uint32_t, BiosService> traps_;
    std::array<uint16_t, 256> vectors_{};
    std::array<uint16_t, 6> floppy_params_{};
    uint16_t config_table_ = 0;
    uint16_t post_entry_ = 0;
    uint16_t option_rom_return_ = 0;
    uint16_t font8x16_ = 0, font8x14_ = 0, font8x8_ = 0, font_alternates_ = 0;
    uint16_t vbe_oem_ = 0, vbe_vendor_ = 0, vbe_product_ = 0, vbe_revision_ = 0, vbe_modes_ = 0;
    uint16_t vbe_window_function_ = 0;
    uint32_t free_ = 0;  // first unused offset after the fonts
};

}  // namespace sandpc
