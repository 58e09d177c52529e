// IBM VGA with the Bochs VBE "dispi" extension.
//
// Ports: 0x3B0-0x3DF (misc output, input status 0/1, sequencer, CRTC at
// 0x3B4/0x3D4 by misc bit 0, graphics controller, attribute controller, DAC,
// feature control, 0x3C3) and 0x1CE/0x1CF (VBE, 16-bit). Index/data pairs
// accept 16-bit writes through the bus's byte split; 0x3C1 writes alias 0x3C0
// as on most VGA chips, so "out dx, ax" works on the attribute pair too.
//
// Memory: one video memory of vram_size bytes. Its first 256 KiB are the four
// planes behind the legacy window 0xA0000-0xBFFFF (an MMIO region; see
// vga_planar.h). While VBE is enabled the window shows a 64 KiB bank at
// 0xA0000 and the whole memory is the linear framebuffer at lfb_base. The
// framebuffer is plain memory: the machine may map linear_framebuffer() as
// RAM (its address stays fixed for the chip's lifetime) or use the MMIO
// mapping the chip installs when config.map_lfb is set.
//
// Input status 1 follows a fixed 70 Hz, 449-line frame (400 displayed lines,
// retrace on lines 412-413, 640 of 800 dots displayed per line) in virtual
// time, whatever the CRTC timing registers say.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "devices/io_bus.h"
#include "devices/mmio_bus.h"
#include "devices/scheduler.h"
#include "devices/vga/rgb_image.h"
#include "devices/vga/vbe_dispi.h"
#include "devices/vga/vga_dac.h"
#include "devices/vga/vga_registers.h"

namespace sandpc {

struct VgaConfig {
    uint32_t vram_size = 16 * 1024 * 1024;  // 256 KiB .. 256 MiB, multiple of 64 KiB
    uint64_t lfb_base = 0xE0000000;
    bool map_lfb = true;  // install the MMIO handlers for the framebuffer
};

struct TextCursor {
    unsigned row = 0;
    unsigned column = 0;
    bool visible = false;  // enabled, inside the screen and with a scan-line range
};

class Vga {
  public:
    static constexpr uint64_t kFrameNs = 1'000'000'000 / 70;

    // Throws std::invalid_argument for an unusable vram_size.
    Vga(IoBus& io, MmioBus& mmio, Scheduler& scheduler, VgaConfig config = {});
    Vga(const Vga&) = delete;
    Vga& operator=(const Vga&) = delete;

    uint8_t read_port(uint16_t port);
    void write_port(uint16_t port, uint8_t value);
    uint16_t read_vbe_port(uint16_t port);
    void write_vbe_port(uint16_t port, uint16_t value);

    // Byte access to the legacy window; addr is absolute (0xA0000-0xBFFFF).
    uint8_t read_window(uint64_t addr);
    void write_window(uint64_t addr, uint8_t value);

    std::span<uint8_t> linear_framebuffer() { return vram_; }
    uint64_t lfb_base() const { return lfb_base_; }
    void set_lfb_base(uint64_t base);  // e.g. when a PCI BAR moves
    MmioHandlers lfb_handlers();

    bool is_text_mode() const;
    // Text modes: the visible characters, rows joined by '\n', trailing spaces
    // trimmed, CP437 as UTF-8. Empty in graphics modes.
    std::string text_screen() const;
    TextCursor cursor() const;
    // The current picture: text, VGA graphics or VBE, as the monitor shows it.
    RgbImage render() const;

    const VgaRegisters& registers() const { return regs_; }
    const VgaDac& dac() const { return dac_; }
    const VbeDispi& vbe() const { return vbe_; }

    // Video memory is part of the section unless include_memory is false
    // (a machine checkpoint stores it as a compressed memory region instead).
    void save(StateWriter& w, bool include_memory = true) const;
    void load(StateReader& r);

  private:
    uint16_t crtc_base() const { return regs_.color_ports() ? 0x3D0 : 0x3B0; }
    uint8_t input_status1();
    void write_attribute(uint8_t value);
    void write_crtc(uint8_t value);
    uint64_t frame_number() const { return scheduler_.now_ns() / kFrameNs; }

    Scheduler& scheduler_;
    MmioBus& mmio_;
    VgaRegisters regs_;
    VgaDac dac_;
    VbeDispi vbe_;
    std::vector<uint8_t> vram_;
    uint64_t lfb_base_;
    bool map_lfb_;
    IoBus::Mapping vga_ports_;
    IoBus::Mapping vbe_ports_;
    MmioBus::Mapping window_;
    MmioBus::Mapping lfb_;
};

}  // namespace sandpc
