#include "cpu/disassembler.h"

#include <cstdio>

#include "cpu/cpu_state.h"
#include "cpu/decoder.h"
#include "cpu/instruction_table.h"

namespace sandpc {

namespace {

const char* const kReg32[] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
const char* const kReg16[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
const char* const kReg8[] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
const char* const kSeg[] = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};

std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
}

std::string reg_name(unsigned r, unsigned size) {
    if (size == 1) return kReg8[r & 7];
    if (size == 2) return kReg16[r & 7];
    return kReg32[r & 7];
}

std::string memory(const Insn& in, const char* size_name) {
    std::string s = size_name;
    if (!s.empty()) s += " ptr ";
    if (in.seg_override) s += std::string(kSeg[in.seg]) + ":";
    s += "[";
    const char* const* names = in.addr32 ? kReg32 : kReg16;
    bool any = false;
    if (in.base != kNoReg) {
        s += names[in.base];
        any = true;
    }
    if (in.index != kNoReg) {
        if (any) s += "+";
        s += names[in.index];
        if (in.scale) s += "*" + std::to_string(1u << in.scale);
        any = true;
    }
    if (in.disp || !any) {
        int32_t d = static_cast<int32_t>(in.disp);
        if (any && d < 0)
            s += "-" + hex(static_cast<uint32_t>(-d));
        else
            s += (any ? "+" : "") + hex(in.disp);
    }
    return s + "]";
}

const char* size_word(unsigned size) {
    switch (size) {
        case 1: return "byte";
        case 2: return "word";
        case 4: return "dword";
        default: return "";
    }
}

}  // namespace

std::string disassemble(const Insn& in, uint32_t eip) {
    const InsnInfo& info = *in.info;
    std::string name = info.mnemonic;
    if (auto slash = name.find('/'); slash != std::string::npos)
        name = in.op32 ? name.substr(slash + 1) : name.substr(0, slash);
    std::string out;
    if (in.lock) out += "lock ";
    if (in.rep == RepPrefix::kRep && info.has(attr::kRep | attr::kRepCond))
        out += info.has(attr::kRepCond) ? "repe " : "rep ";
    if (in.rep == RepPrefix::kRepne && info.has(attr::kRepCond)) out += "repne ";
    out += name;
    unsigned v = in.op32 ? 4 : 2;
    bool first = true;
    for (Opnd o : info.op) {
        if (o == Opnd::kNone) break;
        std::string t;
        switch (o) {
            case Opnd::kEb: t = in.has_mem ? memory(in, "byte") : reg_name(in.rm, 1); break;
            case Opnd::kEw: t = in.has_mem ? memory(in, "word") : reg_name(in.rm, 2); break;
            case Opnd::kEd: t = in.has_mem ? memory(in, "dword") : reg_name(in.rm, 4); break;
            case Opnd::kEv: t = in.has_mem ? memory(in, size_word(v)) : reg_name(in.rm, v); break;
            case Opnd::kGb: t = reg_name(in.reg, 1); break;
            case Opnd::kGw: t = reg_name(in.reg, 2); break;
            case Opnd::kGd: t = reg_name(in.reg, 4); break;
            case Opnd::kGv: t = reg_name(in.reg, v); break;
            case Opnd::kM:
            case Opnd::kMp:
            case Opnd::kMs:
            case Opnd::kMa:
            case Opnd::kMw: t = memory(in, ""); break;
            case Opnd::kMq: t = memory(in, "qword"); break;
            case Opnd::kRd: t = reg_name(in.rm, 4); break;
            case Opnd::kCd: t = "cr" + std::to_string(in.reg); break;
            case Opnd::kDd: t = "dr" + std::to_string(in.reg); break;
            case Opnd::kSw: t = kSeg[in.reg]; break;
            case Opnd::kIb:
            case Opnd::kIw:
            case Opnd::kIz:
            case Opnd::kIv:
            case Opnd::kIbs:
                t = hex(o == Opnd::kIb && info.op[0] == Opnd::kIw ? in.imm2 : in.imm);
                break;
            case Opnd::kJb:
            case Opnd::kJz: {
                uint32_t target = eip + in.len + in.imm;
                t = hex(in.op32 ? target : (target & 0xFFFF));
                break;
            }
            case Opnd::kAp: t = hex(in.imm2) + ":" + hex(in.imm); break;
            case Opnd::kOb:
            case Opnd::kOv: {
                Insn m = in;
                m.base = m.index = kNoReg;
                t = memory(m, o == Opnd::kOb ? "byte" : size_word(v));
                break;
            }
            case Opnd::kZb: t = reg_name(in.reg, 1); break;
            case Opnd::kZv: t = reg_name(in.reg, v); break;
            case Opnd::kZd: t = reg_name(in.reg, 4); break;
            case Opnd::kAL: t = "al"; break;
            case Opnd::kCL: t = "cl"; break;
            case Opnd::kDX: t = "dx"; break;
            case Opnd::kAX: t = "ax"; break;
            case Opnd::keAX: t = reg_name(0, v); break;
            case Opnd::kOne: t = "1"; break;
            case Opnd::kSeg: {
                static const uint8_t kSegByOpcode[] = {ES, CS, SS, DS, FS, GS};
                unsigned idx = 0;
                switch (in.opcode) {
                    case 0x06:
                    case 0x07: idx = 0; break;
                    case 0x0E: idx = 1; break;
                    case 0x16:
                    case 0x17: idx = 2; break;
                    case 0x1E:
                    case 0x1F: idx = 3; break;
                    case 0xA0:
                    case 0xA1: idx = 4; break;
                    default: idx = 5; break;
                }
                t = kSeg[kSegByOpcode[idx]];
                break;
            }
            case Opnd::kPq: t = "mm" + std::to_string(in.reg); break;
            case Opnd::kNq: t = "mm" + std::to_string(in.rm); break;
            case Opnd::kQq:
            case Opnd::kQd:
                t = in.has_mem ? memory(in, o == Opnd::kQq ? "qword" : "dword")
                               : "mm" + std::to_string(in.rm);
                break;
            case Opnd::kX87:
            case Opnd::kMmx: {
                char buf[16];
                std::snprintf(buf, sizeof buf, "%02x /%02x", in.opcode, in.modrm);
                t = buf;
                break;
            }
            default: continue;  // implicit string operands
        }
        out += first ? " " : ", ";
        out += t;
        first = false;
    }
    return out;
}

std::string disassemble_bytes(const uint8_t* bytes, unsigned len, bool code32, uint32_t eip) {
    Insn in;
    if (decode_instruction(bytes, len, code32, in) == 0) return "(bad)";
    return disassemble(in, eip);
}

}  // namespace sandpc
