#include "tests/diff/x87_sequence_generator.h"

#include <cstring>

#include "cpu/cpu_state.h"
#include "cpu/fpu/f80.h"
#include "tests/diff/diff_protocol.h"

namespace sandpc {

namespace {

// What a memory operand of an escape instruction holds.
enum class Operand : uint8_t {
    none,
    store,
    real32,
    real64,
    real80,
    int16,
    int32,
    int64,
    bcd,
    cw,
    env
};

struct OperandKind {
    Operand kind;
    unsigned len;
};

// The memory operand of escape `op` /reg (SDM vol. 2, x87 opcode map).
OperandKind operand_of(uint8_t op, unsigned reg, bool op32) {
    const unsigned env = op32 ? 28 : 14;
    switch (op) {
        case 0xD8: return {Operand::real32, 4};
        case 0xDA: return {Operand::int32, 4};
        case 0xDC: return {Operand::real64, 8};
        case 0xDE: return {Operand::int16, 2};
        case 0xD9:
            switch (reg) {
                case 0: return {Operand::real32, 4};
                case 2:
                case 3: return {Operand::store, 4};
                case 4: return {Operand::env, env};
                case 5: return {Operand::cw, 2};
                case 6: return {Operand::store, env};
                case 7: return {Operand::store, 2};
                default: return {Operand::none, 4};
            }
        case 0xDB:
            switch (reg) {
                case 0: return {Operand::int32, 4};
                case 2:
                case 3: return {Operand::store, 4};
                case 5: return {Operand::real80, 10};
                case 7: return {Operand::store, 10};
                default: return {Operand::none, 4};
            }
        case 0xDD:
            switch (reg) {
                case 0: return {Operand::real64, 8};
                case 2:
                case 3: return {Operand::store, 8};
                case 4: return {Operand::env, env + 80};
                case 6: return {Operand::store, env + 80};
                case 7: return {Operand::store, 2};
                default: return {Operand::none, 8};
            }
        default:  // DF
            switch (reg) {
                case 0: return {Operand::int16, 2};
                case 2:
                case 3: return {Operand::store, 2};
                case 4: return {Operand::bcd, 10};
                case 5: return {Operand::int64, 8};
                case 6: return {Operand::store, 10};
                default: return {Operand::store, 8};
            }
    }
}

// FISTTP (DB/DD/DF /1) is SSE3: #UD on the P6 but valid on the host.
bool host_differs_by_design(uint8_t op, uint8_t modrm) {
    return modrm < 0xC0 && ((modrm >> 3) & 7) == 1 && (op == 0xDB || op == 0xDD || op == 0xDF);
}

void put(std::vector<uint8_t>& b, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

X87SequenceGenerator::X87SequenceGenerator(uint64_t seed) : rng_(seed) {
    for (const InsnInfo& row : instruction_table())
        if (row.has(attr::kFpu)) rows_.push_back(&row);
}

uint32_t X87SequenceGenerator::operand_address(unsigned align) {
    // Below the final FNSTENV image, room for a 512-byte FXSAVE area.
    uint32_t off = 16 * below(0xA8);
    if (align < 16) off += below(16) & ~(align - 1);
    return DIFF_DATA_ADDR + off;
}

uint16_t X87SequenceGenerator::control_word() {
    uint16_t masks = below(10) < 7 ? 0x3F : static_cast<uint16_t>(rnd() & 0x3F);
    uint16_t pc = static_cast<uint16_t>(below(4) << 8);
    uint16_t rc = static_cast<uint16_t>(below(4) << 10);
    uint16_t junk = below(8) == 0 ? static_cast<uint16_t>(rnd() & 0xE0C0) : 0;
    return static_cast<uint16_t>(masks | pc | rc | junk | 0x40);
}

void X87SequenceGenerator::special_f80(uint8_t* p) {
    F80 f;
    uint64_t r = (uint64_t(rnd()) << 32) | rnd();
    uint16_t sign = below(2) ? 0x8000 : 0;
    switch (below(16)) {
        case 0: f = {0, 0}; break;
        case 1: f = {r & 0x7FFFFFFFFFFFFFFFull, 0}; break;       // denormal
        case 2: f = {r | 0x8000000000000000ull, 0}; break;       // pseudo-denormal
        case 3: f = {0x8000000000000000ull, 0x7FFF}; break;      // infinity
        case 4: f = {r | 0xC000000000000000ull, 0x7FFF}; break;  // QNaN
        case 5: f = {(r & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000001ull, 0x7FFF}; break;  // SNaN
        case 6:
            f = kIndefinite;
            sign = 0x8000;
            break;
        case 7: f = {r & 0x7FFFFFFFFFFFFFFFull, 0x7FFF}; break;  // pseudo-NaN/-infinity
        case 8: f = {r & 0x7FFFFFFFFFFFFFFFull, static_cast<uint16_t>(1 + below(0x7FFE))}; break;
        case 9: f = {r | 0x8000000000000000ull, static_cast<uint16_t>(0x7FFE - below(64))}; break;
        case 10: f = {r | 0x8000000000000000ull, static_cast<uint16_t>(1 + below(64))}; break;
        case 11: {  // next to a rounding boundary of the 24-, 53- or 64-bit precisions
            static constexpr unsigned kBits[] = {40, 11, 0};
            unsigned b = kBits[below(3)];
            uint64_t half = b ? (1ull << (b - 1)) : 0;
            uint64_t m = (r | 0x8000000000000000ull) & ~((1ull << b) - 1);
            m = m + half + below(3) - 1;
            f = {m | 0x8000000000000000ull, static_cast<uint16_t>(0x3FFF + below(64) - 32)};
            break;
        }
        case 12: {  // small integers and halves (FRNDINT, FIST, FPREM)
            uint64_t v = 1 + below(1000);
            unsigned lz = static_cast<unsigned>(__builtin_clzll(v));
            f = {v << lz, static_cast<uint16_t>(0x3FFF + 63 - lz - below(2))};
            break;
        }
        case 13:
            f = {r | 0x8000000000000000ull, static_cast<uint16_t>(0x3FFF + below(128) - 64)};
            break;
        case 14:
            f = {r | 0x8000000000000000ull, static_cast<uint16_t>(0x3FFF + below(16) - 8)};
            break;
        default: f = {r, static_cast<uint16_t>(rnd())}; break;
    }
    f.sign_exp = static_cast<uint16_t>((f.sign_exp & 0x7FFF) | sign);
    f.to_bytes(p);
}

void X87SequenceGenerator::store(Sequence& seq, uint32_t addr, const uint8_t* bytes, unsigned len) {
    for (unsigned i = 0; i < len;) {
        GeneratedInsn g;
        unsigned n = len - i >= 4 ? 4 : len - i >= 2 ? 2 : 1;
        if (n == 2) g.bytes.push_back(0x66);
        g.bytes.push_back(n == 1 ? 0xC6 : 0xC7);
        g.bytes.push_back(0x05);
        put(g.bytes, addr + i, 4);
        uint32_t v = 0;
        std::memcpy(&v, bytes + i, n);
        put(g.bytes, v, n);
        seq.insns.push_back(std::move(g));
        i += n;
    }
}

void X87SequenceGenerator::emit_x87(const InsnInfo& row, X87Sequence& out) {
    const uint8_t op = static_cast<uint8_t>(row.opcode);
    uint8_t modrm;
    bool fnsave;
    do {
        modrm = static_cast<uint8_t>(below(2) ? (0xC0 | below(64)) : ((below(8) << 3) | 5));
        fnsave = op == 0xDD && modrm == 0x35;
    } while (host_differs_by_design(op, modrm) || (fnsave && image_bytes_ + 108 > kImageBudget));
    if (fnsave) image_bytes_ += 108;
    const unsigned reg = (modrm >> 3) & 7;
    GeneratedInsn g;
    g.info = &row;
    if (modrm >= 0xC0) {
        g.bytes = {op, modrm};
        out.seq.insns.push_back(std::move(g));
        return;
    }
    // 16-bit operand size for the environment instructions sometimes.
    bool env_insn = (op == 0xD9 || op == 0xDD) && (reg == 4 || reg == 6);
    bool op32 = !(env_insn && below(3) == 0);
    OperandKind k = operand_of(op, reg, op32);
    uint32_t addr = operand_address(k.len >= 10 ? 4 : 1);
    uint8_t v[108] = {};
    uint64_t r = (uint64_t(rnd()) << 32) | rnd();
    bool write = true;
    switch (k.kind) {
        case Operand::real32: {
            static constexpr uint32_t kPool[] = {0,          0x80000000, 0x00000001, 0x007FFFFF,
                                                 0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001,
                                                 0xFFC00000, 0x7F7FFFFF, 0x00800000, 0x3F800000,
                                                 0x3F800001, 0x4B000000, 0x3EFFFFFF};
            uint32_t x = below(3) ? kPool[below(std::size(kPool))] : static_cast<uint32_t>(r);
            if (below(4) == 0) x ^= 0x80000000u;
            std::memcpy(v, &x, 4);
            break;
        }
        case Operand::real64: {
            static constexpr uint64_t kPool[] = {0,
                                                 0x8000000000000000ull,
                                                 1,
                                                 0x000FFFFFFFFFFFFFull,
                                                 0x7FF0000000000000ull,
                                                 0x7FF8000000000000ull,
                                                 0x7FF0000000000001ull,
                                                 0xFFF8000000000000ull,
                                                 0x7FEFFFFFFFFFFFFFull,
                                                 0x0010000000000000ull,
                                                 0x3FF0000000000000ull,
                                                 0x3FF0000000000001ull,
                                                 0x4330000000000000ull,
                                                 0x3FDFFFFFFFFFFFFFull};
            uint64_t x = below(3) ? kPool[below(std::size(kPool))] : r;
            if (below(4) == 0) x ^= 0x8000000000000000ull;
            std::memcpy(v, &x, 8);
            break;
        }
        case Operand::real80: special_f80(v); break;
        case Operand::int16:
        case Operand::int32:
        case Operand::int64: {
            unsigned bits = k.kind == Operand::int16 ? 16 : k.kind == Operand::int32 ? 32 : 64;
            uint64_t min = 1ull << (bits - 1);
            uint64_t pool[] = {0, ~0ull, 1, min, min - 1, below(2000) - 1000ull, r};
            uint64_t x = pool[below(std::size(pool))];
            std::memcpy(v, &x, 8);
            break;
        }
        case Operand::bcd: {
            for (unsigned i = 0; i < 9; ++i) {
                uint8_t lo = static_cast<uint8_t>(below(10)), hi = static_cast<uint8_t>(below(10));
                v[i] = static_cast<uint8_t>(lo | (hi << 4));
            }
            if (below(4) == 0) v[below(9)] = static_cast<uint8_t>(rnd());  // invalid digits
            v[9] = below(2) ? 0x80 : 0;
            if (below(8) == 0) v[9] = static_cast<uint8_t>(rnd());
            break;
        }
        case Operand::cw: {
            uint16_t cw = control_word();
            std::memcpy(v, &cw, 2);
            break;
        }
        case Operand::env: {
            // Control word, status and tags chosen; pointers and registers
            // partly random (the data area's own bytes), partly special.
            uint16_t cw = control_word();
            uint16_t sw = static_cast<uint16_t>(rnd() & (below(2) ? 0x3800 : 0xFFFF));
            uint16_t tw = static_cast<uint16_t>(below(2) ? 0 : rnd());
            unsigned step = op32 ? 4 : 2;
            std::memcpy(v, &cw, 2);
            std::memcpy(v + step, &sw, 2);
            std::memcpy(v + 2 * step, &tw, 2);
            unsigned env = op32 ? 28 : 14;
            for (unsigned i = env; i < k.len; i += 10) special_f80(v + i);
            // Only the words above are written for FLDENV; FRSTOR gets the registers too.
            store(out.seq, addr, v, 2);
            store(out.seq, addr + step, v + step, 2);
            store(out.seq, addr + 2 * step, v + 2 * step, 2);
            if (k.len > env) store(out.seq, addr + env, v + env, 80);
            write = false;
            break;
        }
        case Operand::store:
        case Operand::none: write = false; break;
    }
    if (write) store(out.seq, addr, v, k.len);
    if (k.kind == Operand::store && env_insn)  // stored FIP/FCS/FOP/FDP/FDS
        out.ignored.push_back({addr + (op32 ? 12u : 6u), op32 ? 16u : 8u});
    if (!op32) g.bytes.push_back(0x66);
    g.bytes.push_back(op);
    g.bytes.push_back(modrm);
    put(g.bytes, addr, 4);
    out.seq.insns.push_back(std::move(g));
}

void X87SequenceGenerator::emit_mmx(const InsnInfo& row, X87Sequence& out) {
    GeneratedInsn g;
    g.info = &row;
    const uint8_t op = static_cast<uint8_t>(row.opcode);
    g.bytes = {0x0F, op};
    if (row.op[0] == Opnd::kNone) {  // EMMS
        out.seq.insns.push_back(std::move(g));
        return;
    }
    if (row.op[0] == Opnd::kNq) {  // shift by immediate
        g.bytes.push_back(static_cast<uint8_t>(0xC0 | (row.group_reg << 3) | below(8)));
        static constexpr uint8_t kCounts[] = {0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 255};
        g.bytes.push_back(below(2) ? kCounts[below(std::size(kCounts))]
                                   : static_cast<uint8_t>(rnd()));
        out.seq.insns.push_back(std::move(g));
        return;
    }
    const unsigned reg = below(8);
    if (below(2)) {
        unsigned rm = below(8);
        bool gpr = row.op[0] == Opnd::kEd || row.op[1] == Opnd::kEd;
        if (gpr && rm == ESP) rm = EAX;
        g.bytes.push_back(static_cast<uint8_t>(0xC0 | (reg << 3) | rm));
    } else {
        uint32_t addr = operand_address(1);
        uint8_t v[8];
        bool load = row.op[1] == Opnd::kQq || row.op[1] == Opnd::kQd || row.op[1] == Opnd::kEd;
        if (load) {
            for (auto& b : v)
                b = static_cast<uint8_t>(below(4) == 0 ? (below(2) ? 0xFF : 0x80) : rnd());
            store(out.seq, addr, v, row.op[1] == Opnd::kQq ? 8 : 4);
        }
        g.bytes.push_back(static_cast<uint8_t>((reg << 3) | 5));
        put(g.bytes, addr, 4);
    }
    out.seq.insns.push_back(std::move(g));
}

void X87SequenceGenerator::emit_fxsr(const InsnInfo& row, X87Sequence& out) {
    uint32_t addr = operand_address(16);
    if (row.group_reg == 1) {  // FXRSTOR: a valid MXCSR, chosen x87 words and registers
        uint8_t img[160];
        uint16_t cw = control_word();
        uint16_t sw = static_cast<uint16_t>(rnd());
        uint8_t ftw = static_cast<uint8_t>(below(2) ? 0xFF : rnd());
        uint32_t mxcsr = 0x1F80 | (rnd() & 0x3F);
        std::memcpy(img, &cw, 2);
        std::memcpy(img + 2, &sw, 2);
        img[4] = ftw;
        img[5] = 0;
        std::memcpy(img + 24, &mxcsr, 4);
        store(out.seq, addr, img, 6);
        store(out.seq, addr + 24, img + 24, 4);
        // Every register slot is written: the bytes there may come from an
        // earlier FXSAVE's XMM area, which only the host fills.
        for (unsigned i = 0; i < 8; ++i) {
            special_f80(img + 32 + 16 * i);
            store(out.seq, addr + 32 + 16 * i, img + 32 + 16 * i, 10);
        }
    } else {
        out.ignored.push_back({addr + 6, 18});     // pointers
        out.ignored.push_back({addr + 28, 4});     // MXCSR_MASK (the host has DAZ)
        out.ignored.push_back({addr + 160, 352});  // XMM registers and the free area
    }
    GeneratedInsn g;
    g.info = &row;
    g.bytes = {0x0F, 0xAE, static_cast<uint8_t>((row.group_reg << 3) | 5)};
    put(g.bytes, addr, 4);
    out.seq.insns.push_back(std::move(g));
}

X87Sequence X87SequenceGenerator::next() {
    X87Sequence out;
    image_bytes_ = 0;
    // Starting state: FXRSTOR image with a chosen control word, TOP, flags
    // (ES consistent with them) and tags, and special register contents.
    uint8_t* fx = out.fxsave_in.data();
    uint16_t cw = control_word();
    uint16_t flags = below(4) == 0 ? static_cast<uint16_t>(rnd() & 0x7F) : 0;
    uint16_t sw = static_cast<uint16_t>((below(8) << 11) | flags | (rnd() & 0x4700));
    if (flags & ~cw & 0x3F) sw |= 0x8080;
    uint8_t ftw = below(3) ? 0xFF : static_cast<uint8_t>(rnd());
    uint32_t mxcsr = 0x1F80;
    std::memcpy(fx, &cw, 2);
    std::memcpy(fx + 2, &sw, 2);
    fx[4] = ftw;
    std::memcpy(fx + 24, &mxcsr, 4);
    for (unsigned i = 0; i < 8; ++i) special_f80(fx + 32 + 16 * i);

    unsigned n = 1 + below(8);
    for (unsigned i = 0; i < n; ++i) {
        const InsnInfo* row = rows_[below(static_cast<uint32_t>(rows_.size()))];
        unsigned pick = below(20);
        if (pick < 11) {
            row = &lookup_instruction(static_cast<uint16_t>(0xD8 + below(8)), 0);
        } else if (pick == 11) {
            row = &lookup_instruction(0x9B, 0);
        } else if (pick == 12) {
            bool fxsave = below(2) == 0 && image_bytes_ + 512 <= kImageBudget;
            if (fxsave) image_bytes_ += 512;
            row = &lookup_instruction(0x1AE, fxsave ? 0 : 1);
        } else {
            while (row->opcode < 0x160 || row->opcode == 0x1AE)
                row = rows_[below(static_cast<uint32_t>(rows_.size()))];
        }
        if (row->opcode >= 0xD8 && row->opcode <= 0xDF) {
            emit_x87(*row, out);
        } else if (row->opcode == 0x9B) {
            GeneratedInsn g;
            g.info = row;
            g.bytes = {0x9B};
            out.seq.insns.push_back(std::move(g));
        } else if (row->opcode == 0x1AE) {
            emit_fxsr(*row, out);
        } else {
            emit_mmx(*row, out);
        }
    }
    // FNSTENV: the full tag word (and everything else but the pointers).
    GeneratedInsn g;
    g.info = &lookup_instruction(0xD9, 6);
    g.bytes = {0xD9, 0x35};
    put(g.bytes, kEnvImage, 4);
    out.seq.insns.push_back(std::move(g));
    out.ignored.push_back({kEnvImage + 12, 16});
    return out;
}

}  // namespace sandpc
