// Integer arithmetic and logic handlers.
#pragma once

#include "cpu/exec_common.h"

namespace sandpc {

enum class Alu : uint8_t { kAdd, kOr, kAdc, kSbb, kAnd, kSub, kXor, kCmp };

template <Alu op, class T>
inline T alu(Cpu& c, T a, T b) {
    constexpr unsigned n = sizeof(T);
    T r;
    if constexpr (op == Alu::kAdd) {
        r = static_cast<T>(a + b);
        set_lazy(c, FlagOp::kAdd, n, r, a, b);
    } else if constexpr (op == Alu::kAdc) {
        bool cin = c.cf();
        r = static_cast<T>(a + b + cin);
        set_lazy(c, FlagOp::kAdc, n, r, a, b, cin);
    } else if constexpr (op == Alu::kSub || op == Alu::kCmp) {
        r = static_cast<T>(a - b);
        set_lazy(c, FlagOp::kSub, n, r, a, b);
    } else if constexpr (op == Alu::kSbb) {
        bool cin = c.cf();
        r = static_cast<T>(a - b - cin);
        set_lazy(c, FlagOp::kSbb, n, r, a, b, cin);
    } else {
        if constexpr (op == Alu::kAnd)
            r = a & b;
        else if constexpr (op == Alu::kOr)
            r = a | b;
        else
            r = a ^ b;
        set_lazy(c, FlagOp::kLogic, n, r, 0, 0);
    }
    return r;
}

// ALU operation into the r/m operand. The flag update must follow the
// store: a faulting store commits nothing.
template <Alu op, class T>
inline void alu_into_rm(Cpu& c, const Insn& in, T b) {
    if constexpr (op == Alu::kCmp) {
        alu<op>(c, read_rm<T>(c, in), b);
    } else if (in.has_mem) {
        check_rmw_segment(c, in);
        uint32_t ea = c.ea(in);
        T a = c.read<T>(in.seg, ea);
        LazyFlags saved = c.s.lazy;
        T r = alu<op>(c, a, b);
        LazyFlags result = c.s.lazy;
        c.s.lazy = saved;
        c.write<T>(in.seg, ea, r);
        c.s.lazy = result;
    } else {
        c.set_reg<T>(in.rm, alu<op>(c, c.reg<T>(in.rm), b));
    }
}
template <Alu op, class T>
void alu_EG(Cpu& c, const Insn& in) {
    alu_into_rm<op, T>(c, in, c.reg<T>(in.reg));
}
template <Alu op, class T>
void alu_GE(Cpu& c, const Insn& in) {
    T b = read_rm<T>(c, in);
    T r = alu<op>(c, c.reg<T>(in.reg), b);
    if constexpr (op != Alu::kCmp) c.set_reg<T>(in.reg, r);
}
template <Alu op, class T>
void alu_AI(Cpu& c, const Insn& in) {
    T r = alu<op>(c, c.reg<T>(EAX), static_cast<T>(in.imm));
    if constexpr (op != Alu::kCmp) c.set_reg<T>(EAX, r);
}
template <Alu op, class T>
void alu_EI(Cpu& c, const Insn& in) {
    alu_into_rm<op, T>(c, in, static_cast<T>(in.imm));
}

template <class T>
void test_EG(Cpu& c, const Insn& in) {
    alu<Alu::kAnd>(c, read_rm<T>(c, in), c.reg<T>(in.reg));
}
template <class T>
void test_EI(Cpu& c, const Insn& in) {
    alu<Alu::kAnd>(c, read_rm<T>(c, in), static_cast<T>(in.imm));
}
template <class T>
void test_AI(Cpu& c, const Insn& in) {
    alu<Alu::kAnd>(c, c.reg<T>(EAX), static_cast<T>(in.imm));
}

template <bool dec, class T>
inline void incdec_flags(Cpu& c, T old, T r, bool cf) {
    set_lazy(c, dec ? FlagOp::kDec : FlagOp::kInc, sizeof(T), r, old, 1, cf);
}
template <bool dec, class T>
void incdec_E(Cpu& c, const Insn& in) {
    bool cf = c.cf();
    T old = modify_rm<T>(c, in, [](T v) { return static_cast<T>(dec ? v - 1 : v + 1); });
    incdec_flags<dec>(c, old, static_cast<T>(dec ? old - 1 : old + 1), cf);
}
template <bool dec, class T>
void incdec_Z(Cpu& c, const Insn& in) {
    bool cf = c.cf();
    T old = c.reg<T>(in.reg);
    T r = static_cast<T>(dec ? old - 1 : old + 1);
    c.set_reg<T>(in.reg, r);
    incdec_flags<dec>(c, old, r, cf);
}

template <class T>
void not_E(Cpu& c, const Insn& in) {
    modify_rm<T>(c, in, [](T v) { return static_cast<T>(~v); });
}
template <class T>
void neg_E(Cpu& c, const Insn& in) {
    T old = modify_rm<T>(c, in, [](T v) { return static_cast<T>(0 - v); });
    set_lazy(c, FlagOp::kSub, sizeof(T), static_cast<T>(0 - old), 0, old);
}

// ---- shifts and rotates (group 2) ----
enum class Shift : uint8_t { kRol, kRor, kRcl, kRcr, kShl, kShr, kSal, kSar };

template <Shift op, class T>
inline T shift(Cpu& c, T a, unsigned count) {
    constexpr unsigned bits = kBits<T>;
    count &= 31;
    if (count == 0) return a;
    uint32_t flags = c.get_eflags() & eflags::kArith;
    bool cf = flags & eflags::CF;
    T r = a;
    auto msb = [](T v) { return (v & kSignBit<T>) != 0; };
    if constexpr (op == Shift::kRol || op == Shift::kRor) {
        unsigned n = count % bits;
        if constexpr (op == Shift::kRol) {
            r = n ? static_cast<T>((a << n) | (a >> (bits - n))) : a;
            cf = r & 1;
            bool of = msb(r) ^ cf;
            flags = (flags & ~(eflags::CF | eflags::OF)) | (cf ? eflags::CF : 0) |
                    (of ? eflags::OF : 0);
        } else {
            r = n ? static_cast<T>((a >> n) | (a << (bits - n))) : a;
            cf = msb(r);
            bool of = msb(r) ^ ((r >> (bits - 2)) & 1);
            flags = (flags & ~(eflags::CF | eflags::OF)) | (cf ? eflags::CF : 0) |
                    (of ? eflags::OF : 0);
        }
        c.set_arith_flags(flags);
        return r;
    } else if constexpr (op == Shift::kRcl || op == Shift::kRcr) {
        unsigned n = count % (bits + 1);
        for (unsigned i = 0; i < n; ++i) {
            if constexpr (op == Shift::kRcl) {
                bool out = msb(r);
                r = static_cast<T>((r << 1) | (cf ? 1 : 0));
                cf = out;
            } else {
                bool out = r & 1;
                r = static_cast<T>((r >> 1) | (cf ? kSignBit<T> : 0));
                cf = out;
            }
        }
        bool of = (op == Shift::kRcl) ? (msb(r) ^ cf) : (msb(r) ^ ((r >> (bits - 2)) & 1));
        flags =
            (flags & ~(eflags::CF | eflags::OF)) | (cf ? eflags::CF : 0) | (of ? eflags::OF : 0);
        c.set_arith_flags(flags);
        return r;
    } else {
        bool of;
        if constexpr (op == Shift::kShl || op == Shift::kSal) {
            r = count < bits ? static_cast<T>(a << count) : 0;
            cf = count <= bits ? ((a >> (bits - count)) & 1) : 0;
            of = msb(r) ^ cf;
        } else if constexpr (op == Shift::kShr) {
            r = count < bits ? static_cast<T>(a >> count) : 0;
            cf = count <= bits ? ((a >> (count - 1)) & 1) : 0;
            of = msb(a);
        } else {
            Signed<T> sa = static_cast<Signed<T>>(a);
            unsigned n = count < bits ? count : bits - 1;
            r = static_cast<T>(sa >> n);
            cf = count < bits ? ((sa >> (count - 1)) & 1) : msb(a);
            of = false;
        }
        c.set_arith_flags(szp_flags<T>(r) | (cf ? eflags::CF : 0) | (of ? eflags::OF : 0) |
                          (flags & eflags::AF));
        return r;
    }
}

// Group 2 shift of r/m by `count`. The flags are committed after the store.
template <Shift op, class T>
inline void shift_E(Cpu& c, const Insn& in, unsigned count) {
    if ((count & 31) == 0) {
        // No flags change, but the access is still a read-modify-write: it
        // faults on a destination that is not writable.
        check_rmw<T>(c, in);
        return;
    }
    if (in.has_mem) {
        check_rmw_segment(c, in);
        uint32_t ea = c.ea(in);
        T a = c.read<T>(in.seg, ea);
        uint32_t before = c.get_eflags();
        T r = shift<op>(c, a, count);
        uint32_t after = c.s.eflags;
        c.s.eflags = before;
        c.write<T>(in.seg, ea, r);
        c.s.eflags = after;
    } else {
        c.set_reg<T>(in.rm, shift<op>(c, c.reg<T>(in.rm), count));
    }
}
template <Shift op, class T>
void shift_E1(Cpu& c, const Insn& in) {
    shift_E<op, T>(c, in, 1);
}
template <Shift op, class T>
void shift_ECL(Cpu& c, const Insn& in) {
    shift_E<op, T>(c, in, c.reg8(1));
}
template <Shift op, class T>
void shift_EI(Cpu& c, const Insn& in) {
    shift_E<op, T>(c, in, in.imm & 0xFF);
}

// SHLD / SHRD.
template <bool left, class T>
inline void double_shift(Cpu& c, const Insn& in, unsigned count) {
    constexpr unsigned bits = kBits<T>;
    count &= 31;
    if (count == 0) {
        check_rmw<T>(c, in);
        return;
    }
    T src = c.reg<T>(in.reg);
    auto compute = [&](T dst, uint32_t& flags) -> T {
        // Work in 64 bits: dst:src (left) or src:dst (right), shifted; for
        // 16-bit counts above 16 the bits come from the concatenation again
        // (the result is architecturally undefined there).
        uint64_t wide;
        T r;
        bool cf;
        if (left) {
            wide = (uint64_t(dst) << bits) | src;
            if (bits == 16) wide = (wide << 32) | (uint64_t(dst) << 16) | src;
            unsigned total = bits == 16 ? 64 : 2 * bits;
            r = static_cast<T>(wide >> (total - bits - count));
            cf = (wide >> (total - count)) & 1;
        } else {
            wide = (uint64_t(src) << bits) | dst;
            if (bits == 16) wide = (uint64_t(dst) << 48) | (uint64_t(src) << 32) | wide;
            r = static_cast<T>(wide >> count);
            cf = (wide >> (count - 1)) & 1;
        }
        bool of = ((r ^ dst) & kSignBit<T>) != 0;
        flags = szp_flags<T>(r) | (cf ? eflags::CF : 0) | (of ? eflags::OF : 0);
        return r;
    };
    uint32_t flags = 0;
    uint32_t af = c.get_eflags() & eflags::AF;
    modify_rm<T>(c, in, [&](T dst) { return compute(dst, flags); });
    c.set_arith_flags(flags | af);
}
template <bool left, class T>
void shld_I(Cpu& c, const Insn& in) {
    double_shift<left, T>(c, in, in.imm & 0xFF);
}
template <bool left, class T>
void shld_CL(Cpu& c, const Insn& in) {
    double_shift<left, T>(c, in, c.reg8(1));
}

// ---- multiply and divide ----
template <class T>
void mul_E(Cpu& c, const Insn& in) {
    T src = read_rm<T>(c, in);
    uint64_t r = uint64_t(c.reg<T>(EAX)) * src;
    T lo = static_cast<T>(r);
    T hi = static_cast<T>(r >> kBits<T>);
    if constexpr (sizeof(T) == 1)
        c.set_reg16(EAX, static_cast<uint16_t>(r));
    else {
        c.set_reg<T>(EAX, lo);
        c.set_reg<T>(EDX, hi);
    }
    c.set_arith_flags(szp_flags<T>(lo) | (hi ? eflags::CF | eflags::OF : 0));
}
template <class T>
void imul1_E(Cpu& c, const Insn& in) {
    using S = Signed<T>;
    int64_t r = int64_t(static_cast<S>(c.reg<T>(EAX))) * static_cast<S>(read_rm<T>(c, in));
    T lo = static_cast<T>(r);
    T hi = static_cast<T>(uint64_t(r) >> kBits<T>);
    if constexpr (sizeof(T) == 1)
        c.set_reg16(EAX, static_cast<uint16_t>(r));
    else {
        c.set_reg<T>(EAX, lo);
        c.set_reg<T>(EDX, hi);
    }
    bool overflow = r != int64_t(static_cast<S>(lo));
    c.set_arith_flags(szp_flags<T>(lo) | (overflow ? eflags::CF | eflags::OF : 0));
}
template <class T>
inline T imul2(Cpu& c, T a, T b) {
    using S = Signed<T>;
    int64_t r = int64_t(static_cast<S>(a)) * static_cast<S>(b);
    T lo = static_cast<T>(r);
    bool overflow = r != int64_t(static_cast<S>(lo));
    c.set_arith_flags(szp_flags<T>(lo) | (overflow ? eflags::CF | eflags::OF : 0));
    return lo;
}
template <class T>
void imul_GE(Cpu& c, const Insn& in) {
    T b = read_rm<T>(c, in);
    c.set_reg<T>(in.reg, imul2<T>(c, c.reg<T>(in.reg), b));
}
template <class T>
void imul_GEI(Cpu& c, const Insn& in) {
    T a = read_rm<T>(c, in);
    c.set_reg<T>(in.reg, imul2<T>(c, a, static_cast<T>(in.imm)));
}

template <class T>
void div_E(Cpu& c, const Insn& in) {
    T src = read_rm<T>(c, in);
    if (src == 0) raise_fault(kDivideError);
    uint64_t dividend =
        sizeof(T) == 1 ? c.reg16(EAX) : (uint64_t(c.reg<T>(EDX)) << kBits<T>) | c.reg<T>(EAX);
    uint64_t q = dividend / src;
    uint64_t rem = dividend % src;
    if (q > static_cast<T>(~T(0))) raise_fault(kDivideError);
    if constexpr (sizeof(T) == 1) {
        c.set_reg16(EAX, static_cast<uint16_t>((rem << 8) | q));
    } else {
        c.set_reg<T>(EAX, static_cast<T>(q));
        c.set_reg<T>(EDX, static_cast<T>(rem));
    }
}
template <class T>
void idiv_E(Cpu& c, const Insn& in) {
    using S = Signed<T>;
    S src = static_cast<S>(read_rm<T>(c, in));
    if (src == 0) raise_fault(kDivideError);
    int64_t dividend;
    if constexpr (sizeof(T) == 1)
        dividend = static_cast<int16_t>(c.reg16(EAX));
    else
        dividend = static_cast<int64_t>((uint64_t(c.reg<T>(EDX)) << kBits<T>) | c.reg<T>(EAX))
                       << (64 - 2 * kBits<T>) >>
                   (64 - 2 * kBits<T>);
    if (sizeof(T) == 4 && dividend == INT64_MIN) raise_fault(kDivideError);
    int64_t q = dividend / src;
    int64_t rem = dividend % src;
    if (q != static_cast<S>(q)) raise_fault(kDivideError);
    if constexpr (sizeof(T) == 1) {
        c.set_reg16(EAX, static_cast<uint16_t>((uint16_t(uint8_t(rem)) << 8) | uint8_t(q)));
    } else {
        c.set_reg<T>(EAX, static_cast<T>(q));
        c.set_reg<T>(EDX, static_cast<T>(rem));
    }
}

// ---- bit operations ----
enum class BitOp : uint8_t { kTest, kSet, kReset, kComplement };

template <BitOp op, class T>
inline void bit_op(Cpu& c, const Insn& in, uint32_t bit_offset, bool offset_from_reg) {
    uint32_t flags = c.get_eflags() & eflags::kArith;
    auto apply = [&](T v, unsigned bit) -> T {
        bool old = (v >> bit) & 1;
        flags = (flags & ~eflags::CF) | (old ? eflags::CF : 0);
        if constexpr (op == BitOp::kSet)
            return static_cast<T>(v | (T(1) << bit));
        else if constexpr (op == BitOp::kReset)
            return static_cast<T>(v & ~(T(1) << bit));
        else if constexpr (op == BitOp::kComplement)
            return static_cast<T>(v ^ (T(1) << bit));
        else
            return v;
    };
    if (!in.has_mem) {
        T r = apply(c.reg<T>(in.rm), bit_offset & (kBits<T> - 1));
        if constexpr (op != BitOp::kTest) c.set_reg<T>(in.rm, r);
    } else {
        if constexpr (op != BitOp::kTest) check_rmw_segment(c, in);
        uint32_t ea = c.ea(in);
        unsigned bit = bit_offset & (kBits<T> - 1);
        if (offset_from_reg) {
            // The register offset is signed and may address outside the operand.
            int32_t off = sizeof(T) == 2 ? int32_t(int16_t(bit_offset)) : int32_t(bit_offset);
            ea += static_cast<uint32_t>((off >> (sizeof(T) == 2 ? 4 : 5)) * int32_t(sizeof(T)));
            if (!in.addr32) ea &= 0xFFFF;
        }
        T v = c.read<T>(in.seg, ea);
        T r = apply(v, bit);
        if constexpr (op != BitOp::kTest) c.write<T>(in.seg, ea, r);
    }
    c.set_arith_flags(flags);
}
template <BitOp op, class T>
void bt_EG(Cpu& c, const Insn& in) {
    bit_op<op, T>(c, in, c.reg<T>(in.reg), true);
}
template <BitOp op, class T>
void bt_EI(Cpu& c, const Insn& in) {
    bit_op<op, T>(c, in, in.imm & 0xFF, false);
}

template <bool reverse, class T>
void bsf_GE(Cpu& c, const Insn& in) {
    T v = read_rm<T>(c, in);
    uint32_t flags = c.get_eflags() & eflags::kArith & ~eflags::ZF;
    if (v == 0) {
        c.set_arith_flags(flags | eflags::ZF);
        return;
    }
    unsigned r = reverse ? 31 - __builtin_clz(uint32_t(v)) : __builtin_ctz(uint32_t(v));
    c.set_reg<T>(in.reg, static_cast<T>(r));
    c.set_arith_flags(flags);
}

// ---- BCD ----
void daa(Cpu& c, const Insn& in);
void das(Cpu& c, const Insn& in);
void aaa(Cpu& c, const Insn& in);
void aas(Cpu& c, const Insn& in);
void aam(Cpu& c, const Insn& in);
void aad(Cpu& c, const Insn& in);

// ---- exchange and compare ----
template <class T>
void xadd_EG(Cpu& c, const Insn& in) {
    T src = c.reg<T>(in.reg);
    T old = modify_rm<T>(c, in, [&](T d) { return static_cast<T>(d + src); });
    c.set_reg<T>(in.reg, old);
    if (!in.has_mem && in.rm == in.reg) c.set_reg<T>(in.rm, static_cast<T>(old + src));
    set_lazy(c, FlagOp::kAdd, sizeof(T), static_cast<T>(old + src), old, src);
}
template <class T>
void cmpxchg_EG(Cpu& c, const Insn& in) {
    T acc = c.reg<T>(EAX);
    T src = c.reg<T>(in.reg);
    T old = modify_rm<T>(c, in, [&](T d) { return d == acc ? src : d; });
    set_lazy(c, FlagOp::kSub, sizeof(T), static_cast<T>(acc - old), acc, old);
    if (old != acc) c.set_reg<T>(EAX, old);
}
void cmpxchg8b(Cpu& c, const Insn& in);

template <class T>
void xchg_EG(Cpu& c, const Insn& in) {
    T r = c.reg<T>(in.reg);
    T old = modify_rm<T>(c, in, [&](T) { return r; });
    c.set_reg<T>(in.reg, old);
}
template <class T>
void xchg_Z(Cpu& c, const Insn& in) {
    T a = c.reg<T>(EAX);
    c.set_reg<T>(EAX, c.reg<T>(in.reg));
    c.set_reg<T>(in.reg, a);
}

}  // namespace sandpc
