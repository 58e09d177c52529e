#include "devices/floppy/floppy_controller.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/devices/device_test_util.h"
#include "tests/dma/ram_physical_memory.h"
#include "tests/floppy/memory_disk.h"

namespace sandpc {
namespace {

constexpr uint16_t kBase = 0x3F0;
constexpr uint64_t k144 = 1474560;
constexpr uint32_t kBuf = 0x10000;  // DMA buffer in guest memory
// Commands with MFM set, as DOS and Linux send them.
constexpr uint8_t kReadData = 0x46, kReadDataMt = 0xC6, kWriteData = 0x45, kReadTrack = 0x42,
                  kReadId = 0x4A, kFormat = 0x4D, kVerify = 0x56;
constexpr uint8_t kDmaToMemory = 0x46, kDmaFromMemory = 0x4A;  // single mode, channel 2

class FloppyTest : public ::testing::Test {
  protected:
    void SetUp() override {
        bus.write8(0xD6, 0xC0);  // DMA2 channel 4 cascade, unmasked
        bus.write8(0xD4, 0x00);
    }

    uint8_t in(unsigned off) { return bus.read8(static_cast<uint16_t>(kBase + off)); }
    void out(unsigned off, uint8_t v) { bus.write8(static_cast<uint16_t>(kBase + off), v); }
    void run_for(uint64_t ns) { test::run_until(sched, sched.now_ns() + ns); }

    void command(std::initializer_list<uint8_t> bytes) {
        for (uint8_t b : bytes) {
            ASSERT_EQ(in(4) & 0xC0, 0x80) << "controller not ready for a command byte";
            out(5, b);
        }
    }
    // Waits for the result phase and reads it.
    std::vector<uint8_t> result() {
        for (int i = 0; i < 1000 && (in(4) & 0xC0) != 0xC0; ++i) run_for(10'000);
        std::vector<uint8_t> r;
        while ((in(4) & 0xC0) == 0xC0) r.push_back(in(5));
        return r;
    }
    std::vector<uint8_t> sense_interrupt() {
        command({0x08});
        return result();
    }
    test::MemoryDisk* insert(uint64_t size = k144, bool read_only = false, unsigned drive = 0) {
        auto disk = std::make_unique<test::MemoryDisk>(size, read_only);
        test::MemoryDisk* raw = disk.get();
        fdc.insert_medium(drive, std::move(disk));
        return raw;
    }
    // The BIOS reset sequence: DOR reset pulse, wait for IRQ 6, four sense
    // interrupts, then the data rate for a 1.44M medium.
    void reset_controller() {
        out(2, 0x00);
        out(2, 0x1C);
        run_for(100'000);
        ASSERT_TRUE(irqs.levels[6]);
        for (uint8_t d = 0; d < 4; ++d)
            ASSERT_EQ(sense_interrupt(), (std::vector<uint8_t>{uint8_t(0xC0 | d), 0}));
        out(7, 0x00);  // 500 kb/s
    }
    void dma_setup(uint8_t mode, uint32_t addr, uint32_t bytes) {
        bus.write8(0x0A, 0x06);
        bus.write8(0x0C, 0);
        bus.write8(0x0B, mode);
        bus.write8(0x04, static_cast<uint8_t>(addr));
        bus.write8(0x04, static_cast<uint8_t>(addr >> 8));
        bus.write8(0x81, static_cast<uint8_t>(addr >> 16));
        bus.write8(0x05, static_cast<uint8_t>(bytes - 1));
        bus.write8(0x05, static_cast<uint8_t>((bytes - 1) >> 8));
        bus.write8(0x0A, 0x02);
    }
    void seek(uint8_t cyl, uint8_t head = 0) {
        command({0x0F, static_cast<uint8_t>(head << 2), cyl});
        run_for(10'000'000);
        auto r = sense_interrupt();
        ASSERT_EQ(r.size(), 2u);
        ASSERT_EQ(r[1], cyl);
    }
    std::span<const uint8_t> ram(uint32_t addr, size_t n) {
        return std::span(mem.ram).subspan(addr, n);
    }
    static bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

    Scheduler sched{1'000'000'000};
    IoBus bus;
    test::RecordingIrqSink irqs{sched};
    test::RamPhysicalMemory mem{0x100000};
    IsaDma dma{bus, mem};
    FloppyController fdc{bus, sched, InterruptLine(irqs, 6), dma};
};

TEST_F(FloppyTest, PortsLeave3F6ToIde) {
    EXPECT_TRUE(bus.is_mapped(0x3F0));
    EXPECT_TRUE(bus.is_mapped(0x3F5));
    EXPECT_FALSE(bus.is_mapped(0x3F6));
    EXPECT_TRUE(bus.is_mapped(0x3F7));
}

TEST_F(FloppyTest, ResetSequenceGivesFourPollingInterrupts) {
    EXPECT_EQ(in(4), 0x00);  // held in reset at power-on (DOR = 0)
    out(2, 0x0C);
    EXPECT_FALSE(irqs.levels[6]);
    run_for(100'000);
    EXPECT_TRUE(irqs.levels[6]);
    EXPECT_EQ(in(4), 0x80);
    EXPECT_EQ(in(0) & 0x80, 0x80);  // SRA interrupt pending
    for (uint8_t d = 0; d < 4; ++d)
        EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{static_cast<uint8_t>(0xC0 | d), 0}));
    EXPECT_FALSE(irqs.levels[6]);
    EXPECT_EQ(sense_interrupt(), std::vector<uint8_t>{0x80});  // nothing pending: invalid
    // A DSR software reset does the same.
    out(4, 0x80);
    run_for(100'000);
    EXPECT_TRUE(irqs.levels[6]);
    EXPECT_EQ(sense_interrupt()[0], 0xC0);
}

TEST_F(FloppyTest, VersionAndInvalidCommand) {
    reset_controller();
    command({0x10});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x90});
    command({0x1F});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x80});
    command({0x18});  // PART ID is an 82078 command
    EXPECT_EQ(result(), std::vector<uint8_t>{0x80});
    EXPECT_FALSE(irqs.levels[6]);
    EXPECT_EQ(in(4), 0x80);
}

TEST_F(FloppyTest, SpecifyConfigureLockDumpreg) {
    reset_controller();
    command({0x03, 0xAF, 0x02});          // SRT 10, HUT 15, HLT 1, DMA
    EXPECT_EQ(in(4), 0x80);               // no result phase
    command({0x13, 0x00, 0x47, 0x05});    // implied seek, FIFO on, threshold 8
    command({0x12, 0x80 | 0x08 | 0x02});  // perpendicular: drive 1, GAP
    command({0x0E});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0, 0, 0, 0, 0xAF, 0x02, 0, 0x0A, 0x47, 0x05}));
    command({0x94});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x10});
    reset_controller();  // locked: CONFIGURE survives, GAP/WGATE do not
    command({0x0E});
    auto r = result();
    EXPECT_EQ(r[4], 0xAF);  // SPECIFY survives any software reset
    EXPECT_EQ(r[7], 0x80 | 0x08);
    EXPECT_EQ(r[8], 0x47);
    command({0x14});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x00});
    reset_controller();
    command({0x0E});
    r = result();
    EXPECT_EQ(r[8], 0x20);  // FIFO off, polling on
    EXPECT_EQ(r[9], 0x00);
}

TEST_F(FloppyTest, SeekRecalibrateAndSenseInterrupt) {
    insert();
    reset_controller();
    uint64_t t0 = sched.now_ns();
    command({0x0F, 0x00, 10});
    EXPECT_EQ(in(4), 0x81);  // drive 0 busy, ready for commands
    EXPECT_FALSE(irqs.levels[6]);
    run_for(10'000'000);
    EXPECT_TRUE(irqs.levels[6]);
    EXPECT_GE(irqs.rising[6].back() - t0,
              FloppyController::kSeekBaseNs + 10 * FloppyController::kStepNs);
    EXPECT_EQ(in(4), 0x80);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x20, 10}));
    EXPECT_FALSE(irqs.levels[6]);
    EXPECT_EQ(fdc.cylinder(0), 10);

    command({0x0F, 0x04, 20});  // head 1 in ST0
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x24, 20}));

    command({0xCF, 0x00, 5});  // relative seek inwards
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x20, 25}));
    command({0x8F, 0x00, 3});  // and outwards
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x20, 22}));
    EXPECT_EQ(fdc.cylinder(0), 22);

    command({0x07, 0x00});
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x20, 0}));
    EXPECT_EQ(fdc.cylinder(0), 0);

    // Drive 1 is not connected: recalibrate never sees track 0.
    command({0x07, 0x01});
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x71, 0}));
}

TEST_F(FloppyTest, ResetLosesPositionSoRecalibrateIsNeeded) {
    insert();
    reset_controller();
    seek(30);
    reset_controller();  // PCN back to 0, head still on 30
    command({0x0F, 0x00, 10});
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x20, 10}));
    EXPECT_EQ(fdc.cylinder(0), 40);
}

TEST_F(FloppyTest, SenseDriveStatus) {
    insert(k144, true);
    reset_controller();
    command({0x04, 0x04});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x40 | 0x20 | 0x10 | 0x08 | 0x04});
    seek(3);
    command({0x04, 0x00});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x40 | 0x28});
    command({0x04, 0x01});  // no drive 1
    EXPECT_EQ(result(), std::vector<uint8_t>{0x29});
}

TEST_F(FloppyTest, ReadOneSectorByDma) {
    auto* disk = insert();
    reset_controller();
    dma_setup(kDmaToMemory, kBuf, 512);
    uint64_t t0 = sched.now_ns();
    command({kReadData, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(in(4), 0x10);  // busy, DMA execution phase
    auto r = result();
    EXPECT_EQ(r, (std::vector<uint8_t>{0x00, 0x00, 0x00, 0, 0, 2, 2}));
    ASSERT_EQ(irqs.rising[6].size(), 2u);  // reset, then this command
    EXPECT_GE(irqs.rising[6].back() - t0, FloppyController::kCommandDelayNs);
    EXPECT_LT(irqs.rising[6].back() - t0, FloppyController::kSeekBaseNs);
    EXPECT_FALSE(irqs.levels[6]);  // reading the result cleared it
    EXPECT_TRUE(same(ram(kBuf, 512), disk->sector(0)));
    EXPECT_EQ(mem.ram[kBuf + 512], 0);
    EXPECT_EQ(bus.read8(0x08) & 0x04, 0x04);  // DMA TC on channel 2
}

TEST_F(FloppyTest, ReadSeveralSectorsStopsOnTerminalCount) {
    auto* disk = insert();
    reset_controller();
    seek(2);
    dma_setup(kDmaToMemory, kBuf, 3 * 512);
    command({kReadData, 0x00, 2, 0, 3, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x00, 0x00, 0x00, 2, 0, 6, 2}));
    EXPECT_TRUE(same(ram(kBuf, 3 * 512), disk->sector(2 * 36 + 2, 3)));
    EXPECT_EQ(mem.ram[kBuf + 3 * 512], 0);
}

TEST_F(FloppyTest, EndOfTrackWithTerminalCount) {
    auto* disk = insert();
    reset_controller();
    dma_setup(kDmaToMemory, kBuf, 2 * 512);
    command({kReadData, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF});
    // Last sector was EOT: C + 1, R = 1, normal termination because of TC.
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x00, 0x00, 0x00, 1, 0, 1, 2}));
    EXPECT_TRUE(same(ram(kBuf, 1024), disk->sector(16, 2)));
}

TEST_F(FloppyTest, EndOfTrackWithoutTerminalCount) {
    auto* disk = insert();
    reset_controller();
    dma_setup(kDmaToMemory, kBuf, 8 * 512);
    command({kReadData, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x80, 0x00, 1, 0, 1, 2}));  // EN
    EXPECT_TRUE(same(ram(kBuf, 1024), disk->sector(16, 2)));
    EXPECT_EQ(mem.ram[kBuf + 1024], 0);
}

TEST_F(FloppyTest, MultiTrackReadContinuesOnHeadOne) {
    auto* disk = insert();
    reset_controller();
    dma_setup(kDmaToMemory, kBuf, 4 * 512);
    command({kReadDataMt, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF});
    // Head 0 sectors 17-18 then head 1 sectors 1-2: LBAs 16-19.
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x04, 0x00, 0x00, 0, 1, 3, 2}));
    EXPECT_TRUE(same(ram(kBuf, 4 * 512), disk->sector(16, 4)));

    // Ending exactly at the last sector of head 1: next cylinder, head 0.
    dma_setup(kDmaToMemory, kBuf, 2 * 512);
    command({kReadDataMt, 0x04, 0, 1, 17, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x04, 0x00, 0x00, 1, 0, 1, 2}));
    EXPECT_TRUE(same(ram(kBuf, 2 * 512), disk->sector(34, 2)));
}

TEST_F(FloppyTest, PioReadInterruptsPerByte) {
    auto* disk = insert();
    reset_controller();
    command({0x03, 0xDF, 0x03});  // ND: non-DMA
    command({kReadData, 0x00, 0, 0, 5, 2, 5, 0x1B, 0xFF});
    EXPECT_EQ(in(4), 0x30);  // busy, non-DMA, no data yet
    run_for(1'000'000);
    size_t edges_before = irqs.rising[6].size();
    std::vector<uint8_t> got;
    while ((in(4) & 0xF0) == 0xF0) {  // RQM, DIO, NDMA, CB: a data byte
        EXPECT_TRUE(irqs.levels[6]);
        got.push_back(in(5));
    }
    // A new edge for each further byte, then the result-phase interrupt.
    EXPECT_EQ(irqs.rising[6].size() - edges_before, 511u + 1u);
    ASSERT_EQ(got.size(), 512u);
    EXPECT_TRUE(same(got, disk->sector(4)));
    // No TC in PIO mode: ends at EOT with EN set.
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x80, 0x00, 1, 0, 1, 2}));
}

TEST_F(FloppyTest, PioWrite) {
    auto* disk = insert();
    reset_controller();
    command({0x03, 0xDF, 0x03});
    command({kWriteData, 0x00, 0, 0, 2, 2, 2, 0x1B, 0xFF});
    run_for(1'000'000);
    for (int i = 0; i < 512; ++i) {
        ASSERT_EQ(in(4) & 0xF0, 0xB0);  // RQM, NDMA, CB; host to controller
        out(5, static_cast<uint8_t>(0xA0 ^ i));
    }
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x80, 0x00, 1, 0, 1, 2}));
    for (int i = 0; i < 512; ++i) EXPECT_EQ(disk->data[512 + i], static_cast<uint8_t>(0xA0 ^ i));
}

TEST_F(FloppyTest, WriteByDmaAndReadBack) {
    auto* disk = insert();
    reset_controller();
    seek(1);
    for (int i = 0; i < 1024; ++i) mem.ram[0x20000 + i] = static_cast<uint8_t>(i * 13);
    dma_setup(kDmaFromMemory, 0x20000, 1024);
    command({kWriteData, 0x04, 1, 1, 4, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x04, 0x00, 0x00, 1, 1, 6, 2}));
    uint64_t lba = (1 * 2 + 1) * 18 + 3;
    EXPECT_TRUE(same(disk->sector(lba, 2), ram(0x20000, 1024)));
    EXPECT_NE(disk->data[(lba + 2) * 512], 0);  // next sector untouched (pattern is non-zero)

    dma_setup(kDmaToMemory, 0x30000, 1024);
    command({kReadData, 0x04, 1, 1, 4, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result()[0], 0x04);
    EXPECT_TRUE(same(ram(0x30000, 1024), ram(0x20000, 1024)));
}

TEST_F(FloppyTest, WriteProtectedMedium) {
    auto* disk = insert(k144, true);
    reset_controller();
    auto before = disk->data;
    dma_setup(kDmaFromMemory, kBuf, 512);
    command({kWriteData, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x02, 0x00, 0, 0, 1, 2}));  // NW
    EXPECT_FALSE(irqs.levels[6]);  // reading the result cleared it
    command({kFormat, 0x00, 2, 18, 0x54, 0xF6});
    EXPECT_EQ(result()[1], 0x02);
    EXPECT_EQ(disk->data, before);
}

TEST_F(FloppyTest, ReadIdFollowsTheSpinningDisk) {
    insert();
    reset_controller();
    seek(7);
    command({kReadId, 0x04});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x04, 0, 0, 7, 1, 1, 2}));
    command({kReadId, 0x04});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x04, 0, 0, 7, 1, 2, 2}));
    dma_setup(kDmaToMemory, kBuf, 512);
    command({kReadData, 0x00, 7, 0, 18, 2, 18, 0x1B, 0xFF});
    result();
    command({kReadId, 0x00});  // after sector 18 comes sector 1
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x00, 0, 0, 7, 0, 1, 2}));
}

TEST_F(FloppyTest, FormatTrackWritesFillByte) {
    auto* disk = insert();
    reset_controller();
    seek(3);
    std::vector<uint8_t> ids;
    for (uint8_t s = 1; s <= 18; ++s) ids.insert(ids.end(), {3, 1, s, 2});
    std::copy(ids.begin(), ids.end(), mem.ram.begin() + kBuf);
    auto before = disk->data;
    dma_setup(kDmaFromMemory, kBuf, static_cast<uint32_t>(ids.size()));
    command({kFormat, 0x04, 2, 18, 0x54, 0xF6});
    auto r = result();
    ASSERT_EQ(r.size(), 7u);
    EXPECT_EQ(r[0], 0x04);
    EXPECT_EQ(r[1], 0x00);
    uint64_t first = (3 * 2 + 1) * 18;
    for (uint64_t i = first * 512; i < (first + 18) * 512; ++i) ASSERT_EQ(disk->data[i], 0xF6);
    EXPECT_TRUE(std::equal(before.begin(), before.begin() + first * 512, disk->data.begin()));
    EXPECT_TRUE(std::equal(before.begin() + (first + 18) * 512, before.end(),
                           disk->data.begin() + (first + 18) * 512));
}

TEST_F(FloppyTest, VerifyAndReadTrack) {
    auto* disk = insert();
    reset_controller();
    command({kVerify, 0x80, 0, 0, 2, 2, 18, 0x1B, 3});  // EC: verify 3 sectors
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x00, 0x00, 0x00, 0, 0, 5, 2}));
    EXPECT_EQ(mem.ram[kBuf], 0);                            // no data moved
    command({kVerify, 0x00, 0, 0, 16, 2, 18, 0x1B, 0xFF});  // to EOT
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x00, 0x00, 0x00, 1, 0, 1, 2}));

    dma_setup(kDmaToMemory, kBuf, 1024);
    command({kReadTrack, 0x00, 0, 0, 9, 2, 18, 0x1B, 0xFF});  // starts at the index
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x00, 0x00, 0x00, 0, 0, 3, 2}));
    EXPECT_TRUE(same(ram(kBuf, 1024), disk->sector(0, 2)));
}

TEST_F(FloppyTest, ErrorsForMissingMediumRangeAndRate) {
    reset_controller();
    dma_setup(kDmaToMemory, kBuf, 512);
    command({kReadData, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x01, 0x00, 0, 0, 1, 2}));  // MA

    insert();
    command({kReadData, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x04, 0x00, 0, 0, 19, 2}));  // ND
    command({kReadData, 0x00, 5, 0, 1, 2, 18, 0x1B, 0xFF});  // head is on cylinder 0
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x04, 0x10, 5, 0, 1, 2}));  // ND, WC
    command({kReadData, 0x00, 0, 0, 1, 3, 18, 0x1B, 0xFF});                     // N = 3
    EXPECT_EQ(result()[1], 0x04);

    out(7, 0x02);  // 250 kb/s cannot read a 1.44M medium
    command({kReadData, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result()[1], 0x01);

    out(7, 0x00);
    bus.write8(0x0A, 0x06);  // DMA channel masked: the controller overruns
    command({kReadData, 0x00, 0, 0, 1, 2, 18, 0x1B, 0xFF});
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x10, 0x00, 0, 0, 1, 2}));
}

TEST_F(FloppyTest, DiskChangeLine) {
    reset_controller();
    EXPECT_EQ(in(7) & 0x80, 0x80);  // set since power-on
    seek(1);
    EXPECT_EQ(in(7) & 0x80, 0x80);  // no medium: stepping does not clear it
    insert();
    EXPECT_EQ(in(7) & 0x80, 0x80);
    seek(1);  // same cylinder: no step pulse
    EXPECT_EQ(in(7) & 0x80, 0x80);
    seek(2);
    EXPECT_EQ(in(7) & 0x80, 0x00);
    EXPECT_FALSE(fdc.disk_changed(0));
    auto medium = fdc.eject_medium(0);
    ASSERT_TRUE(medium);
    EXPECT_EQ(in(7) & 0x80, 0x80);
    fdc.insert_medium(0, std::move(medium));
    seek(0);
    EXPECT_EQ(in(7) & 0x80, 0x00);
    out(2, 0x1D);  // select drive 1: not connected
    EXPECT_EQ(in(7) & 0x80, 0x00);
}

TEST_F(FloppyTest, OutOfRangeGuestValuesAreContained) {
    insert();
    reset_controller();
    seek(255);  // the head stops at the drive's last cylinder
    EXPECT_EQ(fdc.cylinder(0), 83);
    dma_setup(kDmaToMemory, kBuf, 512);
    command({kReadData, 0x00, 255, 0, 1, 2, 18, 0x1B, 0xFF});  // no track 83 on the medium
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x40, 0x01, 0x00, 255, 0, 1, 2}));
    command({kReadData, 0x07, 0, 1, 1, 2, 18, 0x1B, 0xFF});  // drive 3, head 1
    EXPECT_EQ(result(), (std::vector<uint8_t>{0x47, 0x01, 0x00, 0, 1, 1, 2}));
    command({kFormat, 0x03, 2, 18, 0x54, 0xF6});
    EXPECT_EQ(result()[0], 0x43);
    command({kReadId, 0x02});
    EXPECT_EQ(result()[1], 0x01);
    command({0x0F, 0x03, 200});
    run_for(10'000'000);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x23, 200}));
    EXPECT_EQ(mem.ram[kBuf], 0);
}

TEST_F(FloppyTest, DorGatesTheInterrupt) {
    insert();
    reset_controller();
    out(2, 0x14);  // DMA/IRQ gate off, still out of reset
    command({0x0F, 0x00, 4});
    run_for(10'000'000);
    EXPECT_FALSE(irqs.levels[6]);
    EXPECT_EQ(in(0) & 0x80, 0x00);
    out(2, 0x1C);
    EXPECT_TRUE(irqs.levels[6]);
    EXPECT_EQ(sense_interrupt(), (std::vector<uint8_t>{0x20, 4}));
}

TEST_F(FloppyTest, MediaAndCmosTypes) {
    EXPECT_EQ(fdc.cmos_drive_types(), 0x40);
    insert(737280);
    EXPECT_EQ(fdc.cmos_drive_types(), 0x30);  // follows the medium
    EXPECT_EQ(fdc.medium_geometry(0)->sectors_per_track, 9);
    EXPECT_THROW(insert(1000000), BlockError);
    EXPECT_THROW(insert(k144, false, 1), std::invalid_argument);  // drive 1 not connected
    fdc.set_drive_type(1, FloppyDriveType::k1440K);
    EXPECT_EQ(fdc.cmos_drive_types(), 0x34);
    EXPECT_THROW(insert(2949120, false, 1), BlockError);  // 2.88M in a 1.44M drive
    insert(737280, false, 1);
    EXPECT_EQ(fdc.drive_type(1), FloppyDriveType::k1440K);
    EXPECT_FALSE(fdc.eject_medium(0) == nullptr);
    EXPECT_FALSE(fdc.has_medium(0));
    EXPECT_FALSE(fdc.medium_geometry(0));
}

// A second set of chips loaded from saved state over copies of the disk and
// memory, as a restored checkpoint has them.
struct RestoredChips {
    RestoredChips(const std::vector<uint8_t>& state, std::vector<uint8_t> disk_data,
                  std::vector<uint8_t> ram) {
        if (!ram.empty()) mem.ram = std::move(ram);
        auto medium = std::make_unique<test::MemoryDisk>(disk_data.size(), false);
        medium->data = std::move(disk_data);
        disk = medium.get();
        fdc.reattach_medium(0, std::move(medium));
        StateReader r(state);
        sched.load(r);
        dma.load(r);
        fdc.load(r);
    }
    Scheduler sched{1'000'000'000};
    IoBus bus;
    test::RecordingIrqSink irqs{sched};
    test::RamPhysicalMemory mem{0x100000};
    IsaDma dma{bus, mem};
    FloppyController fdc{bus, sched, InterruptLine(irqs, 6), dma};
    test::MemoryDisk* disk = nullptr;
};

TEST_F(FloppyTest, SaveLoadMidPioReadAndPendingSeek) {
    auto* disk = insert();
    fdc.set_drive_type(1, FloppyDriveType::k1440K);
    reset_controller();
    seek(1);
    command({0x0F, 0x01, 6});  // leave a seek of drive 1 in flight
    command({0x03, 0xDF, 0x03});
    command({kReadData, 0x00, 1, 0, 2, 2, 2, 0x1B, 0xFF});  // one sector: EOT = 2
    run_for(300'000);
    std::vector<uint8_t> got;
    for (int i = 0; i < 100; ++i) got.push_back(in(5));
    StateWriter w;
    sched.save(w);
    dma.save(w);
    fdc.save(w);

    RestoredChips copy(w.data(), test::MemoryDisk(k144, false).data, {});
    Scheduler& sched2 = copy.sched;
    IoBus& bus2 = copy.bus;
    test::RecordingIrqSink& irqs2 = copy.irqs;
    IsaDma& dma2 = copy.dma;
    FloppyController& fdc2 = copy.fdc;
    EXPECT_EQ(fdc2.cylinder(0), 1);
    EXPECT_EQ(fdc2.cylinder(1), 6);
    EXPECT_FALSE(fdc2.disk_changed(0));
    EXPECT_TRUE(fdc2.disk_changed(1));
    EXPECT_EQ(irqs2.levels[6], irqs.levels[6]);
    StateWriter again;
    sched2.save(again);
    dma2.save(again);
    fdc2.save(again);
    EXPECT_EQ(again.data(), w.data());

    while ((bus2.read8(0x3F4) & 0xF0) == 0xF0) got.push_back(bus2.read8(0x3F5));
    ASSERT_EQ(got.size(), 512u);
    EXPECT_TRUE(same(got, disk->sector(36 + 1)));
    // The pending seek still completes in the copy.
    test::run_until(sched2, sched2.now_ns() + 10'000'000);
    bool seek_reported = false;
    for (int i = 0; i < 4 && !seek_reported; ++i) {
        while ((bus2.read8(0x3F4) & 0xC0) == 0xC0) bus2.read8(0x3F5);  // drain results
        bus2.write8(0x3F5, 0x08);
        std::vector<uint8_t> res;
        while ((bus2.read8(0x3F4) & 0xC0) == 0xC0) res.push_back(bus2.read8(0x3F5));
        if (res == std::vector<uint8_t>{0x21, 6}) seek_reported = true;
    }
    EXPECT_TRUE(seek_reported);
}

TEST_F(FloppyTest, LoadRefusesBadState) {
    insert();
    reset_controller();
    StateWriter w;
    fdc.save(w);
    // Payload starts after name length, "floppy", version and payload length.
    constexpr size_t kPayload = 4 + 6 + 4 + 8;
    auto corrupt = [&](size_t offset, uint8_t value) {
        std::vector<uint8_t> bad = w.data();
        bad[kPayload + offset] = value;
        uint32_t crc = crc32_of(std::span(bad).subspan(kPayload, bad.size() - kPayload - 4));
        for (int i = 0; i < 4; ++i) bad[bad.size() - 4 + i] = static_cast<uint8_t>(crc >> 8 * i);
        return bad;
    };
    auto bad_phase = corrupt(12, 7);
    StateReader r1(bad_phase);
    EXPECT_THROW(fdc.load(r1), StateError);
    // result_len (offset 12 + 1 + 9 + 1 + 10) larger than the result buffer
    auto bad_result = corrupt(33, 11);
    StateReader r2(bad_result);
    EXPECT_THROW(fdc.load(r2), StateError);
    StateReader r3(std::span(w.data()).first(w.data().size() - 10));
    EXPECT_THROW(fdc.load(r3), StateError);
    // The refused loads left the controller working.
    command({0x10});
    EXPECT_EQ(result(), std::vector<uint8_t>{0x90});
    // An unmodified state loads.
    auto good = corrupt(12, 0);
    StateReader r4(good);
    EXPECT_NO_THROW(fdc.load(r4));
}

// A checkpoint in the middle of a multi-sector DMA write: after `k` of six
// sectors have gone from memory to the disk, the scheduler, DMA controller
// and FDC are saved and loaded into fresh chips over a copy of the disk and
// memory as they were (as a machine checkpoint carries them). Both copies
// then finish the command: the same result bytes, disk content, DMA
// registers and interrupt line.
class FloppyMidDmaSave : public FloppyTest, public ::testing::WithParamInterface<unsigned> {};

TEST_P(FloppyMidDmaSave, WriteResumesFromTheSavedState) {
    const unsigned done_before_save = GetParam();
    constexpr uint32_t kBytes = 6 * 512;
    auto* disk = insert();
    reset_controller();
    seek(1);
    for (uint32_t i = 0; i < kBytes; ++i) mem.ram[0x20000 + i] = static_cast<uint8_t>(i * 7 + 1);
    dma_setup(kDmaFromMemory, 0x20000, kBytes);
    command({kWriteData, 0x00, 1, 0, 1, 2, 18, 0x1B, 0xFF});
    uint16_t count_at_save = static_cast<uint16_t>(kBytes - 1 - done_before_save * 512);
    for (int i = 0; i < 10000 && dma.current_count(2) != count_at_save; ++i) run_for(1'000);
    ASSERT_EQ(dma.current_count(2), count_at_save);
    ASSERT_EQ(in(4) & 0xC0, 0x00) << "the command should still be executing";
    StateWriter w;
    sched.save(w);
    dma.save(w);
    fdc.save(w);

    RestoredChips copy(w.data(), disk->data, mem.ram);
    Scheduler& sched2 = copy.sched;
    IoBus& bus2 = copy.bus;
    test::RecordingIrqSink& irqs2 = copy.irqs;
    IsaDma& dma2 = copy.dma;
    test::MemoryDisk* disk2 = copy.disk;

    std::vector<uint8_t> straight = result();
    test::run_until(sched2, sched2.now_ns() + 10'000'000);
    std::vector<uint8_t> resumed;
    while ((bus2.read8(0x3F4) & 0xC0) == 0xC0) resumed.push_back(bus2.read8(0x3F5));
    EXPECT_EQ(straight, (std::vector<uint8_t>{0x00, 0x00, 0x00, 1, 0, 7, 2}));
    EXPECT_EQ(resumed, straight);
    EXPECT_TRUE(same(disk->sector(18 * 2 + 0, 6), ram(0x20000, kBytes)));
    EXPECT_TRUE(disk2->data == disk->data);
    EXPECT_EQ(dma2.current_count(2), dma.current_count(2));
    EXPECT_EQ(dma2.terminal_count(2), dma.terminal_count(2));
    EXPECT_EQ(irqs2.levels[6], irqs.levels[6]);
}

INSTANTIATE_TEST_SUITE_P(AfterSectors, FloppyMidDmaSave, ::testing::Values(0u, 1u, 3u, 5u));

}  // namespace
}  // namespace sandpc
