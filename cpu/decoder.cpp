#include "cpu/decoder.h"

#include "cpu/cpu_state.h"
#include "cpu/fault.h"
#include "cpu/instruction_table.h"

namespace sandpc {

namespace {

void raise_length_gp(Cpu&, const Insn&) {
    raise_gp(0);
}
void raise_invalid_opcode(Cpu&, const Insn&) {
    raise_ud();
}

// An instruction longer than 15 bytes: decodes to #GP(0).
unsigned too_long(Insn& in) {
    in.handler = &raise_length_gp;
    in.info = &invalid_instruction();
    in.len = kMaxInsnLength;
    return kMaxInsnLength;
}

struct ByteReader {
    const uint8_t* p;
    unsigned avail;
    unsigned pos = 0;
    bool short_input = false;

    uint32_t take(unsigned n) {
        if (pos + n > avail) {
            short_input = true;
            pos += n;
            return 0;
        }
        uint32_t v = 0;
        for (unsigned i = 0; i < n; ++i) v |= static_cast<uint32_t>(p[pos + i]) << (8 * i);
        pos += n;
        return v;
    }
};

uint32_t sign_extend(uint32_t v, unsigned bytes) {
    if (bytes == 1) return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(v)));
    if (bytes == 2) return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(v)));
    return v;
}

// 16-bit ModRM r/m encodings as (base, index) pairs.
constexpr uint8_t kModrm16Base[8] = {EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX};
constexpr uint8_t kModrm16Index[8] = {ESI, EDI, ESI, EDI, kNoReg, kNoReg, kNoReg, kNoReg};

void decode_modrm_memory(ByteReader& r, Insn& in, uint8_t& default_seg) {
    unsigned mod = in.modrm >> 6;
    unsigned rm = in.modrm & 7;
    if (!in.addr32) {
        if (mod == 0 && rm == 6) {
            in.disp = r.take(2);
            default_seg = DS;
            return;
        }
        in.base = kModrm16Base[rm];
        in.index = kModrm16Index[rm];
        default_seg = (in.base == EBP) ? SS : DS;
        if (mod == 1) in.disp = sign_extend(r.take(1), 1);
        if (mod == 2) in.disp = r.take(2);
        return;
    }
    default_seg = DS;
    if (rm == 4) {
        uint8_t sib = static_cast<uint8_t>(r.take(1));
        unsigned base = sib & 7;
        unsigned index = (sib >> 3) & 7;
        in.scale = static_cast<uint8_t>(sib >> 6);
        in.index = index == 4 ? kNoReg : static_cast<uint8_t>(index);
        if (base == 5 && mod == 0) {
            in.base = kNoReg;
            in.disp = r.take(4);
        } else {
            in.base = static_cast<uint8_t>(base);
        }
    } else if (rm == 5 && mod == 0) {
        in.base = kNoReg;
        in.disp = r.take(4);
    } else {
        in.base = static_cast<uint8_t>(rm);
    }
    if (in.base == ESP || in.base == EBP) default_seg = SS;
    if (mod == 1) in.disp = sign_extend(r.take(1), 1);
    if (mod == 2) in.disp = r.take(4);
}

// Size in bytes of an immediate operand, 0 if the operand is not one.
unsigned immediate_size(Opnd o, bool op32, bool addr32) {
    switch (o) {
        case Opnd::kIb:
        case Opnd::kIbs:
        case Opnd::kJb: return 1;
        case Opnd::kIw: return 2;
        case Opnd::kIz:
        case Opnd::kIv:
        case Opnd::kJz: return op32 ? 4 : 2;
        default: return 0;
    }
}

}  // namespace

unsigned decode_instruction(const uint8_t* bytes, unsigned avail, bool code32, Insn& in) {
    in = Insn{};
    ByteReader r{bytes, avail};
    bool op32 = code32;
    bool addr32 = code32;
    uint8_t seg_override = kSegNone;
    uint16_t opcode = 0;

    // Prefixes: any number, in any order; the last of a kind wins. The
    // 15-byte limit is checked on the total length below.
    for (;;) {
        if (r.pos >= kMaxInsnLength) return too_long(in);
        uint8_t b = static_cast<uint8_t>(r.take(1));
        if (r.short_input) return 0;
        switch (b) {
            case 0x26: seg_override = ES; continue;
            case 0x2E: seg_override = CS; continue;
            case 0x36: seg_override = SS; continue;
            case 0x3E: seg_override = DS; continue;
            case 0x64: seg_override = FS; continue;
            case 0x65: seg_override = GS; continue;
            case 0x66: op32 = !code32; continue;
            case 0x67: addr32 = !code32; continue;
            case 0xF0: in.lock = true; continue;
            case 0xF2: in.rep = RepPrefix::kRepne; continue;
            case 0xF3: in.rep = RepPrefix::kRep; continue;
            default: break;
        }
        opcode = b;
        break;
    }
    // Out of bytes with 15 available: the instruction is too long.
    auto out_of_bytes = [&] { return avail >= kMaxInsnLength ? too_long(in) : 0; };
    if (opcode == 0x0F) {
        opcode = static_cast<uint16_t>(0x100 | r.take(1));
        if (r.short_input) return out_of_bytes();
    }
    in.op32 = op32;
    in.addr32 = addr32;
    in.opcode = static_cast<uint8_t>(opcode);

    uint8_t default_seg = DS;
    if (opcode_has_modrm(opcode)) {
        in.modrm = static_cast<uint8_t>(r.take(1));
        if (r.short_input) return out_of_bytes();
        in.reg = (in.modrm >> 3) & 7;
        in.rm = in.modrm & 7;
        in.has_mem = (in.modrm >> 6) != 3;
        if (in.has_mem) decode_modrm_memory(r, in, default_seg);
    } else {
        in.reg = opcode & 7;
    }
    const InsnInfo& info = lookup_instruction(opcode, in.reg);
    in.info = &info;

    for (Opnd o : info.op) {
        if (o == Opnd::kOb || o == Opnd::kOv) {
            in.disp = r.take(addr32 ? 4 : 2);
            in.has_mem = true;
        } else if (o == Opnd::kAp) {
            in.imm = r.take(op32 ? 4 : 2);
            in.imm2 = static_cast<uint16_t>(r.take(2));
        } else if (unsigned n = immediate_size(o, op32, addr32)) {
            // ENTER (Iw, Ib): the second immediate goes to imm2.
            if (o == Opnd::kIb && info.op[0] == Opnd::kIw) {
                in.imm2 = static_cast<uint16_t>(r.take(1));
            } else {
                uint32_t v = r.take(n);
                bool sign = o == Opnd::kIbs || o == Opnd::kJb || o == Opnd::kJz;
                in.imm = sign ? sign_extend(v, n) : v;
            }
        }
    }
    if (r.pos > kMaxInsnLength) {
        // Longer than the architectural limit: #GP(0) once the first 15
        // bytes are readable (fetching them faults first: SDM vol. 3, 6.9)
        // whether or not the rest are.
        if (avail < kMaxInsnLength) return 0;
        return too_long(in);
    }
    if (r.short_input) return 0;

    in.seg = seg_override != kSegNone ? seg_override : default_seg;
    in.seg_override = seg_override != kSegNone;
    in.len = static_cast<uint8_t>(r.pos);
    in.handler = op32 ? info.handler32 : info.handler16;
    bool lock_ok = info.has(attr::kLock) && in.has_mem;
    if ((in.lock && !lock_ok) || (info.has(attr::kMemOnly) && !in.has_mem)) {
        in.handler = &raise_invalid_opcode;
    }
    return in.len;
}

}  // namespace sandpc
