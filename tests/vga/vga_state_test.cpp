#include "vga_test_util.h"

namespace sandpc {
namespace {

class VgaState : public test::VgaFixture {
  protected:
    std::vector<uint8_t> saved() {
        StateWriter w;
        vga.save(w);
        return w.take();
    }
};

TEST_F(VgaState, RoundTripRestoresRegistersMemoryAndPicture) {
    set_mode(0x03);
    poke(0xB8000, 'S');
    poke(0xB8001, 0x4F);
    set_crtc(0x0F, 0x22);
    out(0x3C8, 9);
    out(0x3C9, 0x11);  // a DAC cycle left half-way
    in(0x3DA);
    out(0x3C0, 0x31);  // attribute flip-flop left at "data"
    outw(0x1CE, VbeDispi::kBank);
    std::vector<uint8_t> data = saved();
    std::string screen = vga.text_screen();
    RgbImage picture = vga.render();

    Scheduler s2{1'000'000'000};
    IoBus io2;
    MmioBus mmio2;
    Vga other(io2, mmio2, s2);
    StateReader r(data);
    other.load(r);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(other.text_screen(), screen);
    EXPECT_EQ(other.render().pixels, picture.pixels);
    EXPECT_EQ(other.cursor().column, 0x22u);
    EXPECT_EQ(io2.read16(0x1CE), VbeDispi::kBank);
    // The half-done DAC cycle and the flip-flop continue where they were.
    io2.write8(0x3C9, 0x22);
    io2.write8(0x3C9, 0x33);
    EXPECT_EQ(other.dac().entry(9)[1], 0x22);
    io2.write8(0x3C0, 0x07);
    EXPECT_EQ(other.registers().attr[0x11], 0x07);
    // Saving the loaded copy gives the same bytes.
    StateWriter w;
    vga.save(w);
    EXPECT_EQ(w.data(), data);
}

TEST_F(VgaState, VbeStateRoundTrips) {
    outw(0x1CE, VbeDispi::kXres);
    outw(0x1CF, 800);
    outw(0x1CE, VbeDispi::kYres);
    outw(0x1CF, 600);
    outw(0x1CE, VbeDispi::kBpp);
    outw(0x1CF, 16);
    outw(0x1CE, VbeDispi::kEnable);
    outw(0x1CF, VbeDispi::kEnabled | VbeDispi::kLfbEnabled);
    vga.linear_framebuffer()[1234] = 0xAB;
    std::vector<uint8_t> data = saved();
    Scheduler s2;
    IoBus io2;
    MmioBus mmio2;
    Vga other(io2, mmio2, s2);
    StateReader r(data);
    other.load(r);
    EXPECT_TRUE(other.vbe().enabled());
    EXPECT_EQ(other.vbe().xres(), 800u);
    EXPECT_EQ(other.vbe().bpp(), 16u);
    EXPECT_EQ(other.linear_framebuffer()[1234], 0xAB);
}

// Rewrites one payload byte of the single "vga" section and fixes its CRC, so
// only the device's own validation can refuse it.
std::vector<uint8_t> patched(std::vector<uint8_t> data, size_t payload_offset, uint8_t value) {
    size_t header = 4 + 3 + 4 + 8;
    data[header + payload_offset] = value;
    uint64_t len = 0;
    for (int i = 0; i < 8; ++i) len |= uint64_t{data[4 + 3 + 4 + i]} << (8 * i);
    uint32_t crc = crc32_of(std::span(data).subspan(header, len));
    for (int i = 0; i < 4; ++i) data[header + len + i] = static_cast<uint8_t>(crc >> (8 * i));
    return data;
}

TEST_F(VgaState, BadDataIsRefusedAndLeavesTheChipUnchanged) {
    set_mode(0x03);
    poke(0xB8000, 'K');
    std::vector<uint8_t> good = saved();
    // Payload layout: u32 vram size, memory-included flag, misc, feature,
    // subsystem, seq index (offset 8).
    const struct {
        size_t offset;
        uint8_t value;
        const char* what;
    } cases[] = {
        {0, 0x01, "vram size"},
        {4, 0x02, "memory-included boolean"},
        {7, 0x02, "subsystem enable"},
        {8, 0x09, "sequencer index"},
        {4 + 1 + 4 + 5 + 1 + 25 + 1 + 9 + 1, 0x02, "flip-flop boolean"},
    };
    for (const auto& c : cases) {
        auto bad = patched(good, c.offset, c.value);
        Scheduler s2;
        IoBus io2;
        MmioBus mmio2;
        Vga other(io2, mmio2, s2);
        StateReader r(bad);
        EXPECT_THROW(other.load(r), StateError) << c.what;
        EXPECT_EQ(other.text_screen(), "") << c.what;  // still the power-on state
    }
    // Truncated and corrupted streams.
    std::vector<uint8_t> cut(good.begin(), good.begin() + good.size() / 2);
    StateReader r1(cut);
    EXPECT_THROW(vga.load(r1), StateError);
    auto flipped = good;
    flipped[100] ^= 0x40;
    StateReader r2(flipped);
    EXPECT_THROW(vga.load(r2), StateError);
    EXPECT_EQ(vga.text_screen().substr(0, 1), "K");
}

TEST_F(VgaState, HalfProgrammedVbeWhileDisabledStillLoads) {
    outw(0x1CE, VbeDispi::kXres);
    outw(0x1CF, 1024);  // virtual width still 640 until the display is enabled
    std::vector<uint8_t> data = saved();
    Scheduler s2;
    IoBus io2;
    MmioBus mmio2;
    Vga other(io2, mmio2, s2);
    StateReader r(data);
    other.load(r);
    EXPECT_EQ(other.vbe().xres(), 1024u);
}

TEST_F(VgaState, BadVbeValuesAreRefused) {
    std::vector<uint8_t> good = saved();
    // The VBE block follows the registers and the DAC; find its ID (0xB0C5).
    size_t dac_start = 4 + 1 + 4 + 5 + 1 + 25 + 1 + 9 + 1 + 1 + 21 + 4;
    size_t dac_end = dac_start + 768 + 1 + 1 + 1 + 3 + 1 + 1;
    size_t id_at = dac_end + 2;
    size_t header = 4 + 3 + 4 + 8;
    ASSERT_EQ(good[header + id_at], 0xC5);
    ASSERT_EQ(good[header + id_at + 1], 0xB0);
    const struct {
        size_t offset;
        uint8_t value;
    } cases[] = {
        {id_at, 0xC9},              // ID 0xB0C9
        {id_at + 2 * 3, 12},        // BPP 12
        {id_at + 2 * 4, 0x08},      // unknown ENABLE bit
        {id_at + 2 * 5 + 1, 0x10},  // BANK 4096: past 16 MiB
    };
    for (const auto& c : cases) {
        auto bad = patched(good, c.offset, c.value);
        StateReader r(bad);
        EXPECT_THROW(vga.load(r), StateError) << c.offset - id_at;
    }
}

TEST_F(VgaState, EnabledVbeGeometryIsChecked) {
    const uint16_t setup[][2] = {{VbeDispi::kXres, 640},
                                 {VbeDispi::kYres, 480},
                                 {VbeDispi::kBpp, 8},
                                 {VbeDispi::kEnable, VbeDispi::kEnabled}};
    for (const auto& s : setup) {
        outw(0x1CE, s[0]);
        outw(0x1CF, s[1]);
    }
    std::vector<uint8_t> good = saved();
    size_t id_at = 4 + 1 + 4 + 5 + 1 + 25 + 1 + 9 + 1 + 1 + 21 + 4 + 768 + 8 + 2;
    size_t virt_width_high = id_at + 2 * VbeDispi::kVirtWidth + 1;
    size_t header = 4 + 3 + 4 + 8;
    ASSERT_EQ(good[header + virt_width_high], 0x02);  // 640 = 0x0280
    auto bad = patched(good, virt_width_high, 0x01);  // 384: narrower than the mode
    StateReader r(bad);
    EXPECT_THROW(vga.load(r), StateError);
    StateReader ok(good);
    vga.load(ok);
    EXPECT_TRUE(vga.vbe().enabled());
}

}  // namespace
}  // namespace sandpc
