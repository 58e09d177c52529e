#include "devices/dma/isa_dma.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "tests/dma/ram_physical_memory.h"

namespace sandpc {
namespace {

std::vector<uint8_t> pattern(size_t n, uint8_t seed = 1) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
    return v;
}

class IsaDmaTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // What a BIOS does at POST: master clears, then DMA2 channel 4 to
        // cascade mode and unmasked so DMA1 reaches the bus.
        bus.write8(0x0D, 0);
        bus.write8(0xDA, 0);
        bus.write8(0xD6, 0xC0);
        bus.write8(0xD4, 0x00);
    }
    // Programs an 8-bit channel the way a BIOS disk routine does.
    void program8(unsigned ch, uint8_t mode_bits, uint32_t addr, uint16_t count) {
        static constexpr uint16_t kPage[4] = {0x87, 0x83, 0x81, 0x82};
        bus.write8(0x0A, static_cast<uint8_t>(0x04 | ch));  // mask
        bus.write8(0x0C, 0);                                // clear flip-flop
        bus.write8(0x0B, static_cast<uint8_t>(mode_bits | ch));
        bus.write8(static_cast<uint16_t>(2 * ch), static_cast<uint8_t>(addr));
        bus.write8(static_cast<uint16_t>(2 * ch), static_cast<uint8_t>(addr >> 8));
        bus.write8(kPage[ch], static_cast<uint8_t>(addr >> 16));
        bus.write8(static_cast<uint16_t>(2 * ch + 1), static_cast<uint8_t>(count));
        bus.write8(static_cast<uint16_t>(2 * ch + 1), static_cast<uint8_t>(count >> 8));
        bus.write8(0x0A, static_cast<uint8_t>(ch));  // unmask
    }
    // 16-bit channel: word address and page as a BIOS computes them.
    void program16(unsigned ch, uint8_t mode_bits, uint32_t byte_addr, uint16_t words_minus_1) {
        static constexpr uint16_t kPage[4] = {0x8F, 0x8B, 0x89, 0x8A};
        unsigned local = ch - 4;
        uint16_t word_addr = static_cast<uint16_t>(byte_addr >> 1);
        auto reg = [](unsigned r) { return static_cast<uint16_t>(0xC0 + 2 * r); };
        bus.write8(0xD4, static_cast<uint8_t>(0x04 | local));
        bus.write8(0xD8, 0);
        bus.write8(0xD6, static_cast<uint8_t>(mode_bits | local));
        bus.write8(reg(2 * local), static_cast<uint8_t>(word_addr));
        bus.write8(reg(2 * local), static_cast<uint8_t>(word_addr >> 8));
        bus.write8(kPage[local], static_cast<uint8_t>(byte_addr >> 16));
        bus.write8(reg(2 * local + 1), static_cast<uint8_t>(words_minus_1));
        bus.write8(reg(2 * local + 1), static_cast<uint8_t>(words_minus_1 >> 8));
        bus.write8(0xD4, static_cast<uint8_t>(local));
    }

    IoBus bus;
    test::RamPhysicalMemory mem{0x80000};
    IsaDma dma{bus, mem};
};

constexpr uint8_t kSingleWrite = 0x44, kSingleRead = 0x48, kVerify = 0x40;
constexpr uint8_t kAutoinit = 0x10, kDecrement = 0x20;

TEST_F(IsaDmaTest, RegistersReadBackThroughFlipFlop) {
    program8(2, kSingleWrite, 0x012345, 0x01FF);
    bus.write8(0x0C, 0);
    EXPECT_EQ(bus.read8(0x04), 0x45);
    EXPECT_EQ(bus.read8(0x04), 0x23);
    EXPECT_EQ(bus.read8(0x05), 0xFF);
    EXPECT_EQ(bus.read8(0x05), 0x01);
    EXPECT_EQ(bus.read8(0x81), 0x01);
    EXPECT_EQ(dma.transfer_type(2), DmaTransferType::kWrite);
    EXPECT_EQ(dma.mode(2), DmaMode::kSingle);
    EXPECT_FALSE(dma.masked(2));
    EXPECT_TRUE(dma.channel_ready(2));
    // The flip-flop is shared: an odd number of accesses leaves it on the high byte.
    bus.write8(0x0C, 0);
    bus.read8(0x04);
    EXPECT_EQ(bus.read8(0x05), 0x01);
}

TEST_F(IsaDmaTest, WriteTransferIncrementsAndSetsTerminalCount) {
    program8(2, kSingleWrite, 0x012345, 511);
    auto data = pattern(512);
    EXPECT_EQ(dma.transfer_to_memory(2, data), 512u);
    EXPECT_TRUE(std::equal(data.begin(), data.end(), mem.ram.begin() + 0x12345));
    EXPECT_EQ(mem.ram[0x12344], 0);
    EXPECT_EQ(mem.ram[0x12345 + 512], 0);
    EXPECT_TRUE(dma.terminal_count(2));
    EXPECT_EQ(dma.current_count(2), 0xFFFF);
    EXPECT_EQ(dma.current_byte_address(2), 0x12545u);
    EXPECT_TRUE(dma.masked(2));  // no autoinit: masked at TC
    EXPECT_EQ(bus.read8(0x08) & 0x0F, 0x04);
    EXPECT_EQ(bus.read8(0x08) & 0x0F, 0x00);  // TC bits clear on read
    EXPECT_EQ(dma.transfer_to_memory(2, data), 0u);
}

TEST_F(IsaDmaTest, CountLimitsTransfer) {
    program8(1, kSingleWrite, 0x20000, 99);
    auto data = pattern(200);
    EXPECT_EQ(dma.transfer_to_memory(1, std::span(data).first(50)), 50u);
    EXPECT_FALSE(dma.terminal_count(1));
    EXPECT_EQ(bus.read8(0x08) & 0x0F, 0);
    EXPECT_EQ(dma.transfer_to_memory(1, std::span(data).subspan(50)), 50u);
    EXPECT_TRUE(dma.terminal_count(1));
    EXPECT_TRUE(std::equal(data.begin(), data.begin() + 100, mem.ram.begin() + 0x20000));
    EXPECT_EQ(mem.ram[0x20000 + 100], 0);
}

TEST_F(IsaDmaTest, DecrementModeWritesDownwards) {
    program8(3, kSingleWrite | kDecrement, 0x030010, 3);
    std::vector<uint8_t> data{1, 2, 3, 4};
    EXPECT_EQ(dma.transfer_to_memory(3, data), 4u);
    EXPECT_EQ(mem.ram[0x30010], 1);
    EXPECT_EQ(mem.ram[0x3000F], 2);
    EXPECT_EQ(mem.ram[0x3000E], 3);
    EXPECT_EQ(mem.ram[0x3000D], 4);
    EXPECT_EQ(dma.current_byte_address(3), 0x3000Cu);
}

TEST_F(IsaDmaTest, AutoinitReloadsAndStaysUnmasked) {
    program8(2, kSingleWrite | kAutoinit, 0x1000, 3);
    std::vector<uint8_t> a{1, 2, 3, 4}, b{5, 6, 7, 8, 9};
    EXPECT_EQ(dma.transfer_to_memory(2, a), 4u);
    EXPECT_TRUE(dma.terminal_count(2));
    EXPECT_FALSE(dma.masked(2));
    EXPECT_EQ(dma.current_count(2), 3);
    EXPECT_EQ(dma.current_byte_address(2), 0x1000u);
    EXPECT_EQ(dma.transfer_to_memory(2, b), 4u);  // stops at the second TC
    EXPECT_EQ(mem.ram[0x1000], 5);
    EXPECT_EQ(mem.ram[0x1003], 8);
    EXPECT_EQ(mem.ram[0x1004], 0);
}

TEST_F(IsaDmaTest, ByteChannelWrapsWithinPage) {
    program8(2, kSingleWrite, 0x04FFFE, 3);
    std::vector<uint8_t> data{0xA1, 0xA2, 0xA3, 0xA4};
    EXPECT_EQ(dma.transfer_to_memory(2, data), 4u);
    EXPECT_EQ(mem.ram[0x4FFFE], 0xA1);
    EXPECT_EQ(mem.ram[0x4FFFF], 0xA2);
    EXPECT_EQ(mem.ram[0x40000], 0xA3);  // the page register does not carry
    EXPECT_EQ(mem.ram[0x40001], 0xA4);
    EXPECT_EQ(mem.ram[0x50000], 0);
}

TEST_F(IsaDmaTest, ReadTransferFetchesMemory) {
    auto src = pattern(16, 9);
    std::copy(src.begin(), src.end(), mem.ram.begin() + 0x7000);
    program8(2, kSingleRead, 0x7000, 15);
    std::vector<uint8_t> out(16);
    EXPECT_EQ(dma.transfer_from_memory(2, out), 16u);
    EXPECT_EQ(out, src);
    EXPECT_TRUE(dma.terminal_count(2));
}

TEST_F(IsaDmaTest, VerifyAndWrongDirectionCountWithoutTouchingMemory) {
    program8(2, kVerify, 0x2000, 7);
    auto data = pattern(8);
    EXPECT_EQ(dma.transfer_to_memory(2, data), 8u);
    EXPECT_TRUE(dma.terminal_count(2));
    EXPECT_EQ(mem.ram[0x2000], 0);
    EXPECT_EQ(dma.current_byte_address(2), 0x2008u);

    mem.ram[0x3000] = 0x55;
    program8(2, kSingleWrite, 0x3000, 0);
    std::vector<uint8_t> out(1, 0);
    EXPECT_EQ(dma.transfer_from_memory(2, out), 1u);  // channel set up for the other way
    EXPECT_EQ(out[0], 0xFF);
    EXPECT_EQ(mem.ram[0x3000], 0x55);
}

TEST_F(IsaDmaTest, WordChannelAddressesWords) {
    // Byte address 0x32000: word address 0x9000, page 0x03 whose bit 0 is
    // ignored (it is A16, already carried by the shifted word address).
    program16(5, kSingleWrite, 0x032000, 3);
    EXPECT_EQ(dma.current_byte_address(5), 0x32000u);
    bus.write8(0x8B, 0x02);
    EXPECT_EQ(dma.current_byte_address(5), 0x32000u);
    auto data = pattern(9);
    EXPECT_EQ(dma.transfer_to_memory(5, data), 8u);  // 4 words, the odd byte is left
    EXPECT_TRUE(std::equal(data.begin(), data.begin() + 8, mem.ram.begin() + 0x32000));
    EXPECT_EQ(mem.ram[0x32008], 0);
    EXPECT_EQ(mem.ram[0x12000], 0);
    EXPECT_EQ(bus.read8(0xD0) & 0x0F, 0x02);  // TC of channel 5 in DMA2's status
    // The address register counts words.
    bus.write8(0xD8, 0);
    EXPECT_EQ(bus.read8(0xC4), 0x04);
    EXPECT_EQ(bus.read8(0xC4), 0x90);
}

TEST_F(IsaDmaTest, WordChannelWrapsWithin128KiB) {
    program16(6, kSingleWrite, 0x03FFFE, 1);
    std::vector<uint8_t> data{1, 2, 3, 4};
    EXPECT_EQ(dma.transfer_to_memory(6, data), 4u);
    EXPECT_EQ(mem.ram[0x3FFFE], 1);
    EXPECT_EQ(mem.ram[0x3FFFF], 2);
    EXPECT_EQ(mem.ram[0x20000], 3);
    EXPECT_EQ(mem.ram[0x20001], 4);
    EXPECT_EQ(mem.ram[0x40000], 0);
}

TEST_F(IsaDmaTest, Dma1NeedsCascadeChannel) {
    program8(2, kSingleWrite, 0x1000, 0);
    bus.write8(0xD4, 0x04);  // mask channel 4
    EXPECT_FALSE(dma.channel_ready(2));
    std::vector<uint8_t> data{1};
    EXPECT_EQ(dma.transfer_to_memory(2, data), 0u);
    bus.write8(0xD4, 0x00);
    bus.write8(0x08, 0x04);  // DMA1 controller disable
    EXPECT_FALSE(dma.channel_ready(2));
    bus.write8(0x08, 0x00);
    EXPECT_EQ(dma.transfer_to_memory(2, data), 1u);
    EXPECT_FALSE(dma.channel_ready(4));  // cascade channel moves no data
}

TEST_F(IsaDmaTest, MaskRegisters) {
    bus.write8(0x0F, 0x0F);
    EXPECT_EQ(bus.read8(0x0F) & 0x0F, 0x0F);
    bus.write8(0x0E, 0);
    EXPECT_EQ(bus.read8(0x0F) & 0x0F, 0x00);
    bus.write8(0x0A, 0x05);
    EXPECT_TRUE(dma.masked(1));
    EXPECT_FALSE(dma.masked(0));
    bus.write8(0x0D, 0);  // master clear sets all masks
    EXPECT_EQ(bus.read8(0x0F) & 0x0F, 0x0F);
    EXPECT_EQ(bus.read8(0x0D), 0);  // temporary register cleared
}

TEST_F(IsaDmaTest, StatusShowsRequests) {
    bus.write8(0x09, 0x06);  // software request on channel 2
    dma.set_request_line(0, true);
    EXPECT_EQ(bus.read8(0x08), 0x50);
    bus.write8(0x09, 0x02);
    dma.set_request_line(0, false);
    EXPECT_EQ(bus.read8(0x08), 0x00);
}

TEST_F(IsaDmaTest, PagePortsAndPostPort) {
    EXPECT_FALSE(bus.is_mapped(0x80));
    bus.write8(0x84, 0x5A);  // scratch
    EXPECT_EQ(bus.read8(0x84), 0x5A);
    bus.write8(0x87, 0x12);
    program8(0, kSingleWrite, 0x120000 | 0x34, 0);
    EXPECT_EQ(dma.current_byte_address(0), 0x120034u);
    EXPECT_FALSE(bus.is_mapped(0xC1));
}

TEST_F(IsaDmaTest, SaveLoadRoundTrip) {
    program8(2, kSingleWrite | kAutoinit, 0x045678, 0x1234);
    program16(7, kSingleRead | kDecrement, 0x061000, 0x10);
    bus.write8(0x0C, 0);
    bus.read8(0x04);  // leave the flip-flop set
    std::vector<uint8_t> two{1, 2};
    dma.transfer_to_memory(2, two);
    StateWriter w;
    dma.save(w);

    IoBus bus2;
    test::RamPhysicalMemory mem2{0x80000};
    IsaDma copy{bus2, mem2};
    StateReader r(w.data());
    copy.load(r);
    for (unsigned ch = 0; ch < IsaDma::kChannels; ++ch) {
        EXPECT_EQ(copy.current_byte_address(ch), dma.current_byte_address(ch)) << ch;
        EXPECT_EQ(copy.current_count(ch), dma.current_count(ch)) << ch;
        EXPECT_EQ(copy.masked(ch), dma.masked(ch)) << ch;
        EXPECT_EQ(copy.mode(ch), dma.mode(ch)) << ch;
    }
    StateWriter again;
    copy.save(again);
    EXPECT_EQ(again.data(), w.data());
    EXPECT_EQ(bus2.read8(0x04), bus.read8(0x04));  // flip-flop state carried
}

TEST_F(IsaDmaTest, LoadRefusesBadState) {
    StateWriter w;
    w.begin_section("dma", 1);
    for (unsigned i = 0; i < IsaDma::kChannels; ++i) {
        for (int k = 0; k < 4; ++k) w.u16(0);
        w.u8(0);
        w.boolean(false);
        w.boolean(false);
    }
    for (int c = 0; c < 2; ++c) {
        for (uint8_t v : {0, 0, 0, 0x1F, 0}) w.u8(v);  // mask with bit 4 set
        w.boolean(false);
    }
    std::array<uint8_t, 16> pages{};
    w.bytes(pages);
    w.end_section();
    StateReader r(w.data());
    EXPECT_THROW(dma.load(r), StateError);
    EXPECT_FALSE(dma.masked(4));  // state untouched by the refused load

    StateWriter other;
    other.begin_section("floppy", 1);
    other.end_section();
    StateReader r2(other.data());
    EXPECT_THROW(dma.load(r2), StateError);
}

}  // namespace
}  // namespace sandpc
