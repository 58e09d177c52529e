#include "tests/diff/sequence_generator.h"

#include "cpu/cpu_state.h"
#include "cpu/disassembler.h"
#include "tests/diff/diff_protocol.h"

namespace sandpc {

namespace {

bool has_operand(const InsnInfo& row, Opnd o) {
    for (Opnd x : row.op)
        if (x == o) return true;
    return false;
}

bool needs_modrm(const InsnInfo& row) {
    return opcode_has_modrm(row.opcode);
}

// Branches the generator can place: they only ever jump forward over the
// next instruction, so every path stays inside the sequence.
bool is_generated_branch(const InsnInfo& row) {
    uint16_t op = row.opcode;
    return (op >= 0x70 && op <= 0x7F) || (op >= 0x180 && op <= 0x18F) || op == 0xEB || op == 0xE9 ||
           op == 0xE8 || (op >= 0xE0 && op <= 0xE3);
}

bool eligible(const InsnInfo& row) {
    constexpr uint32_t kExcluded = attr::kSystem | attr::kPrivileged | attr::kIo | attr::kFpu |
                                   attr::kInvalid | attr::kPrefix | attr::kNoGenerate |
                                   attr::kSegLoad;
    if (row.attrs & kExcluded) return false;
    if (row.has(attr::kBranch) && !is_generated_branch(row)) return false;
    return true;
}

// Modular inverse of an odd number mod 2^32 (Newton iteration).
uint32_t inverse_odd(uint32_t a) {
    uint32_t x = a;
    for (int i = 0; i < 5; ++i) x *= 2 - a * x;
    return x;
}

void put(std::vector<uint8_t>& b, uint32_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

std::vector<uint8_t> Sequence::code() const {
    std::vector<uint8_t> out;
    for (const auto& i : insns) out.insert(out.end(), i.bytes.begin(), i.bytes.end());
    return out;
}

std::string Sequence::disassembly() const {
    std::string out;
    uint32_t eip = DIFF_CODE_ADDR;
    for (const auto& i : insns) {
        char addr[32];
        std::snprintf(addr, sizeof addr, "  %08x  ", eip);
        std::string hex;
        for (uint8_t b : i.bytes) {
            char h[4];
            std::snprintf(h, sizeof h, "%02x", b);
            hex += h;
        }
        hex.resize(std::max<size_t>(hex.size(), 24), ' ');
        out += addr + hex + "  " +
               disassemble_bytes(i.bytes.data(), static_cast<unsigned>(i.bytes.size()), true, eip) +
               "\n";
        eip += static_cast<uint32_t>(i.bytes.size());
    }
    return out;
}

SequenceGenerator::SequenceGenerator(uint64_t seed, GeneratorOptions options)
    : rng_(seed), options_(options) {
    for (const InsnInfo& row : instruction_table())
        if (eligible(row)) rows_.push_back(&row);
}

uint32_t SequenceGenerator::data_address(unsigned room) {
    return DIFF_DATA_ADDR + room + below(DIFF_DATA_SIZE - 2 * room);
}

void SequenceGenerator::set_reg(Sequence& seq, unsigned reg, uint32_t value) {
    GeneratedInsn g;
    g.bytes.push_back(static_cast<uint8_t>(0xB8 + reg));
    put(g.bytes, value, 4);
    seq.insns.push_back(std::move(g));
}

namespace {
// Whether an encoding's prefixes include REP/REPE (F3) or REPNE (F2).
bool has_rep_prefix(const std::vector<uint8_t>& bytes) {
    for (uint8_t b : bytes) {
        if (b == 0xF2 || b == 0xF3) return true;
        bool prefix = b == 0xF0 || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 ||
                      b == 0x65 || b == 0x66 || b == 0x67;
        if (!prefix) return false;
    }
    return false;
}
}  // namespace

Sequence SequenceGenerator::next() {
    Sequence seq;
    unsigned n = 1 + below(options_.max_insns);
    uint16_t undefined = 0;
    bool after_branch = false;
    alignment_check_possible_ = false;
    size_t pending_branch = SIZE_MAX;  // index of a branch whose target is the next insn's end
    unsigned pending_disp_size = 0;
    for (unsigned i = 0; i < n; ++i) {
        size_t before = seq.insns.size();
        const InsnInfo* row = nullptr;
        for (int attempt = 0; attempt < 50; ++attempt) {
            row = rows_[below(static_cast<uint32_t>(rows_.size()))];
            if (row->flags_read & undefined) continue;
            if (emit(*row, seq, undefined)) break;
            seq.insns.resize(before);
            row = nullptr;
        }
        if (!row) break;
        if (pending_branch != SIZE_MAX) {
            // Jump over everything emitted for this instruction (set-up included).
            uint32_t skip = 0;
            for (size_t k = pending_branch + 1; k < seq.insns.size(); ++k)
                skip += static_cast<uint32_t>(seq.insns[k].bytes.size());
            auto& b = seq.insns[pending_branch].bytes;
            size_t at = b.size() - pending_disp_size;
            for (unsigned k = 0; k < pending_disp_size; ++k)
                b[at + k] = static_cast<uint8_t>(skip >> (8 * k));
            pending_branch = SIZE_MAX;
        }
        if (is_generated_branch(*row)) {
            pending_branch = seq.insns.size() - 1;
            bool rel8 = has_operand(*row, Opnd::kJb);
            pending_disp_size = rel8 ? 1 : 4;
        }
        // An instruction right after a branch may be skipped, and a shift by
        // a variable count or a REPE/REPNE CMPS/SCAS with ECX = 0 may leave the
        // flags alone: none of them defines flags.
        uint16_t op = row->opcode;
        bool variable_count = op == 0xC0 || op == 0xC1 || op == 0xD2 || op == 0xD3 || op == 0x1A4 ||
                              op == 0x1A5 || op == 0x1AC || op == 0x1AD;
        bool repeated = row->has(attr::kRepCond) && has_rep_prefix(seq.insns.back().bytes);
        uint16_t defined = (after_branch || variable_count || repeated) ? 0 : row->flags_written;
        if (defined == 0xFFFF) undefined = 0;
        undefined = static_cast<uint16_t>((undefined & ~defined) | row->flags_undefined);
        seq.undefined_flags |= row->flags_undefined;
        after_branch = is_generated_branch(*row);
        if (op == 0x9D) alignment_check_possible_ = true;
    }
    return seq;
}

// Appends the set-up MOVs and the instruction; false if this row cannot be
// generated in the current state.
bool SequenceGenerator::emit(const InsnInfo& row, Sequence& seq, uint16_t undefined) {
    if ((row.flags_read & undefined) != 0) return false;
    if (row.flags_read == 0xFFFF && undefined) return false;
    bool branch = row.has(attr::kBranch);
    uint16_t op = row.opcode;
    // ENTER with EFLAGS.AC set faults differently across vendors.
    if (op == 0xC8 && alignment_check_possible_) return false;
    bool sized = row.handler16 != row.handler32;
    bool op16 = sized && !branch && op != 0x1C8 + (op & 7) && below(10) < 3;
    if (op >= 0x1C8 && op <= 0x1CF) op16 = false;  // BSWAP r16 is undefined
    bool modrm = needs_modrm(row);
    bool string = row.has(attr::kString);
    bool uses_mem_operand = false;
    bool mem_only = row.has(attr::kMemOnly);
    bool moffs = has_operand(row, Opnd::kOb) || has_operand(row, Opnd::kOv);
    bool xlat = op == 0xD7;

    unsigned mod = 3, reg = 0, rm = 0;
    if (modrm) {
        mod = (mem_only || below(2)) ? 0 : 3;  // 0 stands for "memory" until chosen
        uses_mem_operand = mod != 3;
        reg = row.group_reg >= 0 ? static_cast<unsigned>(row.group_reg) : below(8);
        bool g_wide = has_operand(row, Opnd::kGv) || has_operand(row, Opnd::kGw) ||
                      has_operand(row, Opnd::kGd);
        if (g_wide && reg == ESP) reg = EAX + below(4);
        rm = below(8);
        bool e_wide = has_operand(row, Opnd::kEv) || has_operand(row, Opnd::kEw) ||
                      has_operand(row, Opnd::kEd);
        if (!uses_mem_operand && e_wide && rm == ESP) rm = EBP + below(3);
    }
    // Registers encoded in the opcode: keep ESP out except for harmless uses.
    if (has_operand(row, Opnd::kZv) || has_operand(row, Opnd::kZd)) {
        if ((op & 7) == ESP && op != 0x54 && op != 0x44 && op != 0x4C) return false;
    }
    bool addr16 =
        options_.low_area && (uses_mem_operand || string || moffs || xlat) && below(10) < 2;
    if (!options_.low_area && (op >= 0xE0 && op <= 0xE3)) addr16 = below(4) == 0;

    std::vector<uint8_t> prefixes;
    if (op16) prefixes.push_back(0x66);
    if (addr16) prefixes.push_back(0x67);
    if ((uses_mem_operand || string || moffs || xlat) && below(5) == 0) {
        static const uint8_t kFlatSegments[] = {0x26, 0x2E, 0x36, 0x3E};
        prefixes.push_back(kFlatSegments[below(4)]);
    }
    if (row.has(attr::kLock) && uses_mem_operand && below(3) == 0)
        prefixes.push_back(0xF0);
    else if (below(200) == 0)
        prefixes.push_back(0xF0);  // invalid LOCK: #UD on both
    if (row.has(attr::kRep) && below(2)) prefixes.push_back(0xF3);
    if (row.has(attr::kRepCond) && below(2)) prefixes.push_back(below(2) ? 0xF3 : 0xF2);
    if (prefixes.size() > 1 && below(2)) std::swap(prefixes[0], prefixes.back());

    // Set-up of implicit address registers.
    auto low_address = [&](unsigned room) {
        return DIFF_LOW_ADDR + room + below(DIFF_LOW_SIZE - 2 * room);
    };
    auto address_value = [&](unsigned room) -> uint32_t {
        if (addr16) return (rnd() & 0xFFFF0000u) | low_address(room);
        return data_address(room);
    };
    if (string) {
        set_reg(seq, ESI, address_value(256));
        set_reg(seq, EDI, address_value(256));
        uint32_t count = below(24);
        set_reg(seq, ECX, addr16 ? ((rnd() & 0xFFFF0000u) | count) : count);
    }
    if (xlat) set_reg(seq, EBX, address_value(300) - 128);
    if (op == 0xC9 || op == 0xC8) {
        set_reg(seq, EBP, DIFF_STACK_ADDR + 0x600 + 4 * below(64));
    }
    if ((op == 0x1A5 || op == 0x1AD) && op16) set_reg(seq, ECX, (rnd() & ~0x1Fu) | below(17));

    std::vector<uint8_t> body;
    if (op >= 0x100) body.push_back(0x0F);
    body.push_back(static_cast<uint8_t>(op & 0xFF));

    if (modrm) {
        if (!uses_mem_operand) {
            body.push_back(static_cast<uint8_t>(0xC0 | (reg << 3) | rm));
        } else if (!addr16) {
            uint32_t target = data_address(64);
            bool bit_offset = (op == 0x1A3 || op == 0x1AB || op == 0x1B3 || op == 0x1BB);
            unsigned form = below(5);
            unsigned base = kNoReg, index = kNoReg, scale = 0;
            uint32_t disp = 0;
            unsigned disp_size = 0;
            auto pick = [&] {
                static const uint8_t kRegs[] = {EAX, ECX, EDX, EBX, EBP, ESI, EDI};
                return kRegs[below(7)];
            };
            switch (form) {
                case 0:  // [disp32]
                    mod = 0, rm = 5, disp_size = 4;
                    break;
                case 1:  // [base]
                    base = pick();
                    if (base == EBP)
                        mod = 1, disp_size = 1;
                    else
                        mod = 0;
                    rm = base;
                    break;
                case 2:  // [base + disp8]
                    base = pick(), mod = 1, rm = base, disp_size = 1;
                    break;
                case 3:  // [base + disp32]
                    base = pick(), mod = 2, rm = base, disp_size = 4;
                    break;
                default: {  // SIB
                    rm = 4;
                    index = below(8);
                    if (index == ESP) index = kNoReg;
                    scale = below(4);
                    unsigned m = below(3);
                    if (m == 0 && below(3) == 0) {
                        mod = 0, base = kNoReg, disp_size = 4;  // base field 5: disp32
                    } else {
                        base = pick();
                        mod = m;
                        if (mod == 0 && base == EBP) mod = 1;
                        disp_size = mod == 1 ? 1 : (mod == 2 ? 4 : 0);
                    }
                    break;
                }
            }
            if (bit_offset && (reg == base || reg == index)) return false;
            bool count_in_cl = (op == 0x1A5 || op == 0x1AD) && op16;
            if (count_in_cl && (base == ECX || index == ECX)) return false;
            if (disp_size == 1)
                disp = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(rnd())));
            if (disp_size == 4) disp = rnd();
            uint32_t index_value = index != kNoReg ? rnd() : 0;
            if (base == kNoReg) {
                disp = target - (index_value << scale);
            } else if (base == index) {
                if (scale == 0) {
                    if ((target - disp) & 1) target += 1;
                    index_value = (target - disp) / 2;
                } else {
                    index_value = (target - disp) * inverse_odd(1 + (1u << scale));
                }
            }
            if (index != kNoReg) set_reg(seq, index, index_value);
            if (base != kNoReg && base != index)
                set_reg(seq, base, target - disp - (index_value << scale));
            if (bit_offset)
                set_reg(seq, reg, static_cast<uint32_t>(static_cast<int32_t>(below(256)) - 128));
            body.push_back(static_cast<uint8_t>((mod << 6) | (reg << 3) | rm));
            if (rm == 4) {
                unsigned base_field = base == kNoReg ? 5 : base;
                unsigned index_field = index == kNoReg ? 4 : index;
                body.push_back(
                    static_cast<uint8_t>((scale << 6) | (index_field << 3) | base_field));
            }
            put(body, disp, disp_size);
        } else {
            // 16-bit addressing into the low area.
            static const uint8_t kBase[8] = {EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX};
            static const uint8_t kIndex[8] = {ESI, EDI, ESI, EDI, kNoReg, kNoReg, kNoReg, kNoReg};
            bool bit_offset = (op == 0x1A3 || op == 0x1AB || op == 0x1B3 || op == 0x1BB);
            rm = below(8);
            mod = below(3);
            uint32_t target = low_address(64);
            unsigned disp_size = mod == 1 ? 1 : (mod == 2 ? 2 : 0);
            bool direct = mod == 0 && rm == 6;
            if (direct) disp_size = 2;
            uint32_t disp = disp_size == 1 ? static_cast<uint32_t>(static_cast<int8_t>(rnd()))
                                           : (disp_size == 2 ? (rnd() & 0xFFFF) : 0);
            if (direct) {
                disp = target;
            } else {
                unsigned b = kBase[rm], x = kIndex[rm];
                if (bit_offset && (reg == b || reg == x)) return false;
                uint32_t xv = x != kNoReg ? rnd() : 0;
                if (x != kNoReg) set_reg(seq, x, xv);
                set_reg(seq, b, (rnd() & 0xFFFF0000u) | ((target - disp - xv) & 0xFFFF));
            }
            if (bit_offset)
                set_reg(seq, reg, static_cast<uint32_t>(static_cast<int32_t>(below(256)) - 128));
            body.push_back(static_cast<uint8_t>((mod << 6) | (reg << 3) | rm));
            put(body, disp, disp_size);
        }
    }

    for (Opnd o : row.op) {
        switch (o) {
            case Opnd::kIb:
                if (op == 0xC8)
                    body.push_back(static_cast<uint8_t>(below(4)));  // ENTER level
                else if ((op == 0x1A4 || op == 0x1AC) && op16)
                    body.push_back(static_cast<uint8_t>(below(17)));
                else
                    body.push_back(static_cast<uint8_t>(rnd()));
                break;
            case Opnd::kIbs: body.push_back(static_cast<uint8_t>(rnd())); break;
            case Opnd::kIw: put(body, op == 0xC8 ? below(64) : rnd(), 2); break;
            case Opnd::kIz:
            case Opnd::kIv: put(body, rnd(), op16 ? 2 : 4); break;
            case Opnd::kJb: body.push_back(0); break;
            case Opnd::kJz: put(body, 0, 4); break;
            case Opnd::kOb:
            case Opnd::kOv:
                put(body, addr16 ? low_address(16) : data_address(16), addr16 ? 2 : 4);
                break;
            default: break;
        }
    }
    GeneratedInsn g;
    g.bytes = prefixes;
    g.bytes.insert(g.bytes.end(), body.begin(), body.end());
    g.info = &row;
    seq.insns.push_back(std::move(g));
    return true;
}

}  // namespace sandpc
