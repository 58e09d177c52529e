// Architectural details checked against the manuals: reset values, the
// real-mode environment layouts, restartable faulting stores, pending
// exceptions, FCOMI/FNSTSW outputs and the snapshot section.
#include <gtest/gtest.h>

#include "snapshot/state_stream.h"
#include "tests/fpu/fpu_test_util.h"

namespace sandpc::test {
namespace {

X87Instruction mem_insn(uint8_t op, uint8_t modrm, uint32_t offset) {
    X87Instruction insn;
    insn.opcode = op;
    insn.modrm = modrm;
    insn.has_mem = true;
    insn.mem_offset = offset;
    return insn;
}

X87Instruction reg_insn(uint8_t op, uint8_t modrm) {
    X87Instruction insn;
    insn.opcode = op;
    insn.modrm = modrm;
    return insn;
}

void fld_m32(X87& fpu, float v) {
    uint8_t buf[4];
    std::memcpy(buf, &v, 4);
    MockMemory m(buf, 4, 0);
    ASSERT_EQ(fpu.execute(mem_insn(0xd9, 0x06, 0), m).fault, X87Fault::none);
}

uint16_t get16(const uint8_t* p) {
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}
uint32_t get32(const uint8_t* p) {
    return get16(p) | static_cast<uint32_t>(get16(p + 2)) << 16;
}

TEST(X87State, ResetAndInitValues) {
    X87 fpu;  // power-on: SDM vol. 3, table 9-1
    EXPECT_EQ(fpu.control_word(), 0x0040);
    EXPECT_EQ(fpu.status_word(), 0x0000);
    EXPECT_EQ(fpu.tag_word(), 0x5555);
    fpu.fninit();
    EXPECT_EQ(fpu.control_word(), 0x037f);
    EXPECT_EQ(fpu.status_word(), 0x0000);
    EXPECT_EQ(fpu.tag_word(), 0xffff);
}

TEST(X87State, RealModeEnvironmentLayouts) {
    X87 fpu;
    fpu.fninit();
    uint8_t buf[64] = {};
    float one = 1.0f;
    std::memcpy(buf + 0x10, &one, 4);
    MockMemory m(buf, sizeof buf, 0);
    X87Instruction fld = mem_insn(0xd9, 0x06, 0x10);  // FLD dword [bp]...
    fld.protected_mode = false;
    fld.cs = 0x1234;
    fld.eip = 0x0010;
    fld.mem_selector = 0x2000;
    ASSERT_EQ(fpu.execute(fld, m).fault, X87Fault::none);
    const uint32_t fip_lin = 0x12340 + 0x10, fdp_lin = 0x20000 + 0x10;

    X87Instruction env32 = mem_insn(0xd9, 0x36, 0x20);  // FNSTENV, 32-bit real layout
    env32.protected_mode = false;
    ASSERT_EQ(fpu.execute(env32, m).fault, X87Fault::none);
    EXPECT_EQ(get16(buf + 0x20 + 12), fip_lin & 0xffff);
    EXPECT_EQ(get32(buf + 0x20 + 16), 0x106u | ((fip_lin >> 16) << 12));
    EXPECT_EQ(get16(buf + 0x20 + 20), fdp_lin & 0xffff);
    EXPECT_EQ(get32(buf + 0x20 + 24), (fdp_lin >> 16) << 12);
    EXPECT_EQ(fpu.control_word(), 0x037f);  // FNSTENV masks all (already masked)

    X87Instruction env16 = env32;  // 16-bit real layout
    env16.op32 = false;
    env16.mem_offset = 0x0;
    ASSERT_EQ(fpu.execute(env16, m).fault, X87Fault::none);
    EXPECT_EQ(get16(buf + 0), 0x037f);
    EXPECT_EQ(get16(buf + 4), fpu.tag_word());
    EXPECT_EQ(get16(buf + 6), fip_lin & 0xffff);
    EXPECT_EQ(get16(buf + 8), 0x106 | ((fip_lin >> 16) << 12));
    EXPECT_EQ(get16(buf + 10), fdp_lin & 0xffff);
    EXPECT_EQ(get16(buf + 12), (fdp_lin >> 16) << 12);

    // FLDENV of the 32-bit real image restores the same pointers.
    X87 other;
    other.fninit();
    X87Instruction ldenv = mem_insn(0xd9, 0x26, 0x20);
    ldenv.protected_mode = false;
    ASSERT_EQ(other.execute(ldenv, m).fault, X87Fault::none);
    EXPECT_EQ(other.fip(), fip_lin);
    EXPECT_EQ(other.fop(), 0x106);
    EXPECT_EQ(other.fdp(), fdp_lin);
    EXPECT_EQ(other.status_word(), fpu.status_word());
    // Only "empty or not" is loaded; the tags follow the register contents.
    EXPECT_EQ(other.abridged_tag_word(), fpu.abridged_tag_word());
}

TEST(X87State, FaultingStoresLeaveStateUnchanged) {
    X87 fpu;
    fpu.fninit();
    fld_m32(fpu, 2.5f);
    fld_m32(fpu, 1e30f);
    uint8_t before[108], after[108], buf[128] = {};
    MockMemory m(buf, sizeof buf, 0);
    const uint8_t top_before = fpu.top();
    X87 copy = fpu;
    MockMemory snap(before, sizeof before, 0);
    copy.execute(mem_insn(0xdd, 0x30, 0), snap);

    m.fault_on_write = true;
    // FSTP m32, FISTP m16 (overflows: IE), FSTP m80, FNSAVE, FNSTENV, FBSTP.
    for (auto insn : {mem_insn(0xd9, 0x1e, 0), mem_insn(0xdf, 0x1e, 0), mem_insn(0xdb, 0x3e, 0),
                      mem_insn(0xdd, 0x36, 0), mem_insn(0xd9, 0x36, 0), mem_insn(0xdf, 0x36, 0)}) {
        insn.eip = 0x999;
        EXPECT_THROW(fpu.execute(insn, m), std::runtime_error);
        X87 probe = fpu;
        MockMemory out(after, sizeof after, 0);
        probe.execute(mem_insn(0xdd, 0x30, 0), out);
        EXPECT_EQ(0, std::memcmp(before, after, 108))
            << std::hex << int(insn.opcode) << " " << int(insn.modrm);
    }
    // A faulting read changes nothing either.
    const X87Instruction far = mem_insn(0xd9, 0x06, 0x1000);
    EXPECT_THROW(fpu.execute(far, m), std::runtime_error);
    EXPECT_EQ(fpu.top(), top_before);
}

TEST(X87State, UnmaskedExceptionIsPendingUntilCleared) {
    X87 fpu;
    fpu.fninit();
    uint16_t cw = 0x037b;  // ZE unmasked
    MockMemory m(reinterpret_cast<uint8_t*>(&cw), 2, 0);
    ASSERT_EQ(fpu.execute(mem_insn(0xd9, 0x2e, 0), m).fault, X87Fault::none);  // FLDCW
    fld_m32(fpu, 0.0f);
    fld_m32(fpu, 1.0f);
    EXPECT_FALSE(fpu.exception_pending());
    fpu.execute(reg_insn(0xd8, 0xf1), m);  // FDIV ST(0), ST(1): 1/0
    EXPECT_TRUE(fpu.exception_pending());
    EXPECT_EQ(fpu.status_word() & 0x8085, 0x8084);  // B, ES, ZE; no IE
    EXPECT_EQ(fpu.st(0).sign_exp, 0x3fff);          // destination unchanged
    // FNSTSW AX reports it; FNCLEX clears it; neither waits.
    EXPECT_FALSE(X87::is_waiting(0xdf, 0xe0));
    EXPECT_FALSE(X87::is_waiting(0xdb, 0xe2));
    EXPECT_TRUE(X87::is_waiting(0xd8, 0xf1));
    X87Outcome o = fpu.execute(reg_insn(0xdf, 0xe0), m);
    EXPECT_TRUE(o.ax_valid);
    EXPECT_EQ(o.ax, fpu.status_word());
    fpu.execute(reg_insn(0xdb, 0xe2), m);
    EXPECT_FALSE(fpu.exception_pending());
    EXPECT_EQ(fpu.status_word() & 0x80ff, 0);
}

TEST(X87State, FcomiReportsEflags) {
    X87 fpu;
    fpu.fninit();
    fld_m32(fpu, 2.0f);
    fld_m32(fpu, 1.0f);
    uint8_t dummy[4];
    MockMemory m(dummy, 4, 0);
    X87Outcome o = fpu.execute(reg_insn(0xdb, 0xf1), m);  // FCOMI ST(0), ST(1): 1 < 2
    EXPECT_EQ(o.eflags_mask, 0x8d5u);
    EXPECT_EQ(o.eflags, 0x01u);                // CF only
    o = fpu.execute(reg_insn(0xdf, 0xf0), m);  // FCOMIP ST(0), ST(0): equal, pops
    EXPECT_EQ(o.eflags, 0x40u);
    EXPECT_EQ(fpu.top(), 7);
}

TEST(X87State, SnapshotRoundTrip) {
    OperandGen gen(5);
    for (int n = 0; n < 50; ++n) {
        uint8_t img[108];
        gen.state(img, false);
        MockMemory m(img, sizeof img, 0);
        X87 a;
        a.execute(mem_insn(0xdd, 0x20, 0), m);
        StateWriter w;
        a.save(w);
        X87 b;
        StateReader r(w.data());
        b.load(r);
        uint8_t ia[108], ib[108];
        MockMemory ma(ia, 108, 0), mb(ib, 108, 0);
        X87 ca = a, cb = b;
        ca.execute(mem_insn(0xdd, 0x30, 0), ma);
        cb.execute(mem_insn(0xdd, 0x30, 0), mb);
        EXPECT_EQ(0, std::memcmp(ia, ib, 108));
        EXPECT_EQ(a.abridged_tag_word(), b.abridged_tag_word());
        EXPECT_EQ(a.exception_pending(), b.exception_pending());
    }
}

TEST(X87State, SnapshotRefusesBadData) {
    X87 fpu;
    StateWriter w;
    fpu.save(w);
    std::vector<uint8_t> data = w.data();
    // Truncated stream.
    {
        std::vector<uint8_t> cut(data.begin(), data.end() - 10);
        StateReader r(cut);
        X87 other;
        EXPECT_THROW(other.load(r), StateError);
    }
    // Well-formed section with TOP out of range.
    {
        StateWriter bad;
        bad.begin_section("x87", 1);
        for (int k = 0; k < 8; ++k) {
            bad.u64(0);
            bad.u16(0);
        }
        bad.u16(0x37f);
        bad.u16(0);
        bad.u8(9);  // TOP
        bad.u8(0);
        bad.u32(0);
        bad.u16(0);
        bad.u16(0);
        bad.u32(0);
        bad.u16(0);
        bad.end_section();
        StateReader r(bad.data());
        X87 other;
        other.fninit();
        EXPECT_THROW(other.load(r), StateError);
        EXPECT_EQ(other.control_word(), 0x037f);  // untouched
    }
    // Newer version.
    {
        StateWriter newer;
        newer.begin_section("x87", 99);
        newer.end_section();
        StateReader r(newer.data());
        X87 other;
        EXPECT_THROW(other.load(r), StateError);
    }
}

}  // namespace
}  // namespace sandpc::test
