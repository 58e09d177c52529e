// FSTENV/FLDENV/FSAVE/FRSTOR/FXSAVE/FXRSTOR images and the snapshot section.
#include <cstring>

#include "cpu/fpu/x87.h"
#include "snapshot/state_stream.h"

namespace sandpc {
namespace {

void put16(uint8_t* p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}
void put32(uint8_t* p, uint32_t v) {
    put16(p, v);
    put16(p + 2, v >> 16);
}
uint32_t get16(const uint8_t* p) {
    return p[0] | (p[1] << 8);
}
uint32_t get32(const uint8_t* p) {
    return get16(p) | (get16(p + 2) << 16);
}

}  // namespace

// Layouts (SDM vol. 1, figures 8-9 to 8-12): 28 bytes with 32-bit operand
// size, 14 with 16-bit; in real/V86 mode the pointers are 20/32-bit linear
// addresses split around the 11-bit opcode.
void X87::store_env(const X87Instruction& insn, X87Memory& mem) const {
    uint8_t img[28];
    std::memset(img, 0xff, sizeof img);  // reserved fields read as ones
    const uint32_t fip_lin = (static_cast<uint32_t>(fcs_) << 4) + fip_;
    const uint32_t fdp_lin = (static_cast<uint32_t>(fds_) << 4) + fdp_;
    if (insn.op32) {
        put16(img + 0, cw_);
        put16(img + 4, status_word());
        put16(img + 8, tag_word());
        if (insn.protected_mode) {
            put32(img + 12, fip_);
            put32(img + 16, fcs_ | (static_cast<uint32_t>(fop_) << 16));
            put32(img + 20, fdp_);
            put16(img + 24, fds_);
        } else {
            put16(img + 12, fip_lin);
            put32(img + 16, fop_ | ((fip_lin >> 16) << 12));
            put16(img + 20, fdp_lin);
            put32(img + 24, (fdp_lin >> 16) << 12);
        }
    } else {
        put16(img + 0, cw_);
        put16(img + 2, status_word());
        put16(img + 4, tag_word());
        if (insn.protected_mode) {
            put16(img + 6, fip_);
            put16(img + 8, fcs_);
            put16(img + 10, fdp_);
            put16(img + 12, fds_);
        } else {
            put16(img + 6, fip_lin);
            put16(img + 8, fop_ | ((fip_lin >> 16) << 12));
            put16(img + 10, fdp_lin);
            put16(img + 12, (fdp_lin >> 16) << 12);
        }
    }
    mem.write(insn.mem_offset, img, env_size(insn));
}

void X87::load_env_image(const X87Instruction& insn, const uint8_t* img) {
    uint32_t cw, sw, tw;
    if (insn.op32) {
        cw = get16(img);
        sw = get16(img + 4);
        tw = get16(img + 8);
        if (insn.protected_mode) {
            fip_ = get32(img + 12);
            fcs_ = static_cast<uint16_t>(get16(img + 16));
            fop_ = static_cast<uint16_t>(get16(img + 18) & 0x7ff);
            fdp_ = get32(img + 20);
            fds_ = static_cast<uint16_t>(get16(img + 24));
        } else {
            uint32_t w16 = get32(img + 16);
            fip_ = get16(img + 12) | ((w16 >> 12 & 0xffff) << 16);
            fop_ = static_cast<uint16_t>(w16 & 0x7ff);
            fdp_ = get16(img + 20) | ((get32(img + 24) >> 12 & 0xffff) << 16);
            fcs_ = fds_ = 0;
        }
    } else {
        cw = get16(img);
        sw = get16(img + 2);
        tw = get16(img + 4);
        if (insn.protected_mode) {  // no room for the opcode: it reads as 0
            fip_ = get16(img + 6);
            fop_ = 0;
            fcs_ = static_cast<uint16_t>(get16(img + 8));
            fdp_ = get16(img + 10);
            fds_ = static_cast<uint16_t>(get16(img + 12));
        } else {
            uint32_t w8 = get16(img + 8);
            fip_ = get16(img + 6) | ((w8 >> 12) << 16);
            fop_ = static_cast<uint16_t>(w8 & 0x7ff);
            fdp_ = get16(img + 10) | ((get16(img + 12) >> 12) << 16);
            fcs_ = fds_ = 0;
        }
    }
    cw_ = sanitize_cw(cw);
    top_ = static_cast<uint8_t>((sw >> 11) & 7);
    sw_ = static_cast<uint16_t>(sw & ~(0x3800 | kB));
    // Only "empty or not" is taken from the tags; the rest follows the contents.
    valid_ = 0;
    for (unsigned i = 0; i < 8; ++i)
        if (((tw >> (2 * i)) & 3) != 3) valid_ |= static_cast<uint8_t>(1u << i);
}

void X87::fxsave(X87Memory& mem, uint32_t offset, uint32_t mxcsr, uint32_t mxcsr_mask) const {
    uint8_t img[160] = {};
    put16(img + 0, cw_);
    put16(img + 2, status_word());
    img[4] = valid_;
    put16(img + 6, fop_);
    put32(img + 8, fip_);
    put16(img + 12, fcs_);
    put32(img + 16, fdp_);
    put16(img + 20, fds_);
    put32(img + 24, mxcsr);
    put32(img + 28, mxcsr_mask);
    for (unsigned i = 0; i < 8; ++i) st(i).to_bytes(img + 32 + 16 * i);
    mem.write(offset, img, sizeof img);
}

X87Fault X87::fxrstor(X87Memory& mem, uint32_t offset, uint32_t mxcsr_mask, uint32_t& mxcsr) {
    uint8_t img[160];
    mem.read(offset, img, sizeof img);
    const uint32_t new_mxcsr = get32(img + 24);
    if (new_mxcsr & ~mxcsr_mask) return X87Fault::general_protection;
    mxcsr = new_mxcsr;
    cw_ = sanitize_cw(get16(img));
    const uint32_t sw = get16(img + 2);
    top_ = static_cast<uint8_t>((sw >> 11) & 7);
    sw_ = static_cast<uint16_t>(sw & ~(0x3800 | kB));
    valid_ = img[4];
    fop_ = static_cast<uint16_t>(get16(img + 6) & 0x7ff);
    fip_ = get32(img + 8);
    fcs_ = static_cast<uint16_t>(get16(img + 12));
    fdp_ = get32(img + 16);
    fds_ = static_cast<uint16_t>(get16(img + 20));
    for (unsigned i = 0; i < 8; ++i) regs_[(top_ + i) & 7] = F80::from_bytes(img + 32 + 16 * i);
    update_es();  // ES/B follow the loaded flags and masks
    return X87Fault::none;
}

namespace {
constexpr uint32_t kStateVersion = 1;
}

void X87::save(StateWriter& w) const {
    w.begin_section("x87", kStateVersion);
    for (const F80& r : regs_) {
        w.u64(r.mant);
        w.u16(r.sign_exp);
    }
    w.u16(cw_);
    w.u16(sw_);
    w.u8(top_);
    w.u8(valid_);
    w.u32(fip_);
    w.u16(fcs_);
    w.u16(fop_);
    w.u32(fdp_);
    w.u16(fds_);
    w.end_section();
}

void X87::load(StateReader& r) {
    r.begin_section("x87", kStateVersion);
    std::array<F80, 8> regs;
    for (F80& f : regs) {
        f.mant = r.u64();
        f.sign_exp = r.u16();
    }
    const uint16_t cw = r.u16(), sw = r.u16();
    const uint8_t top = r.u8(), valid = r.u8();
    const uint32_t fip = r.u32();
    const uint16_t fcs = r.u16(), fop = r.u16();
    const uint32_t fdp = r.u32();
    const uint16_t fds = r.u16();
    r.end_section();
    if (top > 7) throw StateError("x87: TOP out of range");
    if (fop > 0x7ff) throw StateError("x87: opcode register out of range");
    if (sw & (0x3800 | kB)) throw StateError("x87: status word holds TOP/B bits");
    regs_ = regs;
    cw_ = cw;
    sw_ = sw;
    top_ = top;
    valid_ = valid;
    fip_ = fip;
    fcs_ = fcs;
    fop_ = fop;
    fdp_ = fdp;
    fds_ = fds;
}

}  // namespace sandpc
