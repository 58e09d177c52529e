#include <gtest/gtest.h>

#include <tuple>
#include <vector>

#include "devices/pci/i440fx.h"
#include "devices/pci/pci_bus.h"
#include "devices/pci/pci_irq_routing.h"
#include "devices/pci/piix3.h"

namespace sandpc {
namespace {

struct PamChange {
    uint32_t base;
    uint32_t size;
    PamAccess access;
};

// The chipset of a PIIX3 PC, driven through mechanism #1 as a BIOS does.
struct Chipset {
    Chipset() {
        pci.attach(0, 0, host);
        pci.attach(1, 0, isa);
        pci.attach(1, 1, ide);
        ide.set_change_callback([this] { ++ide_changes; });
    }
    static uint32_t address(unsigned dev, unsigned fn, unsigned reg, unsigned bus = 0) {
        return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xFC);
    }
    uint32_t read32(unsigned dev, unsigned fn, unsigned reg) {
        io.write32(0xCF8, address(dev, fn, reg));
        return io.read32(0xCFC);
    }
    uint8_t read8(unsigned dev, unsigned fn, unsigned reg) {
        io.write32(0xCF8, address(dev, fn, reg));
        return io.read8(static_cast<uint16_t>(0xCFC + (reg & 3)));
    }
    uint16_t read16(unsigned dev, unsigned fn, unsigned reg) {
        io.write32(0xCF8, address(dev, fn, reg));
        return io.read16(static_cast<uint16_t>(0xCFC + (reg & 3)));
    }
    void write32(unsigned dev, unsigned fn, unsigned reg, uint32_t v) {
        io.write32(0xCF8, address(dev, fn, reg));
        io.write32(0xCFC, v);
    }
    void write8(unsigned dev, unsigned fn, unsigned reg, uint8_t v) {
        io.write32(0xCF8, address(dev, fn, reg));
        io.write8(static_cast<uint16_t>(0xCFC + (reg & 3)), v);
    }
    void write16(unsigned dev, unsigned fn, unsigned reg, uint16_t v) {
        io.write32(0xCF8, address(dev, fn, reg));
        io.write16(static_cast<uint16_t>(0xCFC + (reg & 3)), v);
    }

    IoBus io;
    PciBus pci{io};
    std::vector<PamChange> pam_changes;
    I440fx host{[this](uint32_t base, uint32_t size, PamAccess a) {
        pam_changes.push_back({base, size, a});
    }};
    Piix3Isa isa;
    Piix3Ide ide;
    int ide_changes = 0;
};

TEST(PciBus, ScanFindsExactlyTheChipsetFunctions) {
    Chipset c;
    std::vector<std::tuple<unsigned, unsigned, uint32_t, uint32_t>> found;
    for (unsigned dev = 0; dev < 32; ++dev) {
        for (unsigned fn = 0; fn < 8; ++fn) {
            uint32_t id = c.read32(dev, fn, 0x00);
            if ((id & 0xFFFF) == 0xFFFF) {
                if (fn == 0) break;
                continue;
            }
            found.emplace_back(dev, fn, id, c.read32(dev, fn, 0x08));
            // Only a multi-function header makes the scan look past function 0.
            if (fn == 0 && !(c.read8(dev, fn, 0x0E) & 0x80)) break;
        }
    }
    using T = std::tuple<unsigned, unsigned, uint32_t, uint32_t>;
    EXPECT_EQ(found,
              (std::vector<T>{T{0, 0, 0x12378086, 0x06000002}, T{1, 0, 0x70008086, 0x06010000},
                              T{1, 1, 0x70108086, 0x01018000}}));
    EXPECT_EQ(c.read8(0, 0, 0x0E), 0x00);
    EXPECT_EQ(c.read8(1, 0, 0x0E), 0x80);
    EXPECT_EQ(c.read32(0, 0, 0x00), 0x12378086u);
    EXPECT_EQ(c.read32(5, 0, 0x00), 0xFFFFFFFFu);
}

TEST(PciBus, AddressRegisterAndDisabledAccess) {
    Chipset c;
    c.io.write32(0xCF8, 0xFFFFFFFF);
    EXPECT_EQ(c.io.read32(0xCF8), 0x80FFFFFCu);  // reserved bits read 0
    EXPECT_EQ(c.io.read8(0xCF8), 0xFF);          // not decoded as bytes
    c.io.write8(0xCF8, 0x00);
    EXPECT_EQ(c.pci.address(), 0x80FFFFFCu);
    c.io.write32(0xCF8, 0x00000000);  // enable bit clear: master abort
    EXPECT_EQ(c.io.read32(0xCFC), 0xFFFFFFFFu);
    c.io.write32(0xCF8, Chipset::address(0, 0, 0, 1));  // bus 1 does not exist
    EXPECT_EQ(c.io.read32(0xCFC), 0xFFFFFFFFu);
    c.io.write32(0xCF8, Chipset::address(0, 0, 0x0C) & ~0x80000000u);
    c.io.write8(0xCFD, 0x40);  // ignored
    EXPECT_EQ(c.read8(0, 0, 0x0D), 0x00);
}

TEST(PciBus, ByteAndWordAccessAtOddOffsets) {
    Chipset c;
    EXPECT_EQ(c.read8(0, 0, 0x01), 0x80);
    EXPECT_EQ(c.read8(0, 0, 0x02), 0x37);
    EXPECT_EQ(c.read8(0, 0, 0x03), 0x12);
    EXPECT_EQ(c.read16(0, 0, 0x02), 0x1237);
    EXPECT_EQ(c.read8(0, 0, 0x0B), 0x06);
    EXPECT_EQ(c.read16(0, 0, 0x0A), 0x0600);
    // A word at 0xCFD spans the dword's bytes 1-2.
    c.write8(0, 0, 0x0D, 0x20);  // latency timer
    c.io.write32(0xCF8, Chipset::address(0, 0, 0x0C));
    EXPECT_EQ(c.io.read16(0xCFD), 0x0020);
    c.io.write16(0xCFD, 0x0040);
    EXPECT_EQ(c.read8(0, 0, 0x0D), 0x40);
    EXPECT_EQ(c.read8(0, 0, 0x0E), 0x00);  // header type is read only
    // A byte write to PAM2 (0x5B) lands in byte 3 of the dword at 0x58.
    c.write8(0, 0, 0x5B, 0x31);
    EXPECT_EQ(c.read32(0, 0, 0x58), 0x31000010u);  // DRAMT keeps its reset value
}

TEST(PciBus, IdsAndClassAreReadOnly) {
    Chipset c;
    c.write32(1, 1, 0x00, 0x00000000);
    c.write32(1, 1, 0x08, 0xFFFFFFFF);
    EXPECT_EQ(c.read32(1, 1, 0x00), 0x70108086u);
    EXPECT_EQ(c.read32(1, 1, 0x08), 0x01018000u);
    c.write16(1, 1, 0x06, 0xFFFF);
    EXPECT_EQ(c.read16(1, 1, 0x06), 0x0280);  // writing ones cannot set status bits
}

TEST(PciBus, IoBarSizingAndChangeCallback) {
    Chipset c;
    EXPECT_EQ(c.read32(1, 1, 0x20), 0x00000001u);
    c.write32(1, 1, 0x20, 0xFFFFFFFF);
    uint32_t sized = c.read32(1, 1, 0x20);
    EXPECT_EQ(sized, 0xFFFFFFF1u);
    EXPECT_EQ(~(sized & ~0x3u) + 1, 16u);
    EXPECT_EQ(c.read32(1, 1, 0x10), 0u);  // BAR0-3 unimplemented
    c.write32(1, 1, 0x10, 0xFFFFFFFF);
    EXPECT_EQ(c.read32(1, 1, 0x10), 0u);
    int before = c.ide_changes;
    c.write32(1, 1, 0x20, 0xC001);
    EXPECT_GT(c.ide_changes, before);
    EXPECT_EQ(c.ide.bar_address(4), 0xC000u);
    EXPECT_FALSE(c.ide.bus_master_base());  // I/O decoding still off
    before = c.ide_changes;
    c.write16(1, 1, 0x04, 0x0005);
    EXPECT_EQ(c.ide_changes, before + 1);
    EXPECT_EQ(c.ide.bus_master_base(), 0xC000);
    EXPECT_EQ(c.read16(1, 1, 0x04), 0x0005);
    c.write16(1, 1, 0x04, 0xFFFF);  // only I/O and bus master exist
    EXPECT_EQ(c.read16(1, 1, 0x04), 0x0005);
    before = c.ide_changes;
    c.write16(1, 1, 0x40, 0x8000);  // IDETIM: no mapping change
    EXPECT_EQ(c.ide_changes, before);
    EXPECT_EQ(c.read32(1, 1, 0x40), 0x00008000u);
}

class MemoryBarFunction : public PciFunction {
  public:
    MemoryBarFunction() : PciFunction(0x1234, 0x1111, 0x01, 0x030000) {
        define_bar(0, 16 << 20, PciBarType::kMemory32Prefetchable);
        define_bar(2, 4096, PciBarType::kMemory32);
        set_interrupt_pin(1);
    }
    // What the chip does when it sees a master abort and signals SERR#.
    void record_errors() { set_config16(kStatus, config16(kStatus) | 0x6000); }
};

TEST(PciBus, MemoryBarSizing) {
    Chipset c;
    MemoryBarFunction vga;
    c.pci.attach(2, 0, vga);
    EXPECT_THROW(c.pci.attach(2, 0, vga), std::invalid_argument);
    EXPECT_THROW(c.pci.attach(32, 0, vga), std::invalid_argument);
    c.write32(2, 0, 0x10, 0xFFFFFFFF);
    EXPECT_EQ(c.read32(2, 0, 0x10), 0xFF000008u);
    c.write32(2, 0, 0x18, 0xFFFFFFFF);
    EXPECT_EQ(c.read32(2, 0, 0x18), 0xFFFFF000u);
    c.write32(2, 0, 0x10, 0xE0123456);
    EXPECT_EQ(vga.bar_address(0), 0xE0000000u);
    EXPECT_EQ(c.read8(2, 0, 0x3D), 0x01);
    c.write8(2, 0, 0x3D, 0x04);
    EXPECT_EQ(c.read8(2, 0, 0x3D), 0x01);
    c.write8(2, 0, 0x3C, 0x0B);
    EXPECT_EQ(c.read8(2, 0, 0x3C), 0x0B);
}

TEST(PciBus, StatusErrorBitsClearByWritingOne) {
    Chipset c;
    MemoryBarFunction dev;
    c.pci.attach(3, 0, dev);
    dev.record_errors();
    EXPECT_EQ(c.read16(3, 0, 0x06), 0x6000);
    c.write8(3, 0, 0x07, 0x20);  // clear master abort only
    EXPECT_EQ(c.read16(3, 0, 0x06), 0x4000);
    c.write16(3, 0, 0x06, 0x0000);  // zeros leave it
    EXPECT_EQ(c.read16(3, 0, 0x06), 0x4000);
    c.write32(3, 0, 0x04, 0xFFFF0000);  // clears status, command unchanged
    EXPECT_EQ(c.read32(3, 0, 0x04), 0x00000000u);
}

TEST(I440fx, PamRegistersReportRegionChanges) {
    Chipset c;
    EXPECT_EQ(c.read8(0, 0, 0x59), 0x00);
    EXPECT_EQ(c.host.pam_access(0xF0000), PamAccess{});
    // BIOS shadowing: F-segment write-only to copy, then read-only.
    c.write8(0, 0, 0x59, 0x2F);  // low nibble reserved
    EXPECT_EQ(c.read8(0, 0, 0x59), 0x20);
    ASSERT_EQ(c.pam_changes.size(), 1u);
    EXPECT_EQ(c.pam_changes[0].base, 0xF0000u);
    EXPECT_EQ(c.pam_changes[0].size, 0x10000u);
    EXPECT_EQ(c.pam_changes[0].access, (PamAccess{false, true}));
    c.write8(0, 0, 0x59, 0x10);
    EXPECT_EQ(c.pam_changes.back().access, (PamAccess{true, false}));
    EXPECT_EQ(c.host.pam_access(0xFFFFF), (PamAccess{true, false}));
    // A dword write to PAM1-4 (0x5A-0x5D) changes only the regions it alters.
    c.pam_changes.clear();
    c.write32(0, 0, 0x5C, 0x00003013);  // 0x5C: D0000 RW, D4000 RE; 0x5D: DC000 RW
    EXPECT_EQ(c.read32(0, 0, 0x5C), 0x00003013u);
    ASSERT_EQ(c.pam_changes.size(), 3u);
    EXPECT_EQ(c.pam_changes[0].base, 0xD0000u);
    EXPECT_EQ(c.pam_changes[0].access, (PamAccess{true, true}));
    EXPECT_EQ(c.pam_changes[1].base, 0xD4000u);
    EXPECT_EQ(c.pam_changes[1].access, (PamAccess{true, false}));
    EXPECT_EQ(c.pam_changes[2].base, 0xDC000u);
    EXPECT_EQ(c.pam_changes[2].size, 0x4000u);
    EXPECT_EQ(c.host.pam_access(0xD8000), PamAccess{});
    EXPECT_EQ(c.host.pam_access(0xA0000), PamAccess{});
    c.pam_changes.clear();
    c.write8(0, 0, 0x5C, 0x13);  // same value: no report
    EXPECT_TRUE(c.pam_changes.empty());
}

TEST(I440fx, SmramLock) {
    Chipset c;
    EXPECT_EQ(c.read8(0, 0, 0x72), 0x02);
    c.write8(0, 0, 0x72, 0xFF);
    EXPECT_EQ(c.read8(0, 0, 0x72), 0x3A);  // D_LCK clears D_OPEN; base fixed at 010
    Chipset d;
    d.write8(0, 0, 0x72, 0x4A);  // D_OPEN + G_SMRAME
    EXPECT_EQ(d.read8(0, 0, 0x72), 0x4A);
    EXPECT_TRUE(d.host.smram_open());
    EXPECT_TRUE(d.host.smram_enabled());
    d.write8(0, 0, 0x72, 0x02);
    EXPECT_EQ(d.read8(0, 0, 0x72), 0x02);  // unlocked: everything clears
    d.write8(0, 0, 0x72, 0x1A);            // lock
    d.write8(0, 0, 0x72, 0x42);            // try to open, unlock, disable
    EXPECT_EQ(d.read8(0, 0, 0x72), 0x1A);
    EXPECT_FALSE(d.host.smram_open());
    d.write8(0, 0, 0x72, 0x20);  // D_CLS stays writable
    EXPECT_EQ(d.read8(0, 0, 0x72), 0x3A);
}

TEST(Piix3, PirqRoutingAndSwizzle) {
    Chipset c;
    for (unsigned reg = 0x60; reg < 0x64; ++reg) EXPECT_EQ(c.read8(1, 0, reg), 0x80);
    EXPECT_FALSE(c.isa.pirq_irq(0));
    EXPECT_EQ(c.read8(1, 0, 0x4C), 0x4D);
    EXPECT_EQ(c.read16(1, 0, 0x4E), 0x0003);
    EXPECT_EQ(c.read8(1, 0, 0x69), 0x02);
    c.write32(1, 0, 0x60, 0x0B0A0B0A);  // A=10 B=11 C=10 D=11, the usual BIOS choice
    EXPECT_EQ(c.read32(1, 0, 0x60), 0x0B0A0B0Au);
    EXPECT_EQ(c.isa.pirq_irq(0), 10u);
    EXPECT_EQ(c.isa.pirq_irq(1), 11u);
    c.write8(1, 0, 0x63, 0xF5);  // reserved bits 6:4 read 0; bit 7 disables
    EXPECT_EQ(c.read8(1, 0, 0x63), 0x85);
    EXPECT_FALSE(c.isa.pirq_irq(3));
    c.write8(1, 0, 0x63, 0x02);  // IRQ2 is not a valid target
    EXPECT_FALSE(c.isa.pirq_irq(3));
    c.write8(1, 0, 0x63, 0x0F);
    EXPECT_EQ(c.isa.pirq_irq(3), 15u);
    EXPECT_FALSE(c.isa.pirq_irq(4));
    // Swizzle: device 1 INTA -> PIRQA, device 2 INTA -> PIRQB, device 3 INTB -> PIRQD.
    EXPECT_EQ(pci_pirq_for(1, 1), 0u);
    EXPECT_EQ(pci_pirq_for(2, 1), 1u);
    EXPECT_EQ(pci_pirq_for(3, 2), 3u);
    EXPECT_EQ(pci_pirq_for(4, 1), 3u);
    EXPECT_EQ(pci_pirq_for(5, 1), 0u);
    EXPECT_EQ(pci_pirq_for(0, 1), 3u);
    EXPECT_FALSE(pci_pirq_for(3, 0));
    EXPECT_FALSE(pci_pirq_for(3, 5));
    EXPECT_FALSE(pci_pirq_for(32, 1));
    EXPECT_EQ(pci_isa_irq_for(c.isa, 2, 1), 11u);
    EXPECT_EQ(pci_isa_irq_for(c.isa, 3, 1), 10u);
    EXPECT_EQ(pci_isa_irq_for(c.isa, 4, 1), 15u);
}

TEST(PciSnapshot, RoundTripReplaysMappingsAndPam) {
    Chipset c;
    c.write8(0, 0, 0x5A, 0x31);
    c.write32(1, 0, 0x60, 0x0B0A0B0A);
    c.write32(1, 1, 0x20, 0xC001);
    c.write16(1, 1, 0x04, 0x0005);
    c.write16(1, 1, 0x40, 0x8000);
    c.io.write32(0xCF8, Chipset::address(1, 0, 0x60));
    StateWriter w;
    c.pci.save(w);

    Chipset d;
    StateReader r(w.data());
    d.pci.load(r);
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(d.pci.address(), c.pci.address());
    for (unsigned fn = 0; fn < 2; ++fn) {
        for (unsigned reg = 0; reg < 256; reg += 4) {
            EXPECT_EQ(d.read32(1, fn, reg), c.read32(1, fn, reg)) << fn << " " << reg;
            EXPECT_EQ(d.read32(0, 0, reg), c.read32(0, 0, reg)) << reg;
        }
    }
    EXPECT_EQ(d.ide.bus_master_base(), 0xC000);
    EXPECT_GT(d.ide_changes, 0);
    EXPECT_EQ(d.pam_changes.size(), I440fx::kPamRegions);  // every region replayed
    EXPECT_EQ(d.host.pam_access(0xC0000), (PamAccess{true, false}));
    EXPECT_EQ(d.host.pam_access(0xC4000), (PamAccess{true, true}));
    EXPECT_EQ(d.isa.pirq_irq(1), 11u);
}

TEST(PciSnapshot, RefusesADifferentSetOfFunctions) {
    Chipset c;
    StateWriter w;
    c.pci.save(w);
    // One more function on the loading side.
    Chipset bigger;
    MemoryBarFunction extra;
    bigger.pci.attach(2, 0, extra);
    StateReader r1(w.data());
    EXPECT_THROW(bigger.pci.load(r1), StateError);
    // Same count, different slot.
    IoBus io;
    PciBus moved(io);
    I440fx host;
    Piix3Isa isa;
    Piix3Ide ide;
    moved.attach(0, 0, host);
    moved.attach(1, 0, isa);
    moved.attach(2, 0, ide);
    StateReader r2(w.data());
    EXPECT_THROW(moved.load(r2), StateError);
    // Same slots, different chip in one of them.
    IoBus io2;
    PciBus swapped(io2);
    I440fx host2;
    Piix3Isa isa2;
    MemoryBarFunction other;
    swapped.attach(0, 0, host2);
    swapped.attach(1, 0, isa2);
    swapped.attach(1, 1, other);
    swapped.find(1, 0)->config_write(0x60, 1, 0x05);
    StateReader r3(w.data());
    EXPECT_THROW(swapped.load(r3), StateError);
    EXPECT_EQ(isa2.config8(0x60), 0x05);  // nothing applied from a refused snapshot
    // Truncated stream.
    std::vector<uint8_t> cut(w.data().begin(), w.data().end() - 100);
    StateReader r4(cut);
    EXPECT_THROW(c.pci.load(r4), StateError);
}

}  // namespace
}  // namespace sandpc
