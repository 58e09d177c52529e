// String instructions with REP/REPE/REPNE. Each iteration commits its
// registers, so a fault mid-string leaves a restartable state; a long REP
// yields every kRepChunk iterations (EIP stays on the instruction) so
// interrupts are taken with bounded latency.
#pragma once

#include "cpu/exec_common.h"

namespace sandpc {

constexpr uint32_t kRepChunk = 4096;

inline uint32_t index_reg(const Cpu& c, unsigned r, bool addr32) {
    return addr32 ? c.s.gpr[r] : (c.s.gpr[r] & 0xFFFF);
}
inline void advance_index(Cpu& c, unsigned r, bool addr32, int32_t delta) {
    if (addr32)
        c.s.gpr[r] += static_cast<uint32_t>(delta);
    else
        c.set_reg16(r, static_cast<uint16_t>(c.s.gpr[r] + static_cast<uint32_t>(delta)));
}

// Runs `step` once, or under REP until the count (and the condition, for
// CMPS/SCAS) ends it. step returns the ZF-like result for conditional REPs.
template <bool conditional, class Step>
inline void repeat(Cpu& c, const Insn& in, Step step) {
    if (in.rep == RepPrefix::kNone) {
        step();
        return;
    }
    uint32_t count = count_reg(c, in.addr32);
    for (uint32_t n = 0; count != 0; ++n) {
        if (n == kRepChunk) {
            c.next_eip = c.s.eip;  // resume this instruction after a check
            c.end_block();
            return;
        }
        step();
        --count;
        set_count_reg(c, in.addr32, count);
        if constexpr (conditional) {
            bool zf = c.zf();
            if (in.rep == RepPrefix::kRep && !zf) break;
            if (in.rep == RepPrefix::kRepne && zf) break;
        }
    }
}

template <class T>
inline int32_t string_delta(const Cpu& c) {
    return (c.s.eflags & eflags::DF) ? -int32_t(sizeof(T)) : int32_t(sizeof(T));
}

template <class T>
void movs(Cpu& c, const Insn& in) {
    int32_t d = string_delta<T>(c);
    repeat<false>(c, in, [&] {
        T v = c.read<T>(in.seg, index_reg(c, ESI, in.addr32));
        c.write<T>(ES, index_reg(c, EDI, in.addr32), v);
        advance_index(c, ESI, in.addr32, d);
        advance_index(c, EDI, in.addr32, d);
    });
}
template <class T>
void stos(Cpu& c, const Insn& in) {
    int32_t d = string_delta<T>(c);
    T v = c.reg<T>(EAX);
    repeat<false>(c, in, [&] {
        c.write<T>(ES, index_reg(c, EDI, in.addr32), v);
        advance_index(c, EDI, in.addr32, d);
    });
}
template <class T>
void lods(Cpu& c, const Insn& in) {
    int32_t d = string_delta<T>(c);
    repeat<false>(c, in, [&] {
        T v = c.read<T>(in.seg, index_reg(c, ESI, in.addr32));
        c.set_reg<T>(EAX, v);
        advance_index(c, ESI, in.addr32, d);
    });
}
template <class T>
void cmps(Cpu& c, const Insn& in) {
    int32_t d = string_delta<T>(c);
    repeat<true>(c, in, [&] {
        T a = c.read<T>(in.seg, index_reg(c, ESI, in.addr32));
        T b = c.read<T>(ES, index_reg(c, EDI, in.addr32));
        set_lazy(c, FlagOp::kSub, sizeof(T), static_cast<T>(a - b), a, b);
        advance_index(c, ESI, in.addr32, d);
        advance_index(c, EDI, in.addr32, d);
    });
}
template <class T>
void scas(Cpu& c, const Insn& in) {
    int32_t d = string_delta<T>(c);
    T a = c.reg<T>(EAX);
    repeat<true>(c, in, [&] {
        T b = c.read<T>(ES, index_reg(c, EDI, in.addr32));
        set_lazy(c, FlagOp::kSub, sizeof(T), static_cast<T>(a - b), a, b);
        advance_index(c, EDI, in.addr32, d);
    });
}
template <class T>
void ins(Cpu& c, const Insn& in) {
    uint16_t port = c.reg16(EDX);
    c.check_io_permission(port, sizeof(T));
    int32_t d = string_delta<T>(c);
    repeat<false>(c, in, [&] {
        uint32_t di = index_reg(c, EDI, in.addr32);
        c.check_write(ES, di, sizeof(T));
        T v = static_cast<T>(c.bus().io_read(port, sizeof(T)));
        c.write<T>(ES, di, v);
        advance_index(c, EDI, in.addr32, d);
    });
}
template <class T>
void outs(Cpu& c, const Insn& in) {
    uint16_t port = c.reg16(EDX);
    c.check_io_permission(port, sizeof(T));
    int32_t d = string_delta<T>(c);
    repeat<false>(c, in, [&] {
        T v = c.read<T>(in.seg, index_reg(c, ESI, in.addr32));
        c.bus().io_write(port, sizeof(T), v);
        advance_index(c, ESI, in.addr32, d);
    });
}

}  // namespace sandpc
