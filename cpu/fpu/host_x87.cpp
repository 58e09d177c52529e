#include "cpu/fpu/host_x87.h"

#if !defined(__x86_64__)
#error "host_x87.cpp needs an x86-64 host; see host_x87.h for a soft-float backend"
#endif

#include <array>
#include <cstring>
#include <utility>

namespace sandpc {
namespace {

// Everything the asm block reads and writes, in memory.
struct HostFrame {
    uint8_t env[28];  // 32-bit protected-mode FLDENV image: guest cw and cc
    uint8_t a[10];
    uint8_t b[10];
    uint8_t img[108];  // FNSAVE image after the instruction
    uint16_t saved_cw;
};

struct Flags {
    bool z, p, c;
};

// One instantiation per encoding; the memory form addresses [rsi].
template <uint8_t Op, uint8_t Modrm>
Flags run(HostFrame& f, uint8_t* mem) {
    Flags fl;
    // The host ABI leaves the x87 empty, all masked, no flags set. The operands
    // go to ST(1)/ST(0) (R7/R6) first, as the loads would change C1; FLDENV
    // then puts in the guest control word and condition codes; FNSAVE reads the result
    // and reinitialises, so a pending unmasked exception never reaches a
    // waiting instruction; the caller's control word is then put back.
    asm volatile(
        "fnstcw %[scw]\n\t"
        "fldt %[b]\n\t"
        "fldt %[a]\n\t"
        "fldenv %[env]\n\t"
        ".byte %c[op], %c[rm]\n\t"
        "fnsave %[img]\n\t"
        "fldcw %[scw]\n\t"
        : [img] "=m"(f.img), [scw] "+m"(f.saved_cw), "=@ccz"(fl.z), "=@ccp"(fl.p), "=@ccc"(fl.c)
        : [env] "m"(f.env), [a] "m"(f.a), [b] "m"(f.b), [op] "i"(Op), [rm] "i"(Modrm), "S"(mem)
        : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
    return fl;
}

using RunFn = Flags (*)(HostFrame&, uint8_t*);

// 72 entries per escape opcode: 8 memory forms (by reg field), 64 register forms.
constexpr size_t kPerOpcode = 72;

template <size_t I>
constexpr RunFn entry() {
    constexpr uint8_t op = static_cast<uint8_t>(0xd8 + I / kPerOpcode);
    constexpr size_t k = I % kPerOpcode;
    constexpr uint8_t modrm =
        k < 8 ? static_cast<uint8_t>((k << 3) | 6) : static_cast<uint8_t>(0xc0 | (k - 8));
    return &run<op, modrm>;
}

template <size_t... I>
constexpr std::array<RunFn, sizeof...(I)> make_table(std::index_sequence<I...>) {
    return {entry<I>()...};
}

constexpr auto kTable = make_table(std::make_index_sequence<8 * kPerOpcode>());

}  // namespace

HostX87Outcome host_x87_execute(uint8_t opcode, uint8_t modrm, HostX87Operands& ops) {
    HostFrame f{};
    std::memset(f.env, 0, sizeof f.env);
    // TOP = 6 with R6, R7 holding the operands; no flags: nothing pending.
    uint16_t sw = static_cast<uint16_t>((ops.cc & 0x4700) | (6 << 11));
    uint16_t tw = 0x0fff;
    std::memcpy(f.env + 0, &ops.cw, 2);
    std::memcpy(f.env + 4, &sw, 2);
    std::memcpy(f.env + 8, &tw, 2);
    ops.st0.to_bytes(f.a);
    ops.sti.to_bytes(f.b);

    size_t slot = static_cast<size_t>((opcode - 0xd8) & 7) * kPerOpcode;
    slot += (modrm >= 0xc0) ? 8 + (modrm & 0x3f) : (modrm >> 3) & 7;
    Flags fl = kTable[slot](f, ops.mem);

    HostX87Outcome out;
    uint16_t after;
    std::memcpy(&after, f.img + 4, 2);
    out.sw = after & 0x47ff;
    out.sw &= ~0x00c0;                     // ES/SF: the caller decides those
    out.pushes = 6 - ((after >> 11) & 7);  // two operand loads left TOP at 6
    out.st0 = F80::from_bytes(f.img + 28);
    out.st1 = F80::from_bytes(f.img + 38);
    out.eflags = static_cast<uint8_t>((fl.z ? 0x40 : 0) | (fl.p ? 0x04 : 0) | (fl.c ? 0x01 : 0));
    return out;
}

}  // namespace sandpc
