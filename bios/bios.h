// The machine's firmware. Owns the ROM image; its services run in C++ when a
// ROM stub traps (see bios_rom.h). POST programs the PIC and PIT, fills the
// IVT, BIOS data area and EBDA, sets the video mode and boots (INT 19h).
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "bios/bios_call.h"
#include "bios/bios_host.h"
#include "bios/bios_rom.h"
#include "bios/video_mode_table.h"
#include "devices/storage/window_backend.h"

namespace sandpc {

class StateWriter;
class StateReader;

struct BiosConfig {
    // Boot order as in `qemu -boot`: 'a' floppy, 'c' first hard disk, 'd'
    // CD-ROM (El Torito).
    std::string boot_order = "cad";
};

struct DiskGeometry {
    uint32_t cylinders = 0;
    uint32_t heads = 0;
    uint32_t sectors = 0;  // per track
};

// The CHS geometry a BIOS reports for a hard disk of this size.
DiskGeometry hard_disk_geometry(uint64_t bytes);

class Bios {
  public:
    // INT 13h drive number of the CD-ROM drive (also DL of a no-emulation
    // CD boot).
    static constexpr uint8_t kCdromDrive = 0xE0;

    Bios(BiosHost& host, BiosConfig config);

    const BiosRom& rom() const { return rom_; }
    // Called by the machine for `out BiosRom::kTrapPort` from real or V86
    // mode; `linear` is the address of that OUT. Returns false when it is not
    // one of our stubs (the write is then ignored like any unmapped port).
    bool trap(uint32_t linear);

    void save(StateWriter& w) const;
    void load(StateReader& r);

  private:
    void install_smbios();  // bios_smbios.cpp
    void post(BiosCall& c);
    // Finds the next valid option ROM from the scan position in the EBDA and
    // sets up the far call to its init entry (ZF=0), or ZF=1 when none is
    // left (bios_option_rom.cpp).
    void next_option_rom(BiosCall& c);
    void boot(BiosCall& c);
    // Loads the El Torito boot image and sets up the entry; false with the
    // reason in `why` when the disc does not boot (bios_cdrom.cpp).
    bool boot_cdrom(BiosCall& c, BlockBackend& cd, std::string& why);
    // DL = drive, stack at 0:7C00, IF on, and the stub's RETF going to cs:ip.
    void start_boot_code(BiosCall& c, uint8_t drive, uint16_t cs, uint16_t ip);
    void video(BiosCall& c);
    void disk(BiosCall& c);
    void system(BiosCall& c);
    void keyboard(BiosCall& c);
    void keyboard_irq(BiosCall& c);
    void time(BiosCall& c);
    void pci_bios(BiosCall& c);  // INT 1Ah AH=B1h (bios_pci.cpp)
    void timer_irq(BiosCall& c);
    void serial(BiosCall& c);
    void rtc_irq(BiosCall& c);

    // Video helpers (bios_video.cpp).
    void set_video_mode(BiosCall& c, uint8_t mode);
    void teletype(BiosCall& c, uint8_t ch, uint8_t page, uint8_t color);
    void scroll(BiosCall& c, int lines, uint8_t attr, unsigned top, unsigned left, unsigned bottom,
                unsigned right, uint8_t page);
    void set_cursor(BiosCall& c, uint8_t page, uint8_t row, uint8_t col);
    void write_cell(BiosCall& c, uint8_t page, uint8_t row, uint8_t col, uint8_t ch,
                    int attr /* -1: keep */);
    void update_hw_cursor(BiosCall& c);
    uint32_t text_base(BiosCall& c, uint8_t page);

    // Fonts (bios_font.cpp).
    uint32_t rom_font(unsigned height) const;  // linear address of the ROM font
    void load_font(BiosCall& c, uint8_t block, uint32_t source, unsigned first, unsigned count,
                   unsigned height);
    void set_graphics_font(BiosCall& c, uint32_t table, unsigned height);
    void resize_text_cells(BiosCall& c, unsigned height);
    void video_font(BiosCall& c);

    // Graphics modes (bios_graphics.cpp).
    bool graphics_mode(BiosCall& c, const BiosVideoMode*& out);
    uint32_t glyph_address(BiosCall& c, const BiosVideoMode& m, uint8_t ch, unsigned& height);
    void draw_char(BiosCall& c, uint8_t page, unsigned row, unsigned col, uint8_t ch,
                   uint8_t color);
    int read_graphics_char(BiosCall& c, uint8_t page, unsigned row, unsigned col);
    void write_pixel(BiosCall& c, uint8_t page, unsigned x, unsigned y, uint8_t color);
    uint8_t read_pixel(BiosCall& c, uint8_t page, unsigned x, unsigned y);
    void scroll_graphics(BiosCall& c, const BiosVideoMode& m, int lines, uint8_t color,
                         unsigned top, unsigned left, unsigned bottom, unsigned right,
                         uint8_t page);

    // VBE 2.0 over the Bochs dispi registers (bios_vbe.cpp).
    void vbe(BiosCall& c);
    uint16_t dispi_read(uint16_t index);
    void dispi_write(uint16_t index, uint16_t value);

    // Disk helpers (bios_disk.cpp). drive() maps DL to a backend, the CD's
    // emulated image (constructed in `image`) included.
    BlockBackend* drive(BiosCall& c, uint8_t dl, bool& is_floppy,
                        std::optional<WindowBackend>& image);
    unsigned floppy_count(BiosCall& c);
    // 41h-48h; `sector_bytes` is 512 for disks, 2048 for the CD.
    // 48h reports `chs` when given.
    void disk_extended(BiosCall& c, BlockBackend* d, uint32_t status_at, uint32_t sector_bytes,
                       const DiskGeometry* chs);
    // CD-ROM drive services and El Torito 4Bh (bios_cdrom.cpp).
    void cdrom_disk(BiosCall& c, BlockBackend& cd);
    void cdrom_emulation(BiosCall& c);
    uint8_t emulated_media(BiosCall& c);  // 0 when no drive is emulated
    DiskGeometry emulated_geometry(BiosCall& c);

    // Keyboard helpers (bios_keyboard.cpp).
    bool enqueue_key(BiosCall& c, uint16_t key);

    uint8_t cmos_read(uint8_t index);
    void cmos_write(uint8_t index, uint8_t value);

    BiosHost& host_;
    BiosConfig config_;
    BiosRom rom_;
};

}  // namespace sandpc
