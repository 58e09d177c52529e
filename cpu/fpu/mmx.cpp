// The MMX unit: 64-bit integer SIMD on the significands of the x87 registers.
#include <algorithm>
#include <cstring>
#include <limits>

#include "cpu/fpu/x87.h"

namespace sandpc {
namespace {

template <class T>
T lane(uint64_t v, unsigned k) {
    T x;
    std::memcpy(&x, reinterpret_cast<const uint8_t*>(&v) + k * sizeof(T), sizeof(T));
    return x;
}
template <class T>
void set_lane(uint64_t& v, unsigned k, T x) {
    std::memcpy(reinterpret_cast<uint8_t*>(&v) + k * sizeof(T), &x, sizeof(T));
}

// Applies f lane by lane; f gets and returns the lane widened to int64_t.
template <class T, class F>
uint64_t map2(uint64_t a, uint64_t b, F f) {
    uint64_t r = 0;
    for (unsigned k = 0; k < 8 / sizeof(T); ++k)
        set_lane<T>(r, k, static_cast<T>(f(int64_t{lane<T>(a, k)}, int64_t{lane<T>(b, k)})));
    return r;
}

template <class T>
int64_t saturate(int64_t v) {
    return std::clamp<int64_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
}

// Narrows the lanes of a then b (each of type W) into saturated lanes of N.
template <class W, class N>
uint64_t pack(uint64_t a, uint64_t b) {
    uint64_t r = 0;
    constexpr unsigned n = 8 / sizeof(W);
    for (unsigned k = 0; k < n; ++k) {
        set_lane<N>(r, k, static_cast<N>(saturate<N>(lane<W>(a, k))));
        set_lane<N>(r, k + n, static_cast<N>(saturate<N>(lane<W>(b, k))));
    }
    return r;
}

// Interleaves lanes from the low (high = false) or high halves of a and b.
template <class T>
uint64_t unpack(uint64_t a, uint64_t b, bool high) {
    uint64_t r = 0;
    constexpr unsigned n = 8 / sizeof(T) / 2;
    for (unsigned k = 0; k < n; ++k) {
        set_lane<T>(r, 2 * k, lane<T>(a, k + (high ? n : 0)));
        set_lane<T>(r, 2 * k + 1, lane<T>(b, k + (high ? n : 0)));
    }
    return r;
}

enum class Shift { left, right, arith };

template <class T>
uint64_t shift(uint64_t a, uint64_t count, Shift kind) {
    constexpr unsigned bits = 8 * sizeof(T);
    using S = std::make_signed_t<T>;
    uint64_t r = 0;
    for (unsigned k = 0; k < 8 / sizeof(T); ++k) {
        T x = lane<T>(a, k), y;
        if (kind == Shift::arith) {
            unsigned c = count > bits - 1 ? bits - 1 : static_cast<unsigned>(count);
            y = static_cast<T>(static_cast<S>(x) >> c);
        } else if (count > bits - 1) {
            y = 0;
        } else {
            unsigned c = static_cast<unsigned>(count);
            y = static_cast<T>(kind == Shift::left ? x << c : x >> c);
        }
        set_lane<T>(r, k, y);
    }
    return r;
}

uint64_t shift_by(uint8_t width, Shift kind, uint64_t a, uint64_t count) {
    switch (width) {
        case 2: return shift<uint16_t>(a, count, kind);
        case 4: return shift<uint32_t>(a, count, kind);
        default: return shift<uint64_t>(a, count, kind);
    }
}

// The two-operand ops (dst = dst op src); false if the opcode is not one.
bool binary_op(uint8_t opcode, uint64_t a, uint64_t b, uint64_t& r) {
    using i8 = int8_t;
    using i16 = int16_t;
    using i32 = int32_t;
    using u8 = uint8_t;
    using u16 = uint16_t;
    auto add = [](int64_t x, int64_t y) { return x + y; };
    auto sub = [](int64_t x, int64_t y) { return x - y; };
    switch (opcode) {
        case 0x60: r = unpack<u8>(a, b, false); break;
        case 0x61: r = unpack<u16>(a, b, false); break;
        case 0x62: r = unpack<uint32_t>(a, b, false); break;
        case 0x63: r = pack<i16, i8>(a, b); break;
        case 0x64: r = map2<i8>(a, b, [](int64_t x, int64_t y) { return x > y ? -1 : 0; }); break;
        case 0x65: r = map2<i16>(a, b, [](int64_t x, int64_t y) { return x > y ? -1 : 0; }); break;
        case 0x66: r = map2<i32>(a, b, [](int64_t x, int64_t y) { return x > y ? -1 : 0; }); break;
        case 0x67: r = pack<i16, u8>(a, b); break;
        case 0x68: r = unpack<u8>(a, b, true); break;
        case 0x69: r = unpack<u16>(a, b, true); break;
        case 0x6a: r = unpack<uint32_t>(a, b, true); break;
        case 0x6b: r = pack<i32, i16>(a, b); break;
        case 0x74: r = map2<u8>(a, b, [](int64_t x, int64_t y) { return x == y ? -1 : 0; }); break;
        case 0x75: r = map2<u16>(a, b, [](int64_t x, int64_t y) { return x == y ? -1 : 0; }); break;
        case 0x76:
            r = map2<uint32_t>(a, b, [](int64_t x, int64_t y) { return x == y ? -1 : 0; });
            break;
        case 0xd5: r = map2<i16>(a, b, [](int64_t x, int64_t y) { return x * y; }); break;
        case 0xd8:
            r = map2<u8>(a, b, [](int64_t x, int64_t y) { return saturate<u8>(x - y); });
            break;
        case 0xd9:
            r = map2<u16>(a, b, [](int64_t x, int64_t y) { return saturate<u16>(x - y); });
            break;
        case 0xdb: r = a & b; break;
        case 0xdc:
            r = map2<u8>(a, b, [](int64_t x, int64_t y) { return saturate<u8>(x + y); });
            break;
        case 0xdd:
            r = map2<u16>(a, b, [](int64_t x, int64_t y) { return saturate<u16>(x + y); });
            break;
        case 0xdf: r = ~a & b; break;
        case 0xe5: r = map2<i16>(a, b, [](int64_t x, int64_t y) { return (x * y) >> 16; }); break;
        case 0xe8:
            r = map2<i8>(a, b, [](int64_t x, int64_t y) { return saturate<i8>(x - y); });
            break;
        case 0xe9:
            r = map2<i16>(a, b, [](int64_t x, int64_t y) { return saturate<i16>(x - y); });
            break;
        case 0xeb: r = a | b; break;
        case 0xec:
            r = map2<i8>(a, b, [](int64_t x, int64_t y) { return saturate<i8>(x + y); });
            break;
        case 0xed:
            r = map2<i16>(a, b, [](int64_t x, int64_t y) { return saturate<i16>(x + y); });
            break;
        case 0xef: r = a ^ b; break;
        case 0xf5: {
            r = 0;
            for (unsigned k = 0; k < 2; ++k) {
                int64_t s = int64_t{lane<i16>(a, 2 * k)} * lane<i16>(b, 2 * k) +
                            int64_t{lane<i16>(a, 2 * k + 1)} * lane<i16>(b, 2 * k + 1);
                set_lane<uint32_t>(r, k, static_cast<uint32_t>(s));
            }
            break;
        }
        case 0xf8: r = map2<u8>(a, b, sub); break;
        case 0xf9: r = map2<u16>(a, b, sub); break;
        case 0xfa: r = map2<uint32_t>(a, b, sub); break;
        case 0xfc: r = map2<u8>(a, b, add); break;
        case 0xfd: r = map2<u16>(a, b, add); break;
        case 0xfe: r = map2<uint32_t>(a, b, add); break;
        default: return false;
    }
    return true;
}

// Shifts by a register/memory count: opcode -> lane width and kind.
bool shift_op(uint8_t opcode, uint8_t& width, Shift& kind) {
    switch (opcode) {
        case 0xd1:
            width = 2;
            kind = Shift::right;
            return true;
        case 0xd2:
            width = 4;
            kind = Shift::right;
            return true;
        case 0xd3:
            width = 8;
            kind = Shift::right;
            return true;
        case 0xe1:
            width = 2;
            kind = Shift::arith;
            return true;
        case 0xe2:
            width = 4;
            kind = Shift::arith;
            return true;
        case 0xf1:
            width = 2;
            kind = Shift::left;
            return true;
        case 0xf2:
            width = 4;
            kind = Shift::left;
            return true;
        case 0xf3:
            width = 8;
            kind = Shift::left;
            return true;
        default: return false;
    }
}

}  // namespace

X87Outcome X87::execute_mmx(const MmxInstruction& insn, X87Memory& mem, uint32_t* gpr) {
    const uint8_t op = insn.opcode, modrm = insn.modrm;
    const unsigned reg = (modrm >> 3) & 7, rm = modrm & 7;
    const bool has_mem = modrm < 0xc0;
    auto read64 = [&](unsigned len) {
        uint64_t v = 0;
        if (has_mem)
            mem.read(insn.mem_offset, &v, len);
        else
            v = mmx(rm);
        return v;
    };
    // All operands are read (and stores written) before any state changes.
    auto enter = [&] {
        top_ = 0;
        valid_ = 0xff;
    };
    auto write_mm = [&](unsigned i, uint64_t v) { regs_[i] = f80_from_mmx(v); };

    uint64_t r;
    uint8_t width;
    Shift kind;
    if (op == 0x77) {  // EMMS: all tags empty, TOP = 0 (SDM vol. 1, table 9-2)
        top_ = 0;
        valid_ = 0;
        return {};
    }
    if (op == 0x6e) {  // MOVD mm, r/m32
        uint32_t v = 0;
        if (has_mem)
            mem.read(insn.mem_offset, &v, 4);
        else
            v = gpr[rm];
        enter();
        write_mm(reg, v);
        return {};
    }
    if (op == 0x7e) {  // MOVD r/m32, mm
        uint32_t v = static_cast<uint32_t>(mmx(reg));
        if (has_mem)
            mem.write(insn.mem_offset, &v, 4);
        else
            gpr[rm] = v;
        enter();
        return {};
    }
    if (op == 0x6f) {  // MOVQ mm, mm/m64
        uint64_t v = read64(8);
        enter();
        write_mm(reg, v);
        return {};
    }
    if (op == 0x7f) {  // MOVQ mm/m64, mm
        uint64_t v = mmx(reg);
        if (has_mem) mem.write(insn.mem_offset, &v, 8);
        enter();
        if (!has_mem) write_mm(rm, v);
        return {};
    }
    if (op >= 0x71 && op <= 0x73) {  // shifts by imm8: /2 right, /4 arithmetic, /6 left
        if (has_mem || (reg != 2 && reg != 4 && reg != 6) || (op == 0x73 && reg == 4))
            return {X87Fault::invalid_opcode};
        kind = reg == 2 ? Shift::right : reg == 4 ? Shift::arith : Shift::left;
        width = static_cast<uint8_t>(op == 0x71 ? 2 : op == 0x72 ? 4 : 8);
        r = shift_by(width, kind, mmx(rm), insn.imm8);
        enter();
        write_mm(rm, r);
        return {};
    }
    if (shift_op(op, width, kind)) {
        uint64_t count = read64(8);
        r = shift_by(width, kind, mmx(reg), count);
        enter();
        write_mm(reg, r);
        return {};
    }
    // PUNPCKL* read only 32 bits from memory.
    const bool half = op >= 0x60 && op <= 0x62;
    if (!binary_op(op, 0, 0, r)) return {X87Fault::invalid_opcode};
    uint64_t src = read64(half ? 4 : 8);
    binary_op(op, mmx(reg), src, r);
    enter();
    write_mm(reg, r);
    return {};
}

}  // namespace sandpc
