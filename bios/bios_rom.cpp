#include "bios/bios_rom.h"

#include <stdexcept>
#include <string_view>

#include "bios/font/rom_font.h"
#include "bios/vbe_modes.h"

namespace sandpc {

// A minimal assembler for the stub bytes; labels are ROM offsets.
class BiosRom::Emitter {
  public:
    Emitter(BiosRom& rom, uint32_t at) : rom_(rom), pc_(at) {}
    uint16_t pc() const { return static_cast<uint16_t>(pc_); }
    void byte(uint8_t b) {
        if (pc_ >= kSize) throw std::logic_error("BIOS ROM layout overflow");
        rom_.image_[pc_++] = b;
    }
    void bytes(std::initializer_list<uint8_t> bs) {
        for (uint8_t b : bs) byte(b);
    }
    void word(uint16_t w) { bytes({uint8_t(w), uint8_t(w >> 8)}); }
    void trap(BiosService s) {
        rom_.traps_[pc_] = s;
        bytes({0xE6, kTrapPort});  // out kTrapPort, al
    }
    void jmp_short(uint16_t target) {
        int d = int(target) - int(pc_ + 2);
        if (d < -128 || d > 127) throw std::logic_error("BIOS ROM short jump out of range");
        bytes({0xEB, uint8_t(d)});
    }
    void jnz_short(uint16_t target) {
        int d = int(target) - int(pc_ + 2);
        bytes({0x75, uint8_t(d)});
    }
    void eoi_master() { bytes({0x50, 0xB0, 0x20, 0xE6, 0x20, 0x58}); }  // push ax..pop ax
    void eoi_both() { bytes({0x50, 0xB0, 0x20, 0xE6, 0xA0, 0xE6, 0x20, 0x58}); }
    void iret() { byte(0xCF); }
    void align(uint32_t to) {
        while (pc_ % to) byte(0x00);
    }
    void block(const uint8_t* data, size_t size) {
        for (size_t i = 0; i < size; ++i) byte(data[i]);
    }
    void string(std::string_view s) {
        for (char ch : s) byte(uint8_t(ch));
        byte(0x00);
    }

  private:
    BiosRom& rom_;
    uint32_t pc_;
};

namespace {

// INT 1Eh diskette parameter tables, indexed by CMOS drive type (0 unused):
// step rate/head unload, head load/DMA, motor off delay, bytes per sector
// code, sectors per track, gap, data length, format gap, fill byte, head
// settle, motor start.
constexpr uint8_t kFloppyParams[6][11] = {
    {0xAF, 0x02, 0x25, 0x02, 0x12, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08},
    {0xDF, 0x02, 0x25, 0x02, 0x09, 0x2A, 0xFF, 0x50, 0xF6, 0x0F, 0x08},  // 360K
    {0xDF, 0x02, 0x25, 0x02, 0x0F, 0x1B, 0xFF, 0x54, 0xF6, 0x0F, 0x08},  // 1.2M
    {0xDF, 0x02, 0x25, 0x02, 0x09, 0x2A, 0xFF, 0x50, 0xF6, 0x0F, 0x08},  // 720K
    {0xAF, 0x02, 0x25, 0x02, 0x12, 0x1B, 0xFF, 0x6C, 0xF6, 0x0F, 0x08},  // 1.44M
    {0xAF, 0x02, 0x25, 0x02, 0x24, 0x1B, 0xFF, 0x53, 0xF6, 0x0F, 0x08},  // 2.88M
};

}  // namespace

BiosRom::BiosRom() : image_(kSize, 0xFF) {
    Emitter e(*this, 0x0100);

    // Unused vectors: a bare IRET.
    uint16_t iret_stub = e.pc();
    e.iret();
    vectors_.fill(iret_stub);

    // Unexpected hardware interrupts: acknowledge and return.
    uint16_t irq_master = e.pc();
    e.eoi_master();
    e.iret();
    uint16_t irq_slave = e.pc();
    e.eoi_both();
    e.iret();
    for (unsigned v = 0x08; v < 0x10; ++v) vectors_[v] = irq_master;
    for (unsigned v = 0x70; v < 0x78; ++v) vectors_[v] = irq_slave;

    // Software services that may wait for an interrupt.
    const std::pair<unsigned, BiosService> services[] = {
        {0x10, BiosService::kVideo},      {0x11, BiosService::kEquipment},
        {0x12, BiosService::kMemorySize}, {0x13, BiosService::kDisk},
        {0x14, BiosService::kSerial},     {0x15, BiosService::kSystem},
        {0x16, BiosService::kKeyboard},   {0x17, BiosService::kPrinter},
        {0x1A, BiosService::kTime},
    };
    for (auto [vector, service] : services) {
        uint16_t entry = e.pc();
        vectors_[vector] = entry;
        e.trap(service);
        uint16_t jnz_at = e.pc();
        e.bytes({0x75, 0x00});  // jnz wait (patched below)
        e.iret();
        uint16_t wait = e.pc();
        image_[jnz_at + 1] = uint8_t(wait - (jnz_at + 2));
        e.bytes({0xFB, 0xF4, 0xFA});  // sti; hlt; cli
        e.jmp_short(entry);
    }

    // INT 08h: tick count, then INT 1Ch, then EOI.
    vectors_[0x08] = e.pc();
    e.trap(BiosService::kTimerIrq);
    e.bytes({0xCD, 0x1C});
    e.eoi_master();
    e.iret();

    // INT 09h: read the scan code, offer it to INT 15h/4Fh, then translate.
    vectors_[0x09] = e.pc();
    e.bytes({0x50, 0xE4, 0x60, 0xB4, 0x4F, 0xF9, 0xCD, 0x15});  // push ax; in al,60h; ...; int 15h
    uint16_t jnc_at = e.pc();
    e.bytes({0x73, 0x00});  // jnc skip
    e.trap(BiosService::kKeyboardIrq);
    image_[jnc_at + 1] = uint8_t(e.pc() - (jnc_at + 2));
    e.bytes({0xB0, 0x20, 0xE6, 0x20, 0x58});  // mov al,20h; out 20h,al; pop ax
    e.iret();

    vectors_[0x0E] = e.pc();
    e.trap(BiosService::kFloppyIrq);
    e.eoi_master();
    e.iret();

    vectors_[0x70] = e.pc();
    e.trap(BiosService::kRtcIrq);
    e.eoi_both();
    e.iret();

    vectors_[0x76] = e.pc();
    e.trap(BiosService::kDiskIrq);
    e.eoi_both();
    e.iret();
    vectors_[0x77] = vectors_[0x76];

    // INT 19h: the service loads the boot sector and pushes its CS:IP.
    vectors_[0x19] = e.pc();
    e.trap(BiosService::kBoot);
    e.byte(0xCB);  // retf

    // INT 18h: no bootable device; halt for good.
    vectors_[0x18] = e.pc();
    e.trap(BiosService::kNoBootDevice);
    uint16_t dead = e.pc();
    e.bytes({0xFA, 0xF4});
    e.jmp_short(dead);

    // VBE window function (ModeInfoBlock WinFuncPtr), far-called with BH, BL
    // and DX as for INT 10h AX=4F05h; AX is destroyed, as the spec allows.
    vbe_window_function_ = e.pc();
    e.bytes({0xB8, 0x05, 0x4F, 0xCD, 0x10, 0xCB});  // mov ax, 4F05h; int 10h; retf

    // POST, then each option ROM's init (far-returning to the scan trap),
    // then boot; if INT 19h ever returns, INT 18h.
    post_entry_ = e.pc();
    e.bytes({0xFA, 0xFC});  // cli; cld
    e.trap(BiosService::kPost);
    option_rom_return_ = e.pc();
    e.bytes({0xFA, 0xFC});  // cli; cld
    e.trap(BiosService::kOptionRom);
    e.bytes({0x74, 0x02});  // jz boot (no ROM left)
    e.bytes({0xFB, 0xCB});  // sti; retf (to the ROM's init entry)
    e.bytes({0xCD, 0x19, 0xCD, 0x18});

    // Data tables.
    for (unsigned t = 0; t < 6; ++t) {
        floppy_params_[t] = e.pc();
        for (uint8_t b : kFloppyParams[t]) e.byte(b);
    }
    // INT 15h/C0h system configuration: length, model FC (AT), submodel,
    // revision, feature bytes (bit 6: second PIC, bit 5: RTC, bit 4: INT 15h/4Fh
    // called from INT 09h, bit 2: EBDA allocated).
    config_table_ = e.pc();
    e.bytes({0x08, 0x00, 0xFC, 0x01, 0x00, 0x74, 0x00, 0x00, 0x00, 0x00});

    // VBE strings and the mode list (VbeInfoBlock points here).
    vbe_oem_ = e.pc();
    e.string("sandpc VBE BIOS");
    vbe_vendor_ = e.pc();
    e.string("sandpc");
    vbe_product_ = e.pc();
    e.string("sandpc Bochs dispi adapter");
    vbe_revision_ = e.pc();
    e.string("1.0");
    e.align(2);
    vbe_modes_ = e.pc();
    for (const VbeMode& m : kVbeModes) e.word(m.number);
    e.word(0xFFFF);

    // Fonts. An alternate-glyph list is a zero-terminated list of
    // replacement characters; ours is empty.
    font_alternates_ = e.pc();
    e.byte(0x00);
    e.align(16);
    font8x16_ = e.pc();
    e.block(kRomFont8x16, sizeof kRomFont8x16);
    font8x14_ = e.pc();
    e.block(kRomFont8x14, sizeof kRomFont8x14);
    font8x8_ = e.pc();
    e.block(kRomFont8x8, sizeof kRomFont8x8);
    free_ = e.pc();
    // The PC's CGA font (characters 00h-7Fh, 8x8) sits at F000:FA6E, where
    // old programs look for it without asking INT 10h.
    Emitter cga(*this, kCgaFontOffset);
    cga.block(kRomFont8x8, 128 * 8);

    // Reset vector: jmp far F000:post; then the BIOS date and model byte.
    Emitter r(*this, 0xFFF0);
    r.byte(0xEA);
    r.word(post_entry_);
    r.word(kSegment);
    Emitter d(*this, 0xFFF5);
    for (char ch : kDate) d.byte(uint8_t(ch));
    d.byte(0x00);
    d.byte(0xFC);  // model: AT
}

bool BiosRom::service_at(uint32_t offset, BiosService& out) const {
    auto it = traps_.find(offset);
    if (it == traps_.end()) return false;
    out = it->second;
    return true;
}

uint32_t BiosRom::append(std::span<const uint8_t> data, unsigned align) {
    uint32_t at = (free_ + align - 1) / align * align;
    if (at + data.size() > kCgaFontOffset) throw std::logic_error("BIOS ROM: no room for data");
    Emitter e(*this, at);
    e.block(data.data(), data.size());
    free_ = at + static_cast<uint32_t>(data.size());
    return at;
}

uint16_t BiosRom::floppy_params(unsigned type) const {
    return floppy_params_[type < floppy_params_.size() ? type : 4];
}

}  // namespace sandpc
