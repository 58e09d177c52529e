// INT 10h AH=4Fh: VESA BIOS Extension 2.0 over the Bochs dispi registers
// (index port 1CEh, data port 1CFh). The linear framebuffer is the Vga's,
// whose address the dispi interface does not report; the BIOS hands out the
// chip's fixed default (VgaConfig::lfb_base).
//
// Status in AX: 004Fh success; 014Fh failed; 024Fh not supported by the
// hardware configuration; 034Fh invalid in the current video mode.
#include <algorithm>
#include <iterator>

#include "bios/bda.h"
#include "bios/bios.h"
#include "bios/vbe_modes.h"
#include "devices/vga/vbe_dispi.h"

namespace sandpc {

namespace {

constexpr uint16_t kVbeOk = 0x004F, kVbeFailed = 0x014F, kVbeUnsupported = 0x024F,
                   kVbeInvalidNow = 0x034F;
constexpr uint32_t kLfbAddress = 0xE0000000;  // VgaConfig{}.lfb_base

// ModeInfoBlock attribute bits (VBE 2.0).
constexpr uint16_t kModeSupported = 0x0001, kModeOptionalInfo = 0x0002, kModeColor = 0x0008,
                   kModeGraphics = 0x0010, kModeLinear = 0x0080;

struct ColorLayout {
    uint8_t memory_model;  // 4: packed pixel, 6: direct colour
    uint8_t red_size, red_pos, green_size, green_pos, blue_size, blue_pos, rsvd_size, rsvd_pos;
};

ColorLayout color_layout(unsigned bpp) {
    switch (bpp) {
        case 15: return {6, 5, 10, 5, 5, 5, 0, 1, 15};
        case 16: return {6, 5, 11, 6, 5, 5, 0, 0, 0};
        case 24: return {6, 8, 16, 8, 8, 8, 0, 0, 0};
        case 32: return {6, 8, 16, 8, 8, 8, 0, 8, 24};
        default: return {4, 0, 0, 0, 0, 0, 0, 0, 0};
    }
}

}  // namespace

uint16_t Bios::dispi_read(uint16_t index) {
    host_.io().write16(0x1CE, index);
    return host_.io().read16(0x1CF);
}

void Bios::dispi_write(uint16_t index, uint16_t value) {
    host_.io().write16(0x1CE, index);
    host_.io().write16(0x1CF, value);
}

void Bios::vbe(BiosCall& c) {
    // No dispi interface: not a VBE adapter.
    if (dispi_read(VbeDispi::kId) < VbeDispi::kIdMin) {
        c.set_ax(kVbeUnsupported);
        return;
    }
    uint32_t vram = uint32_t(dispi_read(VbeDispi::kVideoMemory64k)) * 0x10000;
    auto fits = [&](const VbeMode& m) {
        return uint64_t(m.width) * m.height * vbe_bytes_per_pixel(m.bpp) <= vram &&
               m.width <= VbeDispi::kMaxXres && m.height <= VbeDispi::kMaxYres;
    };
    auto far_rom = [](uint16_t offset) { return uint32_t(BiosRom::kSegment) << 16 | offset; };
    bool enabled = dispi_read(VbeDispi::kEnable) & VbeDispi::kEnabled;

    switch (c.al()) {
        case 0x00: {  // controller information into ES:DI
            uint32_t block = c.linear(ES, c.di());
            bool vbe2 = c.read32(block) == 0x32454256;  // "VBE2": the caller wants 512 bytes
            for (uint32_t i = 0; i < (vbe2 ? 512u : 256u); ++i) c.write8(block + i, 0);
            c.write32(block + 0x00, 0x41534556);  // "VESA"
            c.write16(block + 0x04, 0x0200);
            c.write32(block + 0x06, far_rom(rom_.vbe_oem_string()));
            c.write32(block + 0x0A, 0x00000001);  // DAC width switchable to 8 bits
            c.write32(block + 0x0E, far_rom(rom_.vbe_mode_list()));
            c.write16(block + 0x12, uint16_t(vram / 0x10000));
            c.write16(block + 0x14, 0x0100);  // OEM software revision 1.0
            c.write32(block + 0x16, far_rom(rom_.vbe_vendor_string()));
            c.write32(block + 0x1A, far_rom(rom_.vbe_product_string()));
            c.write32(block + 0x1E, far_rom(rom_.vbe_revision_string()));
            c.set_ax(kVbeOk);
            return;
        }
        case 0x01: {  // mode information for CX into ES:DI
            const VbeMode* m = find_vbe_mode(c.cx() & 0x1FF);
            if (!m) {
                c.set_ax(kVbeFailed);
                return;
            }
            uint32_t block = c.linear(ES, c.di());
            for (uint32_t i = 0; i < 256; ++i) c.write8(block + i, 0);
            unsigned pitch = m->width * vbe_bytes_per_pixel(m->bpp);
            uint16_t attributes = kModeOptionalInfo | kModeColor | kModeGraphics | kModeLinear;
            if (fits(*m)) attributes |= kModeSupported;
            c.write16(block + 0x00, attributes);
            c.write8(block + 0x02, 0x07);  // window A: exists, readable, writable
            c.write8(block + 0x03, 0x00);  // no window B
            c.write16(block + 0x04, 64);   // granularity, KiB
            c.write16(block + 0x06, 64);   // size, KiB
            c.write16(block + 0x08, 0xA000);
            c.write16(block + 0x0A, 0x0000);
            c.write32(block + 0x0C, far_rom(rom_.vbe_window_function()));
            c.write16(block + 0x10, uint16_t(pitch));
            c.write16(block + 0x12, m->width);
            c.write16(block + 0x14, m->height);
            c.write8(block + 0x16, 8);  // character cell
            c.write8(block + 0x17, 16);
            c.write8(block + 0x18, 1);  // planes
            c.write8(block + 0x19, m->bpp);
            c.write8(block + 0x1A, 1);  // banks
            ColorLayout layout = color_layout(m->bpp);
            c.write8(block + 0x1B, layout.memory_model);
            c.write8(block + 0x1C, 0);  // bank size
            uint32_t page_bytes = pitch * m->height;
            uint32_t pages = page_bytes ? vram / page_bytes : 0;
            c.write8(block + 0x1D, uint8_t(pages ? std::min<uint32_t>(pages - 1, 255) : 0));
            c.write8(block + 0x1E, 1);  // reserved, 1 from VBE 2.0 on
            c.write8(block + 0x1F, layout.red_size);
            c.write8(block + 0x20, layout.red_pos);
            c.write8(block + 0x21, layout.green_size);
            c.write8(block + 0x22, layout.green_pos);
            c.write8(block + 0x23, layout.blue_size);
            c.write8(block + 0x24, layout.blue_pos);
            c.write8(block + 0x25, layout.rsvd_size);
            c.write8(block + 0x26, layout.rsvd_pos);
            c.write8(block + 0x27, layout.rsvd_size ? 0x02 : 0x00);  // reserved field usable
            c.write32(block + 0x28, kLfbAddress);
            c.set_ax(kVbeOk);
            return;
        }
        case 0x02: {  // set mode BX: bits 0-8 mode, 14 linear framebuffer, 15 keep memory
            uint16_t number = c.bx() & 0x1FF;
            bool keep = c.bx() & 0x8000;
            if (number < 0x100) {
                set_video_mode(c, uint8_t(number | (keep ? 0x80 : 0)));
                c.set_ax(kVbeOk);
                return;
            }
            const VbeMode* m = find_vbe_mode(number);
            if (!m || !fits(*m)) {
                c.set_ax(kVbeFailed);
                return;
            }
            // The VGA side in mode 13h state (256-colour DAC, graphics),
            // memory kept: the dispi display then takes over.
            set_video_mode(c, 0x93);
            dispi_write(VbeDispi::kEnable, 0);
            dispi_write(VbeDispi::kXres, m->width);
            dispi_write(VbeDispi::kYres, m->height);
            dispi_write(VbeDispi::kBpp, m->bpp);
            dispi_write(VbeDispi::kEnable, uint16_t(VbeDispi::kEnabled | VbeDispi::kLfbEnabled |
                                                    (keep ? VbeDispi::kNoClearMem : 0)));
            c.write16(bda::kEbdaVbeMode, uint16_t(c.bx() & 0x41FF));
            c.set_ax(kVbeOk);
            return;
        }
        case 0x03: {  // current mode
            uint16_t mode = c.read16(bda::kEbdaVbeMode);
            c.set_bx(enabled && mode ? mode : c.read8(bda::kVideoMode));
            c.set_ax(kVbeOk);
            return;
        }
        case 0x04: {  // save/restore state: DL 0 size, 1 save, 2 restore; CX what
            // Kept: the dispi registers (state bit 0, "controller hardware").
            static constexpr uint16_t kSaved[] = {
                VbeDispi::kXres,    VbeDispi::kYres,      VbeDispi::kBpp,
                VbeDispi::kBank,    VbeDispi::kVirtWidth, VbeDispi::kVirtHeight,
                VbeDispi::kXOffset, VbeDispi::kYOffset,   VbeDispi::kEnable};
            uint32_t buffer = c.linear(ES, c.bx());
            switch (c.dl()) {
                case 0x00: c.set_bx(1); break;  // one 64-byte block
                case 0x01:
                    for (unsigned i = 0; i < std::size(kSaved); ++i)
                        c.write16(buffer + 2 * i, dispi_read(kSaved[i]));
                    break;
                case 0x02: {
                    dispi_write(VbeDispi::kEnable, 0);
                    for (unsigned i = 0; i < std::size(kSaved); ++i) {
                        uint16_t v = c.read16(buffer + 2 * i);
                        if (kSaved[i] == VbeDispi::kEnable) v |= VbeDispi::kNoClearMem;
                        dispi_write(kSaved[i], v);
                    }
                    break;
                }
                default: c.set_ax(kVbeFailed); return;
            }
            c.set_ax(kVbeOk);
            return;
        }
        case 0x05:  // window control: BH 0 set, 1 get; BL window; DX position (64 KiB units)
            if (c.bl() != 0 || c.bh() > 1) {
                c.set_ax(kVbeFailed);
                return;
            }
            if (!enabled) {
                c.set_ax(kVbeInvalidNow);
                return;
            }
            if (c.bh() == 0) {
                if (uint32_t(c.dx()) * 0x10000 >= vram) {
                    c.set_ax(kVbeFailed);
                    return;
                }
                dispi_write(VbeDispi::kBank, c.dx());
            } else {
                c.set_dx(dispi_read(VbeDispi::kBank));
            }
            c.set_ax(kVbeOk);
            return;
        case 0x06: {  // logical scan line length
            if (!enabled) {
                c.set_ax(kVbeInvalidNow);
                return;
            }
            unsigned bytes = (dispi_read(VbeDispi::kBpp) + 7) / 8;
            switch (c.bl()) {
                case 0x00: dispi_write(VbeDispi::kVirtWidth, c.cx()); break;
                case 0x02: dispi_write(VbeDispi::kVirtWidth, uint16_t(c.cx() / bytes)); break;
                case 0x01: break;
                case 0x03: {
                    unsigned yres = dispi_read(VbeDispi::kYres);
                    unsigned max_pixels = std::min<unsigned>(vram / (yres * bytes), 0xFFFF);
                    c.set_bx(uint16_t(std::min<unsigned>(max_pixels * bytes, 0xFFFF)));
                    c.set_cx(uint16_t(max_pixels));
                    c.set_ax(kVbeOk);
                    return;
                }
                default: c.set_ax(kVbeFailed); return;
            }
            unsigned width = dispi_read(VbeDispi::kVirtWidth);
            c.set_bx(uint16_t(width * bytes));
            c.set_cx(uint16_t(width));
            c.set_dx(dispi_read(VbeDispi::kVirtHeight));
            c.set_ax(kVbeOk);
            return;
        }
        case 0x07:  // display start: BL 00h/80h set (CX pixel, DX line), 01h get
            if (!enabled) {
                c.set_ax(kVbeInvalidNow);
                return;
            }
            if ((c.bl() & 0x7F) == 0x00) {
                dispi_write(VbeDispi::kXOffset, c.cx());
                dispi_write(VbeDispi::kYOffset, c.dx());
            } else if (c.bl() == 0x01) {
                c.set_bh(0);
                c.set_cx(dispi_read(VbeDispi::kXOffset));
                c.set_dx(dispi_read(VbeDispi::kYOffset));
            } else {
                c.set_ax(kVbeFailed);
                return;
            }
            c.set_ax(kVbeOk);
            return;
        case 0x08: {  // DAC palette format: BL 0 set (BH bits), 1 get
            uint16_t enable = dispi_read(VbeDispi::kEnable);
            if (c.bl() == 0x00) {
                bool eight = c.bh() >= 8;
                enable = uint16_t(eight ? (enable | VbeDispi::kDac8Bit)
                                        : (enable & ~VbeDispi::kDac8Bit));
                dispi_write(VbeDispi::kEnable, uint16_t(enable | VbeDispi::kNoClearMem));
                enable = dispi_read(VbeDispi::kEnable);
            } else if (c.bl() != 0x01) {
                c.set_ax(kVbeFailed);
                return;
            }
            c.set_bh((enable & VbeDispi::kDac8Bit) ? 8 : 6);
            c.set_ax(kVbeOk);
            return;
        }
        case 0x09: {  // palette data: BL 00h/80h set, 01h get; CX entries from DX; ES:DI
            uint32_t table = c.linear(ES, c.di());
            IoBus& io = host_.io();
            unsigned first = c.dx(), count = c.cx();
            if (first + count > 256) {
                c.set_ax(kVbeFailed);
                return;
            }
            // Table entries are blue, green, red, alignment.
            if ((c.bl() & 0x7F) == 0x00) {
                io.write8(0x3C8, uint8_t(first));
                for (unsigned i = 0; i < count; ++i) {
                    uint32_t e = table + 4 * i;
                    io.write8(0x3C9, c.read8(e + 2));
                    io.write8(0x3C9, c.read8(e + 1));
                    io.write8(0x3C9, c.read8(e + 0));
                }
            } else if (c.bl() == 0x01) {
                io.write8(0x3C7, uint8_t(first));
                for (unsigned i = 0; i < count; ++i) {
                    uint32_t e = table + 4 * i;
                    c.write8(e + 2, io.read8(0x3C9));
                    c.write8(e + 1, io.read8(0x3C9));
                    c.write8(e + 0, io.read8(0x3C9));
                    c.write8(e + 3, 0);
                }
            } else {
                c.set_ax(kVbeFailed);
                return;
            }
            c.set_ax(kVbeOk);
            return;
        }
        default: c.set_ax(kVbeFailed); return;
    }
}

}  // namespace sandpc
