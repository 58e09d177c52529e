// Instruction lengths and decoded fields for hand-picked encodings. Expected
// values follow the Intel SDM vol. 2, chapter 2 (prefixes, ModRM/SIB forms,
// displacement and immediate sizes) and the one-byte/two-byte opcode maps
// (appendix A).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cpu/cpu.h"
#include "cpu/cpu_state.h"
#include "cpu/decoder.h"
#include "cpu/instruction_table.h"
#include "tests/support/ram_only_bus.h"

namespace sandpc {
namespace {

using Bytes = std::vector<uint8_t>;

std::string hex_bytes(const Bytes& b) {
    std::string s;
    char buf[4];
    for (uint8_t v : b) {
        std::snprintf(buf, sizeof buf, "%02x ", v);
        s += buf;
    }
    return s;
}

Insn decode(const Bytes& b, bool code32) {
    Insn in;
    unsigned len = decode_instruction(b.data(), static_cast<unsigned>(b.size()), code32, in);
    EXPECT_EQ(len, in.len) << hex_bytes(b);
    return in;
}

// Runs the decoded handler on a scratch CPU when it is one of the decoder's
// own fault stubs; returns the vector raised, if any. Only called for
// encodings that must fault, so a real instruction never runs here.
class FaultProbe {
  public:
    FaultProbe() : bus_(1u << 20), cpu_(bus_, CpuConfig{1u << 20}) {}

    std::optional<uint8_t> vector_of(const Insn& in) {
        try {
            in.handler(cpu_, in);
        } catch (const CpuFault& f) {
            return f.vector;
        }
        return std::nullopt;
    }

  private:
    RamOnlyBus bus_;
    Cpu cpu_;
};

// An encoding that decodes to a real instruction: the handler is the table
// row's handler for the operand size, not a fault stub.
void expect_valid(const Insn& in, const Bytes& b) {
    ASSERT_NE(in.info, nullptr) << hex_bytes(b);
    EXPECT_FALSE(in.info->has(attr::kInvalid)) << hex_bytes(b);
    EXPECT_EQ(in.handler, in.op32 ? in.info->handler32 : in.info->handler16) << hex_bytes(b);
}

struct LengthCase {
    const char* what;
    Bytes bytes;
    bool code32;
    unsigned len;
};

// Lengths only, checked with exactly the bytes available and with one byte
// fewer (which must ask for more: return 0).
const LengthCase kLengthCases[] = {
    {"nop", {0x90}, true, 1},
    {"mov eax,[esp] (SIB, base esp)", {0x8B, 0x04, 0x24}, true, 3},
    {"SIB no base: [disp32]", {0x8B, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12}, true, 7},
    {"SIB no base, index*4", {0x8B, 0x04, 0x8D, 0x78, 0x56, 0x34, 0x12}, true, 7},
    {"SIB base ebp disp8", {0x8B, 0x44, 0x8D, 0xF0}, true, 4},
    {"SIB base ebp disp32", {0x8B, 0x84, 0x8D, 0x00, 0x01, 0x00, 0x00}, true, 7},
    {"mod 0 rm 5: [disp32]", {0x8B, 0x05, 0x78, 0x56, 0x34, 0x12}, true, 6},
    {"[eax+disp32]", {0x8B, 0x80, 0x78, 0x56, 0x34, 0x12}, true, 6},
    {"[ebp+disp8]", {0x8B, 0x45, 0x00}, true, 3},
    {"register form", {0x8B, 0xC1}, true, 2},
    {"16-bit [bx]", {0x8B, 0x07}, false, 2},
    {"16-bit [disp16]", {0x8B, 0x06, 0x34, 0x12}, false, 4},
    {"16-bit [bp+disp8]", {0x8B, 0x46, 0xFE}, false, 3},
    {"16-bit [bp+si+disp16]", {0x8B, 0x82, 0x34, 0x12}, false, 4},
    {"67 in 32-bit: 16-bit [bx]", {0x67, 0x8B, 0x07}, true, 3},
    {"67 in 32-bit: 16-bit [disp16]", {0x67, 0x8B, 0x06, 0x34, 0x12}, true, 5},
    {"67 in 16-bit: SIB", {0x67, 0x8B, 0x04, 0x24}, false, 4},
    {"67 in 16-bit: [disp32]", {0x67, 0x8B, 0x05, 0x78, 0x56, 0x34, 0x12}, false, 7},
    {"moffs32", {0xA1, 0x78, 0x56, 0x34, 0x12}, true, 5},
    {"moffs16 via 67", {0x67, 0xA1, 0x34, 0x12}, true, 4},
    {"moffs16 in 16-bit", {0xA1, 0x34, 0x12}, false, 3},
    {"66 A1 in 16-bit: moffs stays 16", {0x66, 0xA1, 0x34, 0x12}, false, 4},
    {"mov al,moffs8", {0xA0, 0x78, 0x56, 0x34, 0x12}, true, 5},
    {"add eax,Iz", {0x05, 0x78, 0x56, 0x34, 0x12}, true, 5},
    {"66 add ax,Iz", {0x66, 0x05, 0x34, 0x12}, true, 4},
    {"16-bit 66 add eax,Iz", {0x66, 0x05, 0x78, 0x56, 0x34, 0x12}, false, 6},
    {"81 /0 Iz", {0x81, 0xC0, 0x78, 0x56, 0x34, 0x12}, true, 6},
    {"66 81 /0 Iz", {0x66, 0x81, 0xC0, 0x34, 0x12}, true, 5},
    {"83 /0 Ibs", {0x83, 0xC0, 0xFF}, true, 3},
    {"mov r32,Iv", {0xB8, 0x78, 0x56, 0x34, 0x12}, true, 5},
    {"66 mov r16,Iv", {0x66, 0xB8, 0x34, 0x12}, true, 4},
    {"16-bit 66 mov r32,Iv", {0x66, 0xB8, 0x78, 0x56, 0x34, 0x12}, false, 6},
    {"push Iz", {0x68, 0x78, 0x56, 0x34, 0x12}, true, 5},
    {"66 push Iz", {0x66, 0x68, 0x34, 0x12}, true, 4},
    {"C7 SIB disp32 Iz",
     {0xC7, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12},
     true,
     11},
    {"66 C7 SIB disp32 Iz", {0x66, 0xC7, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56}, true, 10},
    {"enter Iw,Ib", {0xC8, 0x10, 0x00, 0x01}, true, 4},
    {"ret Iw", {0xC2, 0x08, 0x00}, true, 3},
    {"jmp far Ap", {0xEA, 0x78, 0x56, 0x34, 0x12, 0x08, 0x00}, true, 7},
    {"66 jmp far Ap", {0x66, 0xEA, 0x34, 0x12, 0x08, 0x00}, true, 6},
    {"call Jz", {0xE8, 0x00, 0x00, 0x00, 0x00}, true, 5},
    {"66 call Jz", {0x66, 0xE8, 0x00, 0x00}, true, 4},
    {"jz Jz (0F 84)", {0x0F, 0x84, 0x00, 0x00, 0x00, 0x00}, true, 6},
    {"66 jz Jz (0F 84)", {0x66, 0x0F, 0x84, 0x00, 0x00}, true, 5},
    {"jmp Jb", {0xEB, 0xFE}, true, 2},
    {"test Eb,Ib (F6 /0)", {0xF6, 0xC0, 0x12}, true, 3},
    {"not Eb (F6 /2): no immediate", {0xF6, 0xD0}, true, 2},
    {"test Ev,Iz (F7 /0)", {0xF7, 0xC0, 0x78, 0x56, 0x34, 0x12}, true, 6},
    {"66 test Ev,Iz (F7 /0)", {0x66, 0xF7, 0xC0, 0x34, 0x12}, true, 5},
    {"neg Ev (F7 /3): no immediate", {0xF7, 0xD8}, true, 2},
    {"movzx", {0x0F, 0xB6, 0xC1}, true, 3},
    {"imul Gv,Ev,Iz", {0x69, 0xC0, 0x78, 0x56, 0x34, 0x12}, true, 6},
    {"imul Gv,Ev,Ibs", {0x6B, 0xC0, 0x05}, true, 3},
    {"shld Ev,Gv,Ib", {0x0F, 0xA4, 0xC1, 0x04}, true, 4},
    {"bt Ev,Ib (0F BA /4)", {0x0F, 0xBA, 0x20, 0x05}, true, 4},
    {"mov cr0,eax", {0x0F, 0x22, 0xC0}, true, 3},
    {"in al,Ib", {0xE4, 0x60}, true, 2},
    {"four prefixes + 11 bytes = 15",
     {0x26, 0x26, 0x26, 0x26, 0xC7, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12},
     true,
     15},
    {"14 prefixes + nop = 15",
     {0x2E, 0x3E, 0x26, 0x64, 0x65, 0x36, 0xF3, 0x2E, 0x3E, 0x26, 0x64, 0x65, 0x36, 0xF3, 0x90},
     true,
     15},
};

TEST(DecoderLength, HandPickedEncodings) {
    for (const LengthCase& c : kLengthCases) {
        SCOPED_TRACE(c.what);
        Insn in;
        unsigned len =
            decode_instruction(c.bytes.data(), static_cast<unsigned>(c.bytes.size()), c.code32, in);
        EXPECT_EQ(len, c.len) << hex_bytes(c.bytes);
        EXPECT_EQ(in.len, c.len);
        expect_valid(in, c.bytes);
        // Trailing bytes do not change the length.
        Bytes padded = c.bytes;
        padded.insert(padded.end(), {0xCC, 0xCC, 0xCC});
        EXPECT_EQ(
            decode_instruction(padded.data(), static_cast<unsigned>(padded.size()), c.code32, in),
            c.len);
        // One byte short: the decoder asks for more instead of guessing.
        EXPECT_EQ(decode_instruction(c.bytes.data(), static_cast<unsigned>(c.bytes.size() - 1),
                                     c.code32, in),
                  0u)
            << hex_bytes(c.bytes);
    }
}

TEST(DecoderFields, SibWithoutBase) {
    Bytes b{0x8B, 0x04, 0x8D, 0x78, 0x56, 0x34, 0x12};  // mov eax,[ecx*4+0x12345678]
    Insn in = decode(b, true);
    EXPECT_TRUE(in.has_mem);
    EXPECT_EQ(in.base, kNoReg);
    EXPECT_EQ(in.index, ECX);
    EXPECT_EQ(in.scale, 2);
    EXPECT_EQ(in.disp, 0x12345678u);
    EXPECT_EQ(in.seg, DS);
    EXPECT_EQ(in.reg, EAX);

    Bytes none{0x8B, 0x1C, 0x25, 0x00, 0x10, 0x00, 0x00};  // index 4 = none too
    in = decode(none, true);
    EXPECT_EQ(in.base, kNoReg);
    EXPECT_EQ(in.index, kNoReg);
    EXPECT_EQ(in.disp, 0x1000u);
    EXPECT_EQ(in.reg, EBX);
}

TEST(DecoderFields, SibBaseAndDefaultSegment) {
    Insn in = decode({0x8B, 0x04, 0x24}, true);  // [esp]
    EXPECT_EQ(in.base, ESP);
    EXPECT_EQ(in.index, kNoReg);
    EXPECT_EQ(in.seg, SS);

    in = decode({0x8B, 0x44, 0x8D, 0xF0}, true);  // [ebp+ecx*4-0x10]
    EXPECT_EQ(in.base, EBP);
    EXPECT_EQ(in.index, ECX);
    EXPECT_EQ(in.scale, 2);
    EXPECT_EQ(in.disp, 0xFFFFFFF0u);  // disp8 sign-extended
    EXPECT_EQ(in.seg, SS);

    in = decode({0x8B, 0x04, 0x2C}, true);  // [esp+ebp]: base esp picks SS
    EXPECT_EQ(in.base, ESP);
    EXPECT_EQ(in.index, EBP);
    EXPECT_EQ(in.seg, SS);

    in = decode({0x8B, 0x04, 0x28}, true);  // [eax+ebp]: an EBP index keeps DS
    EXPECT_EQ(in.base, EAX);
    EXPECT_EQ(in.index, EBP);
    EXPECT_EQ(in.seg, DS);

    in = decode({0x8B, 0x05, 0x00, 0x20, 0x00, 0x00}, true);  // [disp32]: no EBP base
    EXPECT_EQ(in.base, kNoReg);
    EXPECT_EQ(in.seg, DS);
    EXPECT_EQ(in.disp, 0x2000u);

    in = decode({0x8B, 0x80, 0x00, 0x00, 0x00, 0x80}, true);  // disp32 is not sign-narrowed
    EXPECT_EQ(in.base, EAX);
    EXPECT_EQ(in.disp, 0x80000000u);
}

TEST(DecoderFields, Addressing16) {
    struct Case {
        uint8_t modrm;
        uint8_t base, index, seg;
    };
    // SDM table 2-1: the eight 16-bit r/m forms with mod 01.
    const Case cases[] = {
        {0x40, EBX, ESI, DS},    {0x41, EBX, EDI, DS},    {0x42, EBP, ESI, SS},
        {0x43, EBP, EDI, SS},    {0x44, ESI, kNoReg, DS}, {0x45, EDI, kNoReg, DS},
        {0x46, EBP, kNoReg, SS}, {0x47, EBX, kNoReg, DS},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.modrm);
        Insn in = decode({0x8B, c.modrm, 0x80}, false);
        EXPECT_EQ(in.len, 3);
        EXPECT_FALSE(in.addr32);
        EXPECT_EQ(in.base, c.base);
        EXPECT_EQ(in.index, c.index);
        EXPECT_EQ(in.seg, c.seg);
        EXPECT_EQ(in.disp, 0xFFFFFF80u);
    }
    Insn in = decode({0x8B, 0x06, 0x34, 0x12}, false);  // mod 0 rm 6: [disp16]
    EXPECT_EQ(in.base, kNoReg);
    EXPECT_EQ(in.index, kNoReg);
    EXPECT_EQ(in.seg, DS);
    EXPECT_EQ(in.disp, 0x1234u);

    in = decode({0x67, 0x8B, 0x07}, true);  // 67 in 32-bit code
    EXPECT_FALSE(in.addr32);
    EXPECT_TRUE(in.op32);
    EXPECT_EQ(in.base, EBX);
}

TEST(DecoderFields, OperandSizePrefixOnImmediates) {
    Insn in = decode({0x66, 0x05, 0x34, 0x12}, true);
    EXPECT_FALSE(in.op32);
    EXPECT_EQ(in.imm, 0x1234u);
    in = decode({0x66, 0x05, 0x78, 0x56, 0x34, 0x12}, false);
    EXPECT_TRUE(in.op32);
    EXPECT_EQ(in.imm, 0x12345678u);
    in = decode({0x83, 0xC0, 0xFF}, true);  // Ib sign-extended to the operand size
    EXPECT_EQ(static_cast<int32_t>(in.imm), -1);
    in = decode({0x66, 0x6A, 0x80}, true);
    EXPECT_EQ(static_cast<int32_t>(in.imm), -128);
    in = decode({0xC8, 0x10, 0x20, 0x03}, true);  // enter 0x2010,3
    EXPECT_EQ(in.imm, 0x2010u);
    EXPECT_EQ(in.imm2, 3);
    in = decode({0x66, 0xEA, 0x34, 0x12, 0x08, 0x00}, true);
    EXPECT_EQ(in.imm, 0x1234u);
    EXPECT_EQ(in.imm2, 8);
    in = decode({0x66, 0xE8, 0xFE, 0xFF}, true);  // rel16 sign-extended
    EXPECT_EQ(static_cast<int32_t>(in.imm), -2);
    // The address-size prefix does not change an immediate.
    in = decode({0x67, 0x05, 0x78, 0x56, 0x34, 0x12}, true);
    EXPECT_EQ(in.len, 6);
    EXPECT_EQ(in.imm, 0x12345678u);
}

TEST(DecoderFields, Moffs) {
    Insn in = decode({0xA1, 0x78, 0x56, 0x34, 0x12}, true);
    EXPECT_TRUE(in.has_mem);
    EXPECT_EQ(in.disp, 0x12345678u);
    EXPECT_EQ(in.seg, DS);
    in = decode({0x67, 0xA3, 0x34, 0x12}, true);  // mov [moffs16],eax
    EXPECT_TRUE(in.has_mem);
    EXPECT_FALSE(in.addr32);
    EXPECT_TRUE(in.op32);
    EXPECT_EQ(in.disp, 0x1234u);
    in = decode({0x64, 0xA0, 0x78, 0x56, 0x34, 0x12}, true);
    EXPECT_EQ(in.seg, FS);
    EXPECT_TRUE(in.seg_override);
}

TEST(DecoderFields, SegmentOverrides) {
    Insn in = decode({0x8B, 0x00}, true);
    EXPECT_EQ(in.seg, DS);
    EXPECT_FALSE(in.seg_override);
    const std::pair<uint8_t, uint8_t> prefixes[] = {{0x26, ES}, {0x2E, CS}, {0x36, SS},
                                                    {0x3E, DS}, {0x64, FS}, {0x65, GS}};
    for (auto [prefix, seg] : prefixes) {
        in = decode({prefix, 0x8B, 0x45, 0x00}, true);  // [ebp+0] defaults to SS
        EXPECT_EQ(in.seg, seg) << int(prefix);
        EXPECT_TRUE(in.seg_override);
    }
    in = decode({0x26, 0x64, 0x8B, 0x00}, true);  // the last override wins
    EXPECT_EQ(in.seg, FS);
    in = decode({0xA4}, true);  // movsb: the source defaults to DS
    EXPECT_EQ(in.seg, DS);
    in = decode({0x26, 0xA4}, true);  // and follows an override
    EXPECT_EQ(in.seg, ES);
    in = decode({0x64, 0x8B, 0xC1}, true);  // ignored on a register operand
    expect_valid(in, {0x64, 0x8B, 0xC1});
    EXPECT_FALSE(in.has_mem);
}

TEST(DecoderFields, RepPrefixes) {
    Insn in = decode({0xF3, 0xA5}, true);
    EXPECT_EQ(in.rep, RepPrefix::kRep);
    in = decode({0xF2, 0xA6}, true);
    EXPECT_EQ(in.rep, RepPrefix::kRepne);
    in = decode({0xF2, 0xF3, 0xAE}, true);  // the last one wins
    EXPECT_EQ(in.rep, RepPrefix::kRep);
    // REP on a non-string instruction is ignored: it decodes and runs as the
    // plain instruction (F3 90 is PAUSE, a NOP on this CPU).
    for (const Bytes& b : {Bytes{0xF3, 0x01, 0xC8}, Bytes{0xF3, 0x90}, Bytes{0xF2, 0x8B, 0x00}}) {
        in = decode(b, true);
        expect_valid(in, b);
        EXPECT_EQ(in.len, b.size());
    }
}

TEST(DecoderFields, RegisterInOpcodeAndGroups) {
    Insn in = decode({0x41}, true);  // inc ecx
    EXPECT_EQ(in.reg, ECX);
    in = decode({0x0F, 0xCB}, true);  // bswap ebx
    EXPECT_EQ(in.reg, EBX);
    in = decode({0xB4, 0x12}, true);  // mov ah,0x12
    EXPECT_EQ(in.reg, 4);
    EXPECT_EQ(in.imm, 0x12u);
    in = decode({0xF7, 0xDB}, true);  // neg ebx: group row picked by ModRM.reg
    EXPECT_EQ(in.reg, 3);
    EXPECT_EQ(in.rm, EBX);
    EXPECT_STREQ(in.info->mnemonic, "neg");
    in = decode({0xFF, 0x30}, true);  // push dword [eax]
    EXPECT_STREQ(in.info->mnemonic, "push");
    EXPECT_EQ(in.opcode, 0xFF);
    in = decode({0x0F, 0xB6, 0xC1}, true);  // the 0F map reports its second byte
    EXPECT_EQ(in.opcode, 0xB6);
}

TEST(DecoderFaults, LengthLimit) {
    FaultProbe probe;
    // 16 bytes: #GP(0) even when only 15 are available.
    Bytes too_long{0x26, 0x26, 0x26, 0x26, 0x26, 0xC7, 0x84, 0x88,
                   0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12};
    for (unsigned avail : {15u, 16u}) {
        Insn in;
        EXPECT_EQ(decode_instruction(too_long.data(), avail, true, in), kMaxInsnLength);
        EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kGeneralProtection));
    }
    Bytes prefixes(15, 0x66);  // 15 prefixes and no opcode yet
    prefixes.push_back(0x90);
    Insn in;
    EXPECT_EQ(decode_instruction(prefixes.data(), 16, true, in), kMaxInsnLength);
    EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kGeneralProtection));
    EXPECT_EQ(decode_instruction(prefixes.data(), 15, true, in), kMaxInsnLength);
    EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kGeneralProtection));

    // The limit is hit inside the opcode or at the ModRM byte: still #GP
    // with 15 bytes (a fetch loop never offers a 16th).
    for (uint8_t last : {uint8_t{0x0F}, uint8_t{0x09}}) {
        Bytes b(14, 0x66);
        b.push_back(last);
        EXPECT_EQ(decode_instruction(b.data(), 15, false, in), kMaxInsnLength) << int(last);
        EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kGeneralProtection));
    }
    // Fewer than 15 bytes of a too-long instruction: fetching the rest comes
    // first (SDM vol. 3, 6.9: fetch faults before the length fault).
    Bytes mov(13, 0x66);
    mov.push_back(0xB8);  // 16-bit code: mov eax,imm32 makes 18 bytes
    EXPECT_EQ(decode_instruction(mov.data(), 14, false, in), 0u);
    mov.push_back(0x00);
    EXPECT_EQ(decode_instruction(mov.data(), 15, false, in), kMaxInsnLength);
    EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kGeneralProtection));
}

TEST(DecoderFaults, LockPrefix) {
    FaultProbe probe;
    const Bytes ok[] = {
        {0xF0, 0x01, 0x08},              // lock add [eax],ecx
        {0xF0, 0x0F, 0xC1, 0x08},        // lock xadd
        {0xF0, 0x0F, 0xB1, 0x0A},        // lock cmpxchg
        {0xF0, 0x87, 0x08},              // lock xchg
        {0xF0, 0xFF, 0x00},              // lock inc dword [eax]
        {0xF0, 0x0F, 0xAB, 0x08},        // lock bts
        {0xF0, 0x0F, 0xBA, 0x28, 0x01},  // lock bts Ev,Ib
        {0xF0, 0x0F, 0xC7, 0x08},        // lock cmpxchg8b
        {0xF0, 0x80, 0x30, 0x01},        // lock xor byte [eax],1
    };
    for (const Bytes& b : ok) expect_valid(decode(b, true), b);
    const Bytes ud[] = {
        {0xF0, 0x01, 0xC8},        // register destination
        {0xF0, 0x90},              // nop
        {0xF0, 0x8B, 0x00},        // mov is not lockable
        {0xF0, 0x39, 0x08},        // cmp is not lockable
        {0xF0, 0x0F, 0xA3, 0x08},  // bt is not lockable
        {0xF0, 0xFF, 0x30},        // push [eax] (FF /6) is not lockable
        {0xF0, 0xA4},              // movsb
    };
    for (const Bytes& b : ud) {
        Insn in = decode(b, true);
        EXPECT_EQ(in.len, b.size()) << hex_bytes(b);
        EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kInvalidOpcode)) << hex_bytes(b);
    }
}

TEST(DecoderFaults, UndefinedEncodings) {
    FaultProbe probe;
    // Three-byte maps (SSSE3/SSE4) do not exist on this CPU; nor do the
    // register forms of memory-only operands.
    const Bytes ud[] = {
        {0x0F, 0x38, 0x00, 0xC0},
        {0x0F, 0x3A, 0x0F, 0xC0, 0x01},
        {0x0F, 0x0B},        // ud2
        {0x8D, 0xC0},        // lea eax,eax
        {0xC4, 0xC0},        // les with a register
        {0x62, 0xC0},        // bound with a register
        {0x0F, 0x01, 0xD0},  // 0F 01 /2 (lgdt) with a register
        {0xFF, 0xF8},        // FF /7
        {0xFE, 0xD0},        // FE /2
    };
    for (const Bytes& b : ud) {
        Insn in;
        unsigned len = decode_instruction(b.data(), static_cast<unsigned>(b.size()), true, in);
        EXPECT_NE(len, 0u) << hex_bytes(b);
        EXPECT_LE(len, b.size()) << hex_bytes(b);
        EXPECT_EQ(probe.vector_of(in), std::optional<uint8_t>(kInvalidOpcode)) << hex_bytes(b);
    }
}

TEST(DecoderFaults, NeverReadsPastTheInput) {
    // Every two-byte prefix of every opcode with any ModRM: decoding from a
    // buffer of exactly that size either asks for more or stays within it.
    for (unsigned op = 0; op < 0x200; ++op) {
        for (unsigned modrm = 0; modrm < 256; modrm += 7) {
            Bytes b;
            if (op >= 0x100) b.push_back(0x0F);
            b.push_back(static_cast<uint8_t>(op));
            b.push_back(static_cast<uint8_t>(modrm));
            for (bool code32 : {false, true}) {
                for (unsigned avail = 1; avail <= b.size(); ++avail) {
                    Bytes exact(b.begin(), b.begin() + avail);
                    Insn in;
                    unsigned len = decode_instruction(exact.data(), avail, code32, in);
                    EXPECT_LE(len, avail) << hex_bytes(exact);
                }
            }
        }
    }
}

}  // namespace
}  // namespace sandpc
