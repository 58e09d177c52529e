#include "bios/boot/linux_loader.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/boot/fake_bzimage.h"
#include "tests/boot/ram_memory.h"

namespace sandpc {
namespace {

using test::RamMemory;

constexpr uint64_t kMiB = 1 << 20;

using test::ImageSpec;
using test::make_image;
using test::put;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
    return v;
}

LinuxBootConfig config_for(uint64_t ram) {
    LinuxBootConfig c;
    c.kernel_name = "test-bzImage";
    c.initrd_name = "test-initrd";
    c.ram_bytes = ram;
    return c;
}

TEST(LinuxLoader, PlacesSetupKernelCmdlineAndInitrd) {
    const ImageSpec spec;
    const auto image = make_image(spec);
    const auto initrd = pattern(10000, 3);
    RamMemory mem(32 * kMiB);
    const std::string cmdline = "console=ttyS0 panic=-1";
    const LinuxBootResult r = load_linux(mem, image, initrd, cmdline, config_for(32 * kMiB));

    // Setup code at 0x10000, unchanged outside the fields a loader fills in.
    const size_t setup = 5 * 512;
    EXPECT_TRUE(mem.equals(0x10000, image, 0, 0x1F1));
    EXPECT_TRUE(mem.equals(0x10000 + 0x268, image, 0x268, setup - 0x268));
    EXPECT_EQ(mem.u8(0x10000 + setup), 0xCC);  // nothing after the setup code
    // Kernel at 1 MiB, exactly its bytes.
    EXPECT_EQ(r.kernel_addr, 0x100000u);
    EXPECT_EQ(r.kernel_size, spec.kernel_bytes);
    EXPECT_TRUE(mem.equals(0x100000, image, setup, spec.kernel_bytes));
    EXPECT_EQ(mem.u8(0x100000 + spec.kernel_bytes), 0xCC);
    // Command line after the heap.
    EXPECT_EQ(r.cmdline_addr, 0x1E000u);
    EXPECT_EQ(mem.str(0x1E000), cmdline);

    // Header fields written back.
    const uint64_t hdr = 0x10000;
    EXPECT_EQ(mem.u16(hdr + 0x1FA), 0xFFFF);  // vid_mode "normal"
    EXPECT_EQ(mem.u8(hdr + 0x210), 0xFF);     // type_of_loader
    EXPECT_EQ(mem.u8(hdr + 0x211), kLinuxLoadedHigh | kLinuxCanUseHeap);
    EXPECT_EQ(mem.u16(hdr + 0x224), 0xE000 - 0x200);  // heap_end_ptr
    EXPECT_EQ(mem.u32(hdr + 0x228), 0x1E000u);        // cmd_line_ptr
    EXPECT_EQ(mem.u32(hdr + 0x218), r.initrd_addr);   // ramdisk_image
    EXPECT_EQ(mem.u32(hdr + 0x21C), 10000u);          // ramdisk_size

    // Initrd: page aligned, ending as close to the top of RAM as possible.
    EXPECT_EQ(r.initrd_addr % 4096, 0u);
    EXPECT_LE(r.initrd_addr + initrd.size(), 32 * kMiB);
    EXPECT_GT(r.initrd_addr + initrd.size() + 4096, 32 * kMiB);
    EXPECT_TRUE(mem.equals(r.initrd_addr, initrd, 0, initrd.size()));

    // Real-mode entry: CS = seg + 0x20, IP 0, data segments = seg, SP = heap end.
    EXPECT_EQ(r.entry.cs, 0x1020);
    EXPECT_EQ(r.entry.ip, 0);
    EXPECT_EQ(r.entry.ds, 0x1000);
    EXPECT_EQ(r.entry.ss, 0x1000);
    EXPECT_EQ(r.entry.sp, 0xE000);
    EXPECT_EQ(r.header.kernel_version, "6.1.0-test (builder) #1");
    // Relocatable, aligned to 16 MiB, decompresses at pref_address.
    EXPECT_EQ(r.kernel_run_end, 0x1000000u + spec.init_size);
    EXPECT_EQ(mem.outside_writes, 0);
}

TEST(LinuxLoader, InitrdStaysBelowInitrdAddrMax) {
    ImageSpec spec;
    spec.initrd_addr_max = 0x17FFFFF;  // last byte below 24 MiB
    const auto initrd = pattern(5000, 9);
    RamMemory mem(32 * kMiB);
    const auto r = load_linux(mem, make_image(spec), initrd, "", config_for(32 * kMiB));
    EXPECT_EQ(r.initrd_addr, (0x1800000 - 5000) & ~0xFFFu);
    EXPECT_TRUE(mem.equals(r.initrd_addr, initrd, 0, initrd.size()));
}

TEST(LinuxLoader, InitrdStaysBelowRamLimit) {
    const auto initrd = pattern(4096, 1);
    RamMemory mem(32 * kMiB);
    LinuxBootConfig c = config_for(32 * kMiB);
    c.ram_limit = 30 * kMiB;
    const auto r = load_linux(mem, make_image({}), initrd, "", c);
    EXPECT_EQ(r.initrd_addr, 30 * kMiB - 4096);
}

TEST(LinuxLoader, NoInitrdLeavesRamdiskFieldsZero) {
    RamMemory mem(32 * kMiB);
    const auto r = load_linux(mem, make_image({}), {}, "x", config_for(32 * kMiB));
    EXPECT_EQ(r.initrd_addr, 0u);
    EXPECT_EQ(mem.u32(0x10000 + 0x218), 0u);
    EXPECT_EQ(mem.u32(0x10000 + 0x21C), 0u);
}

TEST(LinuxLoader, SetupSectsZeroMeansFour) {
    ImageSpec spec;
    spec.setup_sects = 0;
    const auto image = make_image(spec);
    RamMemory mem(32 * kMiB);
    const auto r = load_linux(mem, image, {}, "", config_for(32 * kMiB));
    EXPECT_EQ(r.header.setup_bytes(), 5u * 512);
    EXPECT_TRUE(mem.equals(0x100000, image, 5 * 512, spec.kernel_bytes));
}

TEST(LinuxLoader, OtherSetupBaseMovesEntryAndCmdline) {
    RamMemory mem(32 * kMiB);
    LinuxBootConfig c = config_for(32 * kMiB);
    c.setup_base = 0x80000;
    const auto r = load_linux(mem, make_image({}), {}, "root=/dev/ram0", c);
    EXPECT_EQ(r.entry.cs, 0x8020);
    EXPECT_EQ(r.entry.ss, 0x8000);
    EXPECT_EQ(r.cmdline_addr, 0x8E000u);
    EXPECT_EQ(mem.str(0x8E000), "root=/dev/ram0");
}

TEST(LinuxLoader, NonRelocatableKernelRunsAtPrefAddress) {
    ImageSpec spec;
    spec.relocatable = false;
    spec.pref_address = 0x400000;
    spec.init_size = 0x200000;
    RamMemory mem(8 * kMiB);
    const auto initrd = pattern(100, 2);
    const auto r = load_linux(mem, make_image(spec), initrd, "", config_for(8 * kMiB));
    EXPECT_EQ(r.kernel_run_end, 0x600000u);
    EXPECT_EQ(r.initrd_addr, 8 * kMiB - 4096);
}

// Hostile header fields: every outcome is a load or a LinuxBootError, and
// nothing is ever written outside RAM.
TEST(LinuxLoader, RandomHeaderFieldsNeverWriteOutsideRam) {
    const auto good = make_image({});
    const auto initrd = pattern(3000, 4);
    RamMemory mem(24 * kMiB);
    std::mt19937 rng(12345);
    int loaded = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        auto image = good;
        const int changes = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < changes; ++i) {
            image[0x1F1 + rng() % (0x268 - 0x1F1)] = static_cast<uint8_t>(rng());
        }
        try {
            load_linux(mem, image, initrd, "console=ttyS0", config_for(24 * kMiB));
            ++loaded;
        } catch (const LinuxBootError&) {
        }
    }
    EXPECT_EQ(mem.outside_writes, 0);
    EXPECT_GT(loaded, 0);  // the mutations do not all hit checked fields
}

// Every refusal leaves guest memory untouched and names the file.
void expect_refused(const std::vector<uint8_t>& image, std::span<const uint8_t> initrd,
                    const std::string& cmdline, const LinuxBootConfig& c,
                    const std::string& needle) {
    RamMemory mem(c.ram_bytes);
    try {
        load_linux(mem, image, initrd, cmdline, c);
        ADD_FAILURE() << "accepted; expected an error containing '" << needle << "'";
    } catch (const LinuxBootError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(needle), std::string::npos) << what;
        EXPECT_TRUE(what.find("test-bzImage") != std::string::npos ||
                    what.find("test-initrd") != std::string::npos)
            << what;
    }
    EXPECT_EQ(mem.writes, 0);
}

TEST(LinuxLoader, RefusesWrongBootFlag) {
    ImageSpec spec;
    spec.boot_flag = 0x1234;
    expect_refused(make_image(spec), {}, "", config_for(32 * kMiB), "boot_flag");
}

TEST(LinuxLoader, RefusesMissingHdrS) {
    ImageSpec spec;
    spec.magic = "XXXX";
    expect_refused(make_image(spec), {}, "", config_for(32 * kMiB), "HdrS");
}

TEST(LinuxLoader, RefusesOldProtocol) {
    ImageSpec spec;
    spec.protocol = 0x0201;
    expect_refused(make_image(spec), {}, "", config_for(32 * kMiB), "too old");
}

TEST(LinuxLoader, RefusesZImage) {
    ImageSpec spec;
    spec.loadflags = 0;
    expect_refused(make_image(spec), {}, "", config_for(32 * kMiB), "LOADED_HIGH");
}

TEST(LinuxLoader, RefusesTruncatedKernel) {
    ImageSpec spec;
    spec.syssize_bytes = spec.kernel_bytes + 16;
    expect_refused(make_image(spec), {}, "", config_for(32 * kMiB), "truncated");
}

TEST(LinuxLoader, RefusesTruncatedSetup) {
    auto image = make_image({});
    image.resize(5 * 512);  // setup code only, no kernel
    expect_refused(image, {}, "", config_for(32 * kMiB), "truncated");
    image.resize(600);
    expect_refused(image, {}, "", config_for(32 * kMiB), "too small");
}

TEST(LinuxLoader, RefusesKernelLargerThanRam) {
    // Decompressing at 16 MiB with init_size 4 MiB needs 20 MiB.
    expect_refused(make_image({}), {}, "", config_for(16 * kMiB), "does not fit in RAM");
}

TEST(LinuxLoader, RefusesInitrdThatDoesNotFit) {
    const auto initrd = pattern(13 * kMiB, 0);  // 20 MiB kernel end + 13 > 32
    expect_refused(make_image({}), initrd, "", config_for(32 * kMiB), "does not fit");
}

TEST(LinuxLoader, RefusesInitrdBelowKernelBecauseOfAddrMax) {
    ImageSpec spec;
    spec.initrd_addr_max = 0x10FFFFF;  // inside the kernel's decompression area
    const auto initrd = pattern(100, 0);
    expect_refused(make_image(spec), initrd, "", config_for(32 * kMiB), "initrd_addr_max");
}

TEST(LinuxLoader, RefusesTooLongCommandLine) {
    ImageSpec spec;
    spec.cmdline_size = 16;
    expect_refused(make_image(spec), {}, std::string(17, 'a'), config_for(32 * kMiB),
                   "cmdline_size");
    RamMemory mem(32 * kMiB);
    EXPECT_NO_THROW(
        load_linux(mem, make_image(spec), {}, std::string(16, 'a'), config_for(32 * kMiB)));
}

TEST(LinuxLoader, RefusesBadKernelAlignment) {
    ImageSpec spec;
    spec.kernel_alignment = 0x300000;
    expect_refused(make_image(spec), {}, "", config_for(32 * kMiB), "kernel_alignment");
}

}  // namespace
}  // namespace sandpc
