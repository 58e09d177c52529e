// Write and read modes against the behaviour documented for the IBM VGA
// graphics controller (set/reset, rotate, function, bit mask, latches).
#include "vga_test_util.h"

namespace sandpc {
namespace {

class VgaMemory : public test::VgaFixture {
  protected:
    void SetUp() override { set_mode(0x12); }
    // Planes at offset through read mode 0 and read map select.
    uint8_t plane(unsigned p, uint32_t offset) {
        set_gc(5, 0x00);
        set_gc(4, static_cast<uint8_t>(p));
        return peek(0xA0000 + offset);
    }
    void fill_planes(uint32_t offset, uint8_t p0, uint8_t p1, uint8_t p2, uint8_t p3) {
        set_gc(5, 0x00);
        set_gc(1, 0x00);
        set_gc(3, 0x00);
        set_gc(8, 0xFF);
        const uint8_t v[4] = {p0, p1, p2, p3};
        for (unsigned p = 0; p < 4; ++p) {
            set_seq(2, static_cast<uint8_t>(1u << p));
            poke(0xA0000 + offset, v[p]);
        }
        set_seq(2, 0x0F);
    }
};

TEST_F(VgaMemory, WriteMode0PlainDataGoesToEnabledPlanes) {
    set_seq(2, 0x05);  // planes 0 and 2
    poke(0xA0010, 0xC3);
    EXPECT_EQ(plane(0, 0x10), 0xC3);
    EXPECT_EQ(plane(1, 0x10), 0x00);
    EXPECT_EQ(plane(2, 0x10), 0xC3);
    EXPECT_EQ(plane(3, 0x10), 0x00);
}

TEST_F(VgaMemory, WriteMode0SetResetRotateFunctionAndBitMask) {
    fill_planes(0x20, 0xF0, 0xF0, 0xF0, 0xF0);
    peek(0xA0020);        // load latches
    set_gc(0, 0x05);      // set/reset: planes 0, 2 = 1
    set_gc(1, 0x03);      // enabled for planes 0, 1
    set_gc(3, 0x01);      // rotate right 1, function none
    set_gc(8, 0x3C);      // bit mask
    poke(0xA0020, 0x81);  // rotated: 0xC0
    // plane 0: set/reset 1 -> 0xFF; plane 1: set/reset 0 -> 0x00;
    // planes 2, 3: rotated data 0xC0. Masked bits come from the latch 0xF0.
    EXPECT_EQ(plane(0, 0x20), 0xFC);  // (0xFF & 0x3C) | (0xF0 & 0xC3)
    EXPECT_EQ(plane(1, 0x20), 0xC0);  // (0x00 & 0x3C) | 0xC0
    EXPECT_EQ(plane(2, 0x20), 0xC0);  // (0xC0 & 0x3C) | 0xC0
    EXPECT_EQ(plane(3, 0x20), 0xC0);
}

TEST_F(VgaMemory, WriteMode0LogicalFunctionsUseLatches) {
    const struct {
        uint8_t function;
        uint8_t expect;
    } cases[] = {{0x08, 0xA0 & 0x3C}, {0x10, 0xA0 | 0x3C}, {0x18, 0xA0 ^ 0x3C}};
    for (const auto& c : cases) {
        fill_planes(0x30, 0xA0, 0xA0, 0xA0, 0xA0);
        peek(0xA0030);
        set_gc(3, c.function);
        poke(0xA0030, 0x3C);
        set_gc(3, 0x00);
        for (unsigned p = 0; p < 4; ++p) EXPECT_EQ(plane(p, 0x30), c.expect) << int(c.function);
    }
}

TEST_F(VgaMemory, WriteMode1CopiesLatches) {
    fill_planes(0x40, 0x11, 0x22, 0x33, 0x44);
    set_gc(8, 0x00);  // write mode 1 ignores the bit mask
    set_gc(5, 0x01);
    peek(0xA0040);
    poke(0xA0050, 0x99);  // CPU data ignored
    for (unsigned p = 0; p < 4; ++p)
        EXPECT_EQ(plane(p, 0x50), static_cast<uint8_t>(0x11 * (p + 1)));
}

TEST_F(VgaMemory, WriteMode2ExpandsColourBits) {
    fill_planes(0x60, 0x00, 0xFF, 0x00, 0xFF);
    peek(0xA0060);
    set_gc(5, 0x02);
    set_gc(8, 0x18);
    poke(0xA0060, 0x06);  // colour 6: planes 1, 2 set
    EXPECT_EQ(plane(0, 0x60), 0x00);
    EXPECT_EQ(plane(1, 0x60), 0xFF);
    EXPECT_EQ(plane(2, 0x60), 0x18);
    EXPECT_EQ(plane(3, 0x60), 0xE7);
}

TEST_F(VgaMemory, WriteMode3MasksWithRotatedData) {
    fill_planes(0x70, 0x0F, 0x0F, 0x0F, 0x0F);
    peek(0xA0070);
    set_gc(5, 0x03);
    set_gc(0, 0x09);  // colour 9: planes 0, 3
    set_gc(1, 0x00);  // enable set/reset is ignored in mode 3
    set_gc(8, 0xF0);
    set_gc(3, 0x02);      // rotate right 2
    poke(0xA0070, 0xF0);  // rotated 0x3C, mask 0x3C & 0xF0 = 0x30
    EXPECT_EQ(plane(0, 0x70), 0x3F);
    EXPECT_EQ(plane(1, 0x70), 0x0F);
    EXPECT_EQ(plane(2, 0x70), 0x0F);
    EXPECT_EQ(plane(3, 0x70), 0x3F);
}

TEST_F(VgaMemory, ReadMode1ComparesColours) {
    fill_planes(0x80, 0b11001100, 0b10101010, 0b11110000, 0b00000000);
    set_gc(5, 0x08);
    set_gc(2, 0x05);  // colour 5: planes 0, 2 set, 1, 3 clear
    set_gc(7, 0x0F);
    // Bits where p0=1, p1=0, p2=1, p3=0: p0&~p1&p2 = 0b01000100 & 0b11110000
    EXPECT_EQ(peek(0xA0080), 0b01000000);
    set_gc(7, 0x05);  // only planes 0 and 2 matter
    EXPECT_EQ(peek(0xA0080), 0b11000000);
    set_gc(7, 0x00);  // nothing matters: all ones
    EXPECT_EQ(peek(0xA0080), 0xFF);
}

TEST_F(VgaMemory, WindowFollowsMemoryMapSelect) {
    poke(0xA0000, 0x5A);
    EXPECT_EQ(peek(0xB8000), 0xFF);  // map 1: 0xA0000-0xAFFFF only
    set_gc(6, 0x0D);                 // map 3: 0xB8000-0xBFFFF
    EXPECT_EQ(peek(0xA0000), 0xFF);
    set_gc(4, 0);
    EXPECT_EQ(peek(0xB8000), 0x5A);
    set_gc(6, 0x09);  // map 2: 0xB0000-0xB7FFF
    EXPECT_EQ(peek(0xB0000), 0x5A);
    EXPECT_EQ(peek(0xB8000), 0xFF);
    out(0x3C2, 0xE1);  // RAM access off
    EXPECT_EQ(peek(0xA0000), 0xFF);
}

TEST_F(VgaMemory, Chain4SelectsPlaneByLowAddressBits) {
    set_mode(0x13);
    for (unsigned i = 0; i < 8; ++i) poke(0xA0000 + i, static_cast<uint8_t>(0x10 + i));
    EXPECT_EQ(peek(0xA0005), 0x15);
    // Unchain and look at the planes: byte n lives in plane n & 3 at offset n & ~3.
    set_seq(4, 0x06);
    set_gc(5, 0x00);
    set_gc(4, 1);
    EXPECT_EQ(peek(0xA0004), 0x15);
    EXPECT_EQ(peek(0xA0000), 0x11);
    EXPECT_EQ(peek(0xA0001), 0x00);
    set_gc(4, 3);
    EXPECT_EQ(peek(0xA0004), 0x17);
    // Map mask still applies in chain-4.
    set_seq(4, 0x0E);
    set_seq(2, 0x0E);
    poke(0xA0008, 0x77);  // plane 0: masked off
    poke(0xA0009, 0x78);
    EXPECT_EQ(peek(0xA0008), 0x00);
    EXPECT_EQ(peek(0xA0009), 0x78);
}

TEST_F(VgaMemory, OddEvenSplitsCharactersAndAttributes) {
    set_mode(0x03);
    poke(0xB8000, 'A');
    poke(0xB8001, 0x1E);
    poke(0xB8002, 'B');
    EXPECT_EQ(peek(0xB8001), 0x1E);
    set_seq(4, 0x06);
    set_gc(5, 0x00);
    set_gc(6, 0x04);
    set_gc(4, 0);
    EXPECT_EQ(peek(0xA0000), 'A');
    EXPECT_EQ(peek(0xA0002), 'B');
    set_gc(4, 1);
    EXPECT_EQ(peek(0xA0000), 0x1E);
    EXPECT_EQ(peek(0xA0001), 0x00);
}

TEST_F(VgaMemory, WideAccessesSplitIntoBytes) {
    set_mode(0x13);
    mmio.write(0xA0100, 4, 0x44332211);
    EXPECT_EQ(peek(0xA0102), 0x33);
    EXPECT_EQ(mmio.read(0xA0100, 2), 0x2211u);
}

}  // namespace
}  // namespace sandpc
