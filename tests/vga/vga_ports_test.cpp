#include "vga_test_util.h"

namespace sandpc {
namespace {

using VgaPorts = test::VgaFixture;

TEST_F(VgaPorts, MiscOutputSelectsCrtcPorts) {
    out(0x3C2, 0x67);
    EXPECT_EQ(in(0x3CC), 0x67);
    out(0x3D4, 0x0E);
    out(0x3D5, 0x12);
    EXPECT_EQ(in(0x3D5), 0x12);
    EXPECT_EQ(in(0x3B5), 0xFF);  // mono block not decoded in colour mode
    out(0x3B4, 0x0E);            // ignored
    out(0x3C2, 0x66);            // mono addressing
    EXPECT_EQ(in(0x3B4), 0x0E);  // same index register, now at 0x3B4
    EXPECT_EQ(in(0x3B5), 0x12);
    EXPECT_EQ(in(0x3D5), 0xFF);
}

TEST_F(VgaPorts, WordWritesToIndexDataPairs) {
    outw(0x3C4, 0x0F02);  // SR02 = 0x0F
    out(0x3C4, 0x02);
    EXPECT_EQ(in(0x3C5), 0x0F);
    outw(0x3CE, 0xA508);
    EXPECT_EQ(vga.registers().gc[8], 0xA5);
    out(0x3C2, 0x67);
    outw(0x3D4, 0x340C);
    EXPECT_EQ(vga.registers().crtc[0x0C], 0x34);
    in(0x3DA);
    outw(0x3C0, 0x2A03);  // attribute index 3, data 0x2A
    EXPECT_EQ(vga.registers().attr[3], 0x2A);
}

TEST_F(VgaPorts, CrtcWriteProtectCoversCr0To7ExceptLineCompareBit) {
    out(0x3C2, 0x67);
    set_crtc(0x11, 0x00);
    set_crtc(0x00, 0x5F);
    set_crtc(0x07, 0x00);
    set_crtc(0x11, 0x80);  // protect
    set_crtc(0x00, 0x11);
    set_crtc(0x07, 0xFF);
    set_crtc(0x09, 0x4F);  // outside the protected range
    EXPECT_EQ(vga.registers().crtc[0x00], 0x5F);
    EXPECT_EQ(vga.registers().crtc[0x07], 0x10);
    EXPECT_EQ(vga.registers().crtc[0x09], 0x4F);
    set_crtc(0x11, 0x00);
    set_crtc(0x00, 0x11);
    EXPECT_EQ(vga.registers().crtc[0x00], 0x11);
}

TEST_F(VgaPorts, AttributeFlipFlopAndPaletteSource) {
    out(0x3C2, 0x67);
    in(0x3DA);
    out(0x3C0, 0x05);  // index 5, palette source 0: palette writable
    out(0x3C0, 0x3A);
    EXPECT_EQ(in(0x3C0), 0x05);
    out(0x3C0, 0x10);
    EXPECT_EQ(in(0x3C1), 0x00);  // read does not toggle the flip-flop
    out(0x3C0, 0x41);
    EXPECT_EQ(in(0x3C1), 0x41);
    out(0x3C0, 0x25);  // index 5 with palette source set
    out(0x3C0, 0x11);  // palette locked: ignored
    EXPECT_EQ(in(0x3C1), 0x3A);
    EXPECT_EQ(in(0x3C0), 0x25);
    // Half way through a pair, reading 0x3DA resets the flip-flop to index.
    out(0x3C0, 0x31);
    in(0x3DA);
    out(0x3C0, 0x13);
    out(0x3C0, 0x04);
    EXPECT_EQ(vga.registers().attr[0x13], 0x04);
    EXPECT_EQ(vga.registers().attr[0x11], 0x00);
}

TEST_F(VgaPorts, DacWriteAndReadCycles) {
    out(0x3C8, 0x10);
    EXPECT_EQ(in(0x3C7) & 3, 0);  // write mode
    const uint8_t data[] = {0x3F, 0x20, 0x01, 0x02, 0x03, 0xFF};
    for (uint8_t v : data) out(0x3C9, v);
    EXPECT_EQ(in(0x3C8), 0x12);  // auto-increment after each triple
    out(0x3C7, 0x10);
    EXPECT_EQ(in(0x3C7) & 3, 3);  // read mode
    EXPECT_EQ(in(0x3C9), 0x3F);
    EXPECT_EQ(in(0x3C9), 0x20);
    EXPECT_EQ(in(0x3C9), 0x01);
    EXPECT_EQ(in(0x3C9), 0x02);
    EXPECT_EQ(in(0x3C9), 0x03);
    EXPECT_EQ(in(0x3C9), 0x3F);  // 6-bit DAC keeps the low six bits
    // A new index restarts the cycle.
    out(0x3C7, 0x10);
    in(0x3C9);
    out(0x3C7, 0x11);
    EXPECT_EQ(in(0x3C9), 0x02);
    out(0x3C6, 0x0F);
    EXPECT_EQ(in(0x3C6), 0x0F);
}

TEST_F(VgaPorts, InputStatusOneFollowsVirtualTime) {
    out(0x3C2, 0x67);
    // Frame start: displaying.
    EXPECT_EQ(in(0x3DA) & 0x09, 0x00);
    uint64_t line_ns = Vga::kFrameNs / 449;
    sched.advance(line_ns * 700 / 800);  // 0.875 of the first line: horizontal blank
    EXPECT_EQ(in(0x3DA) & 0x09, 0x01);
    sched.advance(line_ns * 412 - line_ns * 700 / 800 + line_ns / 2);  // line 412: retrace
    EXPECT_EQ(in(0x3DA) & 0x09, 0x09);
    sched.advance(line_ns * 3);  // line 415: blanked, no retrace
    EXPECT_EQ(in(0x3DA) & 0x09, 0x01);
    // Count retrace periods over one virtual second: about 70.
    unsigned edges = 0;
    bool last = false;
    for (unsigned i = 0; i < 100'000; ++i) {
        sched.advance(10'000);
        bool retrace = in(0x3DA) & 0x08;
        edges += retrace && !last;
        last = retrace;
    }
    EXPECT_GE(edges, 69u);
    EXPECT_LE(edges, 71u);
}

TEST_F(VgaPorts, MonoInputStatusAndFeatureControl) {
    out(0x3C2, 0x66);
    out(0x3BA, 0x01);
    EXPECT_EQ(in(0x3CA), 0x01);
    EXPECT_EQ(in(0x3DA), 0xFF);
    in(0x3C0);
    out(0x3C0, 0x12);
    in(0x3BA);  // resets the flip-flop at the mono address
    out(0x3C0, 0x12);
    out(0x3C0, 0x0F);
    EXPECT_EQ(vga.registers().attr[0x12], 0x0F);
}

}  // namespace
}  // namespace sandpc
