// One BIOS service call in progress: the caller's registers and the guest
// memory the service reads or writes, as real-mode (or virtual-8086) code
// sees them. Memory goes through the CPU's linear-address path, so a page
// fault in V86 mode is delivered and the INT restarts after the monitor
// handles it.
#pragma once
#include <cstdint>
#include <span>

#include "cpu/cpu.h"

namespace sandpc {

class BiosCall {
  public:
    explicit BiosCall(Cpu& cpu) : cpu(cpu) {}

    uint16_t ax() const { return cpu.reg16(EAX); }
    uint16_t bx() const { return cpu.reg16(EBX); }
    uint16_t cx() const { return cpu.reg16(ECX); }
    uint16_t dx() const { return cpu.reg16(EDX); }
    uint16_t si() const { return cpu.reg16(ESI); }
    uint16_t di() const { return cpu.reg16(EDI); }
    uint16_t bp() const { return cpu.reg16(EBP); }
    uint8_t ah() const { return uint8_t(ax() >> 8); }
    uint8_t al() const { return uint8_t(ax()); }
    uint8_t bh() const { return uint8_t(bx() >> 8); }
    uint8_t bl() const { return uint8_t(bx()); }
    uint8_t ch() const { return uint8_t(cx() >> 8); }
    uint8_t cl() const { return uint8_t(cx()); }
    uint8_t dh() const { return uint8_t(dx() >> 8); }
    uint8_t dl() const { return uint8_t(dx()); }
    void set_ax(uint16_t v) { cpu.set_reg16(EAX, v); }
    void set_bx(uint16_t v) { cpu.set_reg16(EBX, v); }
    void set_cx(uint16_t v) { cpu.set_reg16(ECX, v); }
    void set_dx(uint16_t v) { cpu.set_reg16(EDX, v); }
    void set_di(uint16_t v) { cpu.set_reg16(EDI, v); }
    void set_si(uint16_t v) { cpu.set_reg16(ESI, v); }
    void set_bp(uint16_t v) { cpu.set_reg16(EBP, v); }
    void set_ah(uint8_t v) { set_ax(uint16_t((ax() & 0x00FF) | (v << 8))); }
    void set_al(uint8_t v) { set_ax(uint16_t((ax() & 0xFF00) | v)); }
    void set_bh(uint8_t v) { set_bx(uint16_t((bx() & 0x00FF) | (v << 8))); }
    void set_bl(uint8_t v) { set_bx(uint16_t((bx() & 0xFF00) | v)); }
    void set_ch(uint8_t v) { set_cx(uint16_t((cx() & 0x00FF) | (v << 8))); }
    void set_cl(uint8_t v) { set_cx(uint16_t((cx() & 0xFF00) | v)); }
    void set_dh(uint8_t v) { set_dx(uint16_t((dx() & 0x00FF) | (v << 8))); }
    void set_dl(uint8_t v) { set_dx(uint16_t((dx() & 0xFF00) | v)); }
    uint32_t reg32(unsigned r) const { return cpu.s.gpr[r]; }
    void set_reg32(unsigned r, uint32_t v) { cpu.s.gpr[r] = v; }

    uint16_t segment(unsigned seg) const { return cpu.s.seg[seg].selector; }
    void set_segment(unsigned seg, uint16_t selector) { cpu.load_segment(seg, selector); }
    // Linear address of seg:off as the caller's mode computes it.
    uint32_t linear(unsigned seg, uint16_t off) const { return cpu.s.seg[seg].base + off; }
    static uint32_t real_linear(uint16_t seg, uint16_t off) { return (uint32_t(seg) << 4) + off; }

    uint8_t read8(uint32_t lin) { return cpu.read_linear<uint8_t>(lin); }
    uint16_t read16(uint32_t lin) { return cpu.read_linear<uint16_t>(lin); }
    uint32_t read32(uint32_t lin) { return cpu.read_linear<uint32_t>(lin); }
    void write8(uint32_t lin, uint8_t v) { cpu.write_linear<uint8_t>(lin, v); }
    void write16(uint32_t lin, uint16_t v) { cpu.write_linear<uint16_t>(lin, v); }
    void write32(uint32_t lin, uint32_t v) { cpu.write_linear<uint32_t>(lin, v); }
    void read_block(uint32_t lin, std::span<uint8_t> out) {
        for (size_t i = 0; i < out.size(); ++i) out[i] = read8(lin + uint32_t(i));
    }
    void write_block(uint32_t lin, std::span<const uint8_t> data) {
        for (size_t i = 0; i < data.size(); ++i) write8(lin + uint32_t(i), data[i]);
    }

    // Result flags in the caller's FLAGS image (the IRET frame at SS:SP).
    void set_cf(bool on) { set_frame_flag(eflags::CF, on); }
    void set_zf(bool on) { set_frame_flag(eflags::ZF, on); }
    void set_if(bool on) { set_frame_flag(eflags::IF, on); }
    // Carry clear and AH = 0, or carry set and AH = the error code.
    void status(uint8_t code) {
        set_ah(code);
        set_cf(code != 0);
    }
    void unsupported() { status(0x86); }

    // The stub loops (STI; HLT) and calls again when the service waits.
    void finish() { live_zf(true); }
    void wait() { live_zf(false); }

  private:
    uint32_t frame_flags_address() const {
        return cpu.s.seg[SS].base + ((cpu.s.gpr[ESP] + 4) & 0xFFFF);
    }
    void set_frame_flag(uint32_t bit, bool on) {
        uint32_t at = frame_flags_address();
        uint16_t f = read16(at);
        write16(at, uint16_t(on ? (f | bit) : (f & ~bit)));
    }
    void live_zf(bool on) { cpu.set_eflags(on ? eflags::ZF : 0, eflags::ZF); }

  public:
    Cpu& cpu;
};

}  // namespace sandpc
