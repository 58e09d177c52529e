// Operand access shared by all instruction handlers. Included only by the
// handler files; a handler is `void f(Cpu&, const Insn&)`.
#pragma once

#include <type_traits>

#include "cpu/cpu.h"

namespace sandpc {

template <class T>
using Signed = std::make_signed_t<T>;

template <class T>
constexpr uint32_t kSignBit = 1u << (sizeof(T) * 8 - 1);
template <class T>
constexpr unsigned kBits = sizeof(T) * 8;

template <class T>
inline T read_rm(Cpu& c, const Insn& in) {
    return in.has_mem ? c.read<T>(in.seg, c.ea(in)) : c.reg<T>(in.rm);
}
template <class T>
inline void write_rm(Cpu& c, const Insn& in, T v) {
    if (in.has_mem)
        c.write<T>(in.seg, c.ea(in), v);
    else
        c.set_reg<T>(in.rm, v);
}

// Read-modify-write of the r/m operand: fn(old) -> new, committed only if
// the write succeeds. Returns the old value.
// A read-modify-write checks that the segment is writable before it reads.
inline void check_rmw_segment(Cpu& c, const Insn& in) {
    if (!c.s.seg[in.seg].writable) c.segment_fault(in.seg);
}

template <class T, class Fn>
inline T modify_rm(Cpu& c, const Insn& in, Fn fn) {
    if (in.has_mem) {
        check_rmw_segment(c, in);
        uint32_t ea = c.ea(in);
        T old = c.read<T>(in.seg, ea);
        c.write<T>(in.seg, ea, fn(old));
        return old;
    }
    T old = c.reg<T>(in.rm);
    c.set_reg<T>(in.rm, fn(old));
    return old;
}

// The access checks of a read-modify-write without the write (shifts by 0).
template <class T>
inline void check_rmw(Cpu& c, const Insn& in) {
    if (!in.has_mem) return;
    check_rmw_segment(c, in);
    uint32_t ea = c.ea(in);
    c.read<T>(in.seg, ea);
    c.check_write(in.seg, ea, sizeof(T));
}

inline void set_lazy(Cpu& c, FlagOp op, unsigned size, uint32_t res, uint32_t a, uint32_t b,
                     bool carry_in = false) {
    c.s.lazy.op = op;
    c.s.lazy.size = static_cast<uint8_t>(size);
    c.s.lazy.res = res;
    c.s.lazy.a = a;
    c.s.lazy.b = b;
    c.s.lazy.carry_in = carry_in;
}

inline bool parity_even(uint32_t v) {
    return !__builtin_parity(v & 0xFF);
}

// SF, ZF, PF of a result of type T.
template <class T>
inline uint32_t szp_flags(T res) {
    return ((res & kSignBit<T>) ? eflags::SF : 0) | (res == 0 ? eflags::ZF : 0) |
           (parity_even(res) ? eflags::PF : 0);
}

// Relative or absolute near branch target check (CS limit) and commit.
inline void branch_to(Cpu& c, uint32_t target, bool op32) {
    if (!op32) target &= 0xFFFF;
    if (target > c.s.seg[CS].limit) raise_gp(0);
    c.next_eip = target;
}

// The count register of string and LOOP instructions.
inline uint32_t count_reg(const Cpu& c, bool addr32) {
    return addr32 ? c.s.gpr[ECX] : (c.s.gpr[ECX] & 0xFFFF);
}
inline void set_count_reg(Cpu& c, bool addr32, uint32_t v) {
    if (addr32)
        c.s.gpr[ECX] = v;
    else
        c.set_reg16(ECX, static_cast<uint16_t>(v));
}

}  // namespace sandpc
