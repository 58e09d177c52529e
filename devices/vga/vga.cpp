#include "devices/vga/vga.h"

#include <algorithm>
#include <stdexcept>

#include "devices/vga/vga_planar.h"
#include "devices/vga/vga_render.h"

namespace sandpc {

namespace {
constexpr uint32_t kStateVersion = 2;  // 2: video memory optional
constexpr uint32_t kMinVram = kVgaPlanarBytes;
constexpr uint32_t kMaxVram = 256u * 1024 * 1024;

// The fixed timing behind input status 1 (see vga.h).
constexpr uint64_t kLinesPerFrame = 449, kDisplayLines = 400;
constexpr uint64_t kRetraceFirst = 412, kRetraceEnd = 414;
constexpr uint64_t kDotsPerLine = 800, kDisplayDots = 640;

template <typename Fn>
uint64_t gather_le(unsigned size, Fn&& byte_at) {
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= uint64_t{byte_at(i)} << (8 * i);
    return v;
}
}  // namespace

Vga::Vga(IoBus& io, MmioBus& mmio, Scheduler& scheduler, VgaConfig config)
    : scheduler_(scheduler),
      mmio_(mmio),
      vbe_(config.vram_size),
      lfb_base_(config.lfb_base),
      map_lfb_(config.map_lfb) {
    if (config.vram_size < kMinVram || config.vram_size > kMaxVram ||
        config.vram_size % VbeDispi::kBankSize != 0) {
        throw std::invalid_argument("vga: video memory must be 256 KiB to 256 MiB in 64 KiB steps");
    }
    vram_.assign(config.vram_size, 0);
    regs_.misc = 0x01;  // colour ports, RAM access off until the BIOS sets a mode
    regs_.gc[8] = 0xFF;
    regs_.seq[2] = 0x0F;

    IoPortHandlers h;
    h.read8 = [this](uint16_t port) { return read_port(port); };
    h.write8 = [this](uint16_t port, uint8_t v) { write_port(port, v); };
    vga_ports_ = io.map(0x3B0, 0x30, std::move(h));

    IoPortHandlers v;
    v.read16 = [this](uint16_t port) { return read_vbe_port(port); };
    v.write16 = [this](uint16_t port, uint16_t value) { write_vbe_port(port, value); };
    // 0x1D0 aliases the data port, which also lets a 16-bit access at 0x1CF
    // reach the chip whole.
    vbe_ports_ = io.map(0x1CE, 3, std::move(v));

    MmioHandlers m;
    m.read = [this](uint64_t off, unsigned size) {
        return gather_le(size, [&](unsigned i) { return read_window(kVgaWindowBase + off + i); });
    };
    m.write = [this](uint64_t off, unsigned size, uint64_t value) {
        for (unsigned i = 0; i < size; ++i)
            write_window(kVgaWindowBase + off + i, static_cast<uint8_t>(value >> (8 * i)));
    };
    window_ = mmio.map(kVgaWindowBase, kVgaWindowSize, std::move(m), "vga window");
    set_lfb_base(lfb_base_);
}

void Vga::set_lfb_base(uint64_t base) {
    lfb_.reset();
    lfb_base_ = base;
    if (map_lfb_) lfb_ = mmio_.map(base, vram_.size(), lfb_handlers(), "vga framebuffer");
}

MmioHandlers Vga::lfb_handlers() {
    MmioHandlers m;
    m.read = [this](uint64_t off, unsigned size) {
        return gather_le(size, [&](unsigned i) -> uint8_t {
            return off + i < vram_.size() ? vram_[off + i] : 0xFF;
        });
    };
    m.write = [this](uint64_t off, unsigned size, uint64_t value) {
        for (unsigned i = 0; i < size; ++i)
            if (off + i < vram_.size()) vram_[off + i] = static_cast<uint8_t>(value >> (8 * i));
    };
    return m;
}

uint8_t Vga::input_status1() {
    regs_.attr_flip_flop = false;
    uint64_t line_ns_x = scheduler_.now_ns() % kFrameNs * kLinesPerFrame;  // in 1/lines ns
    uint64_t line = line_ns_x / kFrameNs;
    uint64_t dot = (line_ns_x % kFrameNs) * kDotsPerLine / kFrameNs;
    bool display = line < kDisplayLines && dot < kDisplayDots;
    bool retrace = line >= kRetraceFirst && line < kRetraceEnd;
    return static_cast<uint8_t>((display ? 0 : 0x01) | (retrace ? 0x08 : 0));
}

uint8_t Vga::read_port(uint16_t port) {
    if ((port & 0xFFF0) == 0x3B0 || (port & 0xFFF0) == 0x3D0) {
        if ((port & 0xFFF0) != crtc_base()) return 0xFF;
        switch (port & 0x0F) {
            case 0x4: return regs_.crtc_index;
            case 0x5:
                return regs_.crtc_index < regs_.crtc.size() ? regs_.crtc[regs_.crtc_index] : 0xFF;
            case 0xA: return input_status1();
            default: return 0xFF;
        }
    }
    switch (port) {
        case 0x3C0: return regs_.attr_index;
        case 0x3C1: {
            unsigned i = regs_.attr_index & 0x1F;
            return i < regs_.attr.size() ? regs_.attr[i] : 0x00;
        }
        case 0x3C2: return 0x10;  // switch sense: a monitor is attached
        case 0x3C3: return regs_.subsystem_enable;
        case 0x3C4: return regs_.seq_index;
        case 0x3C5: return regs_.seq_index < regs_.seq.size() ? regs_.seq[regs_.seq_index] : 0xFF;
        case 0x3C6: return dac_.pel_mask;
        case 0x3C7: return dac_.state();
        case 0x3C8: return dac_.write_index();
        case 0x3C9: return dac_.read_data();
        case 0x3CA: return regs_.feature;
        case 0x3CC: return regs_.misc;
        case 0x3CE: return regs_.gc_index;
        case 0x3CF: return regs_.gc_index < regs_.gc.size() ? regs_.gc[regs_.gc_index] : 0xFF;
        default: return 0xFF;
    }
}

void Vga::write_attribute(uint8_t value) {
    if (!regs_.attr_flip_flop) {
        regs_.attr_index = value & 0x3F;
    } else {
        unsigned i = regs_.attr_index & 0x1F;
        // The palette registers are locked while the palette address source
        // bit hands them to the display.
        bool locked = i < 16 && regs_.palette_enabled();
        if (i < regs_.attr.size() && !locked) regs_.attr[i] = i < 16 ? (value & 0x3F) : value;
    }
    regs_.attr_flip_flop = !regs_.attr_flip_flop;
}

void Vga::write_crtc(uint8_t value) {
    unsigned i = regs_.crtc_index;
    if (i >= regs_.crtc.size()) return;
    if ((regs_.crtc[0x11] & 0x80) && i <= 7) {
        // Write protect: only the line compare bit 8 in CR07 stays writable.
        if (i == 7) regs_.crtc[7] = static_cast<uint8_t>((regs_.crtc[7] & ~0x10) | (value & 0x10));
        return;
    }
    regs_.crtc[i] = value;
}

void Vga::write_port(uint16_t port, uint8_t value) {
    if ((port & 0xFFF0) == 0x3B0 || (port & 0xFFF0) == 0x3D0) {
        if ((port & 0xFFF0) != crtc_base()) return;
        switch (port & 0x0F) {
            case 0x4: regs_.crtc_index = value & 0x3F; break;
            case 0x5: write_crtc(value); break;
            case 0xA: regs_.feature = value; break;
            default: break;
        }
        return;
    }
    switch (port) {
        case 0x3C0:
        case 0x3C1: write_attribute(value); break;
        case 0x3C2: regs_.misc = value; break;
        case 0x3C3: regs_.subsystem_enable = value & 0x01; break;
        case 0x3C4: regs_.seq_index = value & 0x07; break;
        case 0x3C5:
            if (regs_.seq_index < regs_.seq.size()) regs_.seq[regs_.seq_index] = value;
            break;
        case 0x3C6: dac_.pel_mask = value; break;
        case 0x3C7: dac_.read_index_port(value); break;
        case 0x3C8: dac_.write_index_port(value); break;
        case 0x3C9: dac_.write_data(value, vbe_.dac_8bit()); break;
        case 0x3CE: regs_.gc_index = value & 0x0F; break;
        case 0x3CF:
            if (regs_.gc_index < regs_.gc.size()) regs_.gc[regs_.gc_index] = value;
            break;
        default: break;
    }
}

uint16_t Vga::read_vbe_port(uint16_t port) {
    return port == 0x1CE ? vbe_.index : vbe_.read_data();  // 0x1CF, or its alias 0x1D0
}

void Vga::write_vbe_port(uint16_t port, uint16_t value) {
    if (port == 0x1CE) {
        vbe_.index = value;
    } else {
        vbe_.write_data(value, vram_);
    }
}

uint8_t Vga::read_window(uint64_t addr) {
    if (vbe_.enabled()) {
        if (addr < kVgaWindowBase || addr >= kVgaWindowBase + VbeDispi::kBankSize) return 0xFF;
        return vram_[vbe_.bank_offset() + (addr - kVgaWindowBase)];
    }
    if (!regs_.ram_enabled()) return 0xFF;
    auto off = vga_window_offset(regs_, addr);
    return off ? vga_planar_read(regs_, vram_, *off) : 0xFF;
}

void Vga::write_window(uint64_t addr, uint8_t value) {
    if (vbe_.enabled()) {
        if (addr < kVgaWindowBase || addr >= kVgaWindowBase + VbeDispi::kBankSize) return;
        vram_[vbe_.bank_offset() + (addr - kVgaWindowBase)] = value;
        return;
    }
    if (!regs_.ram_enabled()) return;
    if (auto off = vga_window_offset(regs_, addr)) vga_planar_write(regs_, vram_, *off, value);
}

bool Vga::is_text_mode() const {
    return !vbe_.enabled() && !regs_.graphics_mode();
}

std::string Vga::text_screen() const {
    if (!is_text_mode()) return {};
    return vga_text_screen(regs_, vram_);
}

TextCursor Vga::cursor() const {
    if (!is_text_mode()) return {};
    return vga_text_cursor(regs_);
}

RgbImage Vga::render() const {
    return render_vga(VgaView{regs_, dac_, vbe_, vram_, frame_number()});
}

void Vga::save(StateWriter& w, bool include_memory) const {
    w.begin_section("vga", kStateVersion);
    w.u32(static_cast<uint32_t>(vram_.size()));
    w.boolean(include_memory);
    w.u8(regs_.misc);
    w.u8(regs_.feature);
    w.u8(regs_.subsystem_enable);
    w.u8(regs_.seq_index);
    w.bytes(regs_.seq);
    w.u8(regs_.crtc_index);
    w.bytes(regs_.crtc);
    w.u8(regs_.gc_index);
    w.bytes(regs_.gc);
    w.u8(regs_.attr_index);
    w.boolean(regs_.attr_flip_flop);
    w.bytes(regs_.attr);
    w.bytes(regs_.latch);
    dac_.save(w);
    vbe_.save(w);
    if (include_memory) w.bytes(vram_);
    w.end_section();
}

void Vga::load(StateReader& r) {
    r.begin_section("vga", kStateVersion);
    if (r.u32() != vram_.size()) throw StateError("vga: saved video memory size differs");
    bool has_memory = r.boolean();
    VgaRegisters regs;
    regs.misc = r.u8();
    regs.feature = r.u8();
    regs.subsystem_enable = r.u8();
    regs.seq_index = r.u8();
    r.bytes(regs.seq);
    regs.crtc_index = r.u8();
    r.bytes(regs.crtc);
    regs.gc_index = r.u8();
    r.bytes(regs.gc);
    regs.attr_index = r.u8();
    regs.attr_flip_flop = r.boolean();
    r.bytes(regs.attr);
    r.bytes(regs.latch);
    if (regs.subsystem_enable > 1 || regs.seq_index > 0x07 || regs.crtc_index > 0x3F ||
        regs.gc_index > 0x0F || regs.attr_index > 0x3F) {
        throw StateError("vga: register index out of range");
    }
    VgaDac dac;
    dac.load(r);
    VbeDispi vbe = vbe_;
    vbe.load(r);
    std::vector<uint8_t> vram(has_memory ? vram_.size() : 0);
    r.bytes(vram);
    r.end_section();
    regs_ = regs;
    dac_ = dac;
    vbe_ = vbe;
    // Without memory in the section the caller restores linear_framebuffer().
    std::copy(vram.begin(), vram.end(), vram_.begin());  // keeps the framebuffer address
}

}  // namespace sandpc
