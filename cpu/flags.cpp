// Lazy arithmetic flags: ALU handlers record (op, size, a, b, result) and
// each flag is computed from them only when something reads it.
#include "cpu/cpu.h"

namespace sandpc {

namespace {
constexpr uint32_t sign_bit(uint8_t size) {
    return 1u << (size * 8 - 1);
}
bool parity_even(uint32_t v) {
    return !__builtin_parity(v & 0xFF);
}
}  // namespace

bool Cpu::cf() const {
    const LazyFlags& l = s.lazy;
    switch (l.op) {
        case FlagOp::kNone: return s.eflags & eflags::CF;
        case FlagOp::kAdd: return l.res < l.a;
        case FlagOp::kAdc: return l.carry_in ? l.res <= l.a : l.res < l.a;
        case FlagOp::kSub: return l.a < l.b;
        case FlagOp::kSbb: return l.carry_in ? l.a <= l.b : l.a < l.b;
        case FlagOp::kLogic: return false;
        case FlagOp::kInc:
        case FlagOp::kDec: return l.carry_in;
    }
    return false;
}

bool Cpu::of() const {
    const LazyFlags& l = s.lazy;
    uint32_t sb = sign_bit(l.size);
    switch (l.op) {
        case FlagOp::kNone: return s.eflags & eflags::OF;
        case FlagOp::kAdd:
        case FlagOp::kAdc: return ((l.a ^ l.res) & (l.b ^ l.res) & sb) != 0;
        case FlagOp::kSub:
        case FlagOp::kSbb: return ((l.a ^ l.b) & (l.a ^ l.res) & sb) != 0;
        case FlagOp::kLogic: return false;
        case FlagOp::kInc: return l.res == sb;
        case FlagOp::kDec: return l.res == sb - 1;
    }
    return false;
}

bool Cpu::af() const {
    const LazyFlags& l = s.lazy;
    switch (l.op) {
        case FlagOp::kNone: return s.eflags & eflags::AF;
        case FlagOp::kLogic: return false;
        default: return ((l.a ^ l.b ^ l.res) & 0x10) != 0;
    }
}

bool Cpu::zf() const {
    if (s.lazy.op == FlagOp::kNone) return s.eflags & eflags::ZF;
    return s.lazy.res == 0;
}
bool Cpu::sf() const {
    if (s.lazy.op == FlagOp::kNone) return s.eflags & eflags::SF;
    return (s.lazy.res & sign_bit(s.lazy.size)) != 0;
}
bool Cpu::pf() const {
    if (s.lazy.op == FlagOp::kNone) return s.eflags & eflags::PF;
    return parity_even(s.lazy.res);
}

void Cpu::materialize_flags() {
    if (s.lazy.op == FlagOp::kNone) return;
    uint32_t f = (cf() ? eflags::CF : 0) | (pf() ? eflags::PF : 0) | (af() ? eflags::AF : 0) |
                 (zf() ? eflags::ZF : 0) | (sf() ? eflags::SF : 0) | (of() ? eflags::OF : 0);
    s.eflags = (s.eflags & ~eflags::kArith) | f;
    s.lazy.op = FlagOp::kNone;
}

uint32_t Cpu::get_eflags() {
    materialize_flags();
    return s.eflags;
}

void Cpu::set_eflags(uint32_t value, uint32_t change_mask) {
    materialize_flags();
    change_mask &= eflags::kValid;
    uint32_t old = s.eflags;
    s.eflags = ((old & ~change_mask) | (value & change_mask) | eflags::kFixed1) &
               (eflags::kValid | eflags::kFixed1);
    uint32_t changed = old ^ s.eflags;
    if (changed & (eflags::AC | eflags::VM)) update_user_bit();
    if (changed & (eflags::VM | eflags::TF | eflags::IF)) end_block();
}

bool Cpu::condition(unsigned cc) const {
    bool r;
    switch (cc >> 1) {
        case 0: r = of(); break;
        case 1: r = cf(); break;
        case 2: r = zf(); break;
        case 3: r = cf() || zf(); break;
        case 4: r = sf(); break;
        case 5: r = pf(); break;
        case 6: r = sf() != of(); break;
        default: r = zf() || (sf() != of()); break;
    }
    return (cc & 1) ? !r : r;
}

}  // namespace sandpc
