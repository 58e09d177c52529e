// QEMU's fw_cfg on the PC: a boot sector reads it through ports 510h/511h.
#include "snapshot/state_stream.h"
#include "tests/bios/bios_guest.h"
#include "tests/boot/fake_bzimage.h"

namespace sandpc::test {
namespace {

uint64_t peek64(Machine& m, uint64_t paddr) {
    return peek32(m, paddr) | uint64_t(peek32(m, paddr + 4)) << 32;
}

TEST(FwCfgMachine, GuestReadsSignatureRamSizeAndCpuCount) {
    for (uint32_t ram_mb : {32u, 48u}) {
        MachineConfig c = guest_config("fw_cfg_read");
        c.ram_mb = ram_mb;
        Machine m(std::move(c));
        ASSERT_EQ(run_guest(m), 0x5A);
        EXPECT_EQ(peek32(m, 0x600), 0x554D4551u);  // "QEMU"
        EXPECT_EQ(peek32(m, 0x604), 1u);           // traditional interface only
        EXPECT_EQ(peek64(m, 0x608), uint64_t(ram_mb) << 20);
        EXPECT_EQ(peek16(m, 0x610), 1u);
        EXPECT_EQ(peek8(m, 0x612), 0u) << "no -kernel: no command line item";
    }
}

TEST(FwCfgMachine, LinuxKernelItemsMatchTheLoadedLayout) {
    MachineConfig c;
    c.kernel = make_image(ImageSpec{});
    c.initrd = std::vector<uint8_t>(3000, 0x5C);
    c.kernel_cmdline = "console=ttyS0 fw=cfg";
    Machine m(std::move(c));
    const auto item = [&](uint16_t key, size_t n) {
        m.io().write16(0x510, key);
        std::vector<uint8_t> out(n);
        for (auto& b : out) b = m.io().read8(0x511);
        return out;
    };
    const auto u32 = [&](uint16_t key) {
        auto b = item(key, 4);
        return uint32_t(b[0] | b[1] << 8 | b[2] << 16 | uint32_t(b[3]) << 24);
    };
    const std::vector<uint8_t> file = make_image(ImageSpec{});
    const size_t setup = 5 * 512;  // setup_sects 4 + the boot sector
    EXPECT_EQ(u32(fw_cfg::kSetupAddr), 0x10000u);
    EXPECT_EQ(u32(fw_cfg::kSetupSize), setup);
    EXPECT_EQ(u32(fw_cfg::kKernelAddr), 0x100000u);
    EXPECT_EQ(u32(fw_cfg::kKernelSize), file.size() - setup);
    const auto kernel = item(fw_cfg::kKernelData, file.size() - setup);
    EXPECT_TRUE(std::equal(kernel.begin(), kernel.end(), file.begin() + setup));
    // The setup part as the loader fills it in: type_of_loader and the
    // command line and initrd pointers.
    const auto hdr = item(fw_cfg::kSetupData, setup);
    EXPECT_EQ(hdr[0x210], 0xFF);
    const uint32_t cmdline_ptr = hdr[0x228] | hdr[0x229] << 8 | hdr[0x22A] << 16;
    EXPECT_EQ(cmdline_ptr, u32(fw_cfg::kCmdlineAddr));
    EXPECT_EQ(u32(fw_cfg::kCmdlineSize), 21u);
    const auto line = item(fw_cfg::kCmdlineData, 21);
    EXPECT_EQ(std::string(line.begin(), line.end() - 1), "console=ttyS0 fw=cfg");
    EXPECT_EQ(line.back(), 0);
    const uint32_t initrd = u32(fw_cfg::kInitrdAddr);
    EXPECT_EQ(initrd, uint32_t(hdr[0x218] | hdr[0x219] << 8 | hdr[0x21A] << 16 | hdr[0x21B] << 24));
    EXPECT_NE(initrd, 0u);
    EXPECT_EQ(initrd % 4096, 0u);
    EXPECT_EQ(u32(fw_cfg::kInitrdSize), 3000u);
    EXPECT_EQ(item(fw_cfg::kInitrdData, 3000), std::vector<uint8_t>(3000, 0x5C));
}

TEST(FwCfgMachine, SelectorAndOffsetSurviveSaveAndLoad) {
    Machine a(guest_config("fw_cfg_read"));
    a.io().write16(0x510, fw_cfg::kSignature);
    EXPECT_EQ(a.io().read8(0x511), 'Q');
    StateWriter w;
    a.save(w);
    const std::vector<uint8_t> state = w.take();

    Machine b(guest_config("fw_cfg_read"));
    StateReader r(state);
    b.load(r);
    EXPECT_EQ(b.io().read8(0x511), 'E') << "the read offset was restored";

    // A version-1 stream (before fw_cfg was attached): section "machine"
    // version 1 and no "fw_cfg" section at the end. It loads, with the
    // selector on the signature.
    std::vector<uint8_t> v1 = state;
    const size_t fw_cfg_section = 4 + 6 + 4 + 8 + (2 + 4 + 1) + 4;
    ASSERT_EQ(std::string(v1.end() - fw_cfg_section + 4, v1.end() - fw_cfg_section + 10), "fw_cfg");
    v1.resize(v1.size() - fw_cfg_section);
    ASSERT_EQ(std::string(v1.begin() + 4, v1.begin() + 11), "machine");
    ASSERT_EQ(v1[11], 2);
    v1[11] = 1;
    Machine c(guest_config("fw_cfg_read"));
    c.io().write16(0x510, fw_cfg::kRamSize);
    StateReader r1(v1);
    c.load(r1);
    EXPECT_TRUE(r1.at_end());
    EXPECT_EQ(c.io().read8(0x511), 'Q');
}

}  // namespace
}  // namespace sandpc::test
