#include "devices/pic_pair.h"

#include <gtest/gtest.h>

namespace sandpc {
namespace {

class PicTest : public ::testing::Test {
  protected:
    // The BIOS sequence: ICW1 edge+ICW4, vectors 0x08/0x70, cascade on IR2,
    // 8086 mode, then everything unmasked.
    void init_pc(uint8_t icw4 = 0x01) {
        bus.write8(0x20, 0x11);
        bus.write8(0x21, 0x08);
        bus.write8(0x21, 0x04);
        bus.write8(0x21, icw4);
        bus.write8(0xA0, 0x11);
        bus.write8(0xA1, 0x70);
        bus.write8(0xA1, 0x02);
        bus.write8(0xA1, icw4);
        bus.write8(0x21, 0x00);
        bus.write8(0xA1, 0x00);
    }
    uint8_t read_isr(uint16_t port) {
        bus.write8(port, 0x0B);
        uint8_t v = bus.read8(port);
        bus.write8(port, 0x0A);
        return v;
    }

    IoBus bus;
    PicPair pic{bus};
};

TEST_F(PicTest, EdgeTriggeredRequestDeliversVectorAndNeedsEoi) {
    init_pc();
    EXPECT_FALSE(pic.intr_pending());
    pic.set_irq_level(0, true);
    EXPECT_TRUE(pic.intr_pending());
    EXPECT_EQ(bus.read8(0x20), 0x01);  // IRR (default OCW3 read)
    EXPECT_EQ(pic.acknowledge(), 0x08);
    EXPECT_FALSE(pic.intr_pending());
    EXPECT_EQ(read_isr(0x20), 0x01);
    pic.set_irq_level(0, false);
    pic.set_irq_level(0, true);  // a new edge while IRQ0 is in service
    EXPECT_FALSE(pic.intr_pending());
    bus.write8(0x20, 0x20);  // non-specific EOI
    EXPECT_TRUE(pic.intr_pending());
    EXPECT_EQ(pic.acknowledge(), 0x08);
    bus.write8(0x20, 0x20);
    // Holding the line high does not request again in edge mode.
    EXPECT_FALSE(pic.intr_pending());
}

TEST_F(PicTest, FixedPriorityAndNesting) {
    init_pc();
    pic.set_irq_level(4, true);
    pic.set_irq_level(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x09);  // IRQ1 before IRQ4
    EXPECT_FALSE(pic.intr_pending());    // IRQ4 is lower than IRQ1 in service
    pic.set_irq_level(0, true);
    EXPECT_TRUE(pic.intr_pending());  // IRQ0 nests over IRQ1
    EXPECT_EQ(pic.acknowledge(), 0x08);
    EXPECT_EQ(read_isr(0x20), 0x03);
    bus.write8(0x20, 0x20);  // clears IRQ0 (highest in service)
    EXPECT_EQ(read_isr(0x20), 0x02);
    bus.write8(0x20, 0x61);  // specific EOI for IRQ1
    EXPECT_EQ(read_isr(0x20), 0x00);
    EXPECT_EQ(pic.acknowledge(), 0x0C);
}

TEST_F(PicTest, MaskRegisterBlocksRequestsButKeepsThemInIrr) {
    init_pc();
    bus.write8(0x21, 0xFB);  // only the cascade open
    EXPECT_EQ(bus.read8(0x21), 0xFB);
    pic.set_irq_level(3, true);
    EXPECT_FALSE(pic.intr_pending());
    EXPECT_EQ(bus.read8(0x20), 0x08);
    bus.write8(0x21, 0x00);
    EXPECT_EQ(pic.acknowledge(), 0x0B);
}

TEST_F(PicTest, CascadedSlaveRequestUsesSlaveVector) {
    init_pc();
    pic.set_irq_level(8, true);  // RTC
    EXPECT_TRUE(pic.intr_pending());
    EXPECT_EQ(pic.acknowledge(), 0x70);
    EXPECT_EQ(read_isr(0x20), 0x04);
    EXPECT_EQ(read_isr(0xA0), 0x01);
    pic.set_irq_level(14, true);  // lower priority, blocked by IRQ8 in service
    EXPECT_FALSE(pic.intr_pending());
    bus.write8(0xA0, 0x20);
    bus.write8(0x20, 0x20);
    EXPECT_EQ(pic.acknowledge(), 0x76);
    // IRQ2 requests arrive on IRQ9.
    bus.write8(0xA0, 0x20);
    bus.write8(0x20, 0x20);
    pic.set_irq_level(2, true);
    EXPECT_EQ(pic.acknowledge(), 0x71);
}

TEST_F(PicTest, LevelTriggeredViaElcrFollowsTheLine) {
    init_pc();
    bus.write8(0x4D1, 0xFF);
    EXPECT_EQ(bus.read8(0x4D1), 0xDE);  // IRQ8 and IRQ13 stay edge
    bus.write8(0x4D0, 0xFF);
    EXPECT_EQ(bus.read8(0x4D0), 0xF8);
    pic.set_irq_level(11, true);
    EXPECT_EQ(pic.acknowledge(), 0x73);
    bus.write8(0xA0, 0x20);
    bus.write8(0x20, 0x20);
    // Still high after EOI: requests again.
    EXPECT_TRUE(pic.intr_pending());
    pic.set_irq_level(11, false);
    EXPECT_EQ(bus.read8(0xA0), 0x00);  // slave IRR follows the line
    // The master's edge-latched IR2 remains: the CPU would get IRQ15 spurious.
    EXPECT_EQ(pic.acknowledge(), 0x77);
}

TEST_F(PicTest, LevelLineDroppedBeforeAcknowledgeGivesSpuriousIrq7) {
    init_pc();
    bus.write8(0x4D0, 0x20);  // IRQ5 level
    pic.set_irq_level(5, true);
    EXPECT_TRUE(pic.intr_pending());
    pic.set_irq_level(5, false);
    EXPECT_EQ(pic.acknowledge(), 0x0F);  // IRQ7 vector, not put in service
    EXPECT_EQ(read_isr(0x20), 0x00);
}

TEST_F(PicTest, SlaveRequestVanishingGivesIrq15WithMasterCascadeInService) {
    init_pc();
    bus.write8(0x4D1, 0x08);  // IRQ11 level
    pic.set_irq_level(11, true);
    EXPECT_TRUE(pic.intr_pending());
    pic.set_irq_level(11, false);  // gone before INTA; master IR2 stays latched
    EXPECT_TRUE(pic.intr_pending());
    EXPECT_EQ(pic.acknowledge(), 0x77);
    EXPECT_EQ(read_isr(0x20), 0x04);  // the handler must EOI the master
    EXPECT_EQ(read_isr(0xA0), 0x00);
}

TEST_F(PicTest, SlaveWithTwoRequestsInAutoEoiDeliversBoth) {
    init_pc(0x03);
    pic.set_irq_level(9, true);
    pic.set_irq_level(12, true);
    EXPECT_EQ(pic.acknowledge(), 0x71);
    EXPECT_TRUE(pic.intr_pending());
    EXPECT_EQ(pic.acknowledge(), 0x74);
    EXPECT_FALSE(pic.intr_pending());
}

TEST_F(PicTest, AutoEoiAndRotation) {
    init_pc(0x03);  // 8086 mode + AEOI
    pic.set_irq_level(3, true);
    EXPECT_EQ(pic.acknowledge(), 0x0B);
    EXPECT_EQ(read_isr(0x20), 0x00);

    init_pc();
    // Set priority: IRQ4 lowest, so IRQ5 is highest.
    bus.write8(0x20, 0xC4);
    pic.set_irq_level(1, true);
    pic.set_irq_level(6, true);
    EXPECT_EQ(pic.acknowledge(), 0x0E);
    // Rotate on non-specific EOI: IRQ6 becomes lowest, IRQ7 highest.
    bus.write8(0x20, 0xA0);
    pic.set_irq_level(7, true);
    EXPECT_EQ(pic.acknowledge(), 0x0F);
    bus.write8(0x20, 0xE7);  // rotate on specific EOI for 7: IRQ0 highest
    pic.set_irq_level(0, true);
    EXPECT_EQ(pic.acknowledge(), 0x08);
    bus.write8(0x20, 0x20);
    EXPECT_EQ(pic.acknowledge(), 0x09);
}

TEST_F(PicTest, SpecialMaskModeAllowsLowerPriorities) {
    init_pc();
    pic.set_irq_level(1, true);
    EXPECT_EQ(pic.acknowledge(), 0x09);
    pic.set_irq_level(5, true);
    EXPECT_FALSE(pic.intr_pending());
    bus.write8(0x21, 0x02);  // mask IRQ1 (in service)
    EXPECT_FALSE(pic.intr_pending());
    bus.write8(0x20, 0x68);  // OCW3: set special mask
    EXPECT_TRUE(pic.intr_pending());
    EXPECT_EQ(pic.acknowledge(), 0x0D);
    bus.write8(0x20, 0x48);  // reset special mask
    bus.write8(0x20, 0x65);
    pic.set_irq_level(6, true);
    EXPECT_FALSE(pic.intr_pending());  // IRQ1 in service blocks again
}

TEST_F(PicTest, PollCommandActsAsAcknowledge) {
    init_pc();
    pic.set_irq_level(6, true);
    pic.set_irq_level(3, true);
    bus.write8(0x20, 0x0C);
    EXPECT_EQ(bus.read8(0x20), 0x83);
    EXPECT_EQ(read_isr(0x20), 0x08);
    bus.write8(0x20, 0x0C);
    EXPECT_EQ(bus.read8(0x20), 0x00);  // IRQ6 blocked by IRQ3 in service
    bus.write8(0x20, 0x20);
    bus.write8(0x20, 0x0C);
    EXPECT_EQ(bus.read8(0x20), 0x86);
}

TEST_F(PicTest, Icw1ClearsMaskAndNeedsFreshEdge) {
    init_pc();
    bus.write8(0x21, 0xFF);
    pic.set_irq_level(4, true);
    init_pc();
    EXPECT_EQ(bus.read8(0x21), 0x00);
    EXPECT_FALSE(pic.intr_pending());  // the latched edge was reset
    pic.set_irq_level(4, false);
    pic.set_irq_level(4, true);
    EXPECT_EQ(pic.acknowledge(), 0x0C);
}

TEST_F(PicTest, SaveLoadRoundTrip) {
    init_pc();
    bus.write8(0x20, 0xC2);  // rotated priority
    bus.write8(0x4D1, 0x08);
    pic.set_irq_level(11, true);
    pic.set_irq_level(4, true);
    EXPECT_EQ(pic.acknowledge(), 0x0C);
    bus.write8(0xA1, 0x10);
    StateWriter w;
    pic.save(w);

    IoBus bus2;
    PicPair copy(bus2);
    StateReader r(w.data());
    copy.load(r);
    EXPECT_EQ(copy.intr_pending(), pic.intr_pending());
    EXPECT_EQ(bus2.read8(0xA1), 0x10);
    EXPECT_EQ(bus2.read8(0x4D1), 0x08);
    EXPECT_EQ(copy.acknowledge(), pic.acknowledge());
    bus2.write8(0x20, 0x0B);
    bus.write8(0x20, 0x0B);
    EXPECT_EQ(bus2.read8(0x20), bus.read8(0x20));

    std::vector<uint8_t> bad = w.data();
    bad.resize(bad.size() - 3);
    StateReader rb(bad);
    IoBus bus3;
    PicPair third(bus3);
    EXPECT_THROW(third.load(rb), StateError);
}

}  // namespace
}  // namespace sandpc
