#include "devices/fw_cfg/fw_cfg.h"

#include <gtest/gtest.h>

#include "snapshot/state_stream.h"

namespace sandpc {
namespace {

constexpr uint16_t kSelector = 0x510;
constexpr uint16_t kData = 0x511;

// Reads `n` bytes of item `key` the way firmware does: outw the key, inb data.
std::vector<uint8_t> read_item(IoBus& io, uint16_t key, size_t n) {
    io.write16(kSelector, key);
    std::vector<uint8_t> out(n);
    for (auto& b : out) b = io.read8(kData);
    return out;
}

uint64_t le(const std::vector<uint8_t>& b) {
    uint64_t v = 0;
    for (size_t i = b.size(); i-- > 0;) v = v << 8 | b[i];
    return v;
}

uint32_t be32(const std::vector<uint8_t>& b, size_t off) {
    return uint32_t{b[off]} << 24 | uint32_t{b[off + 1]} << 16 | uint32_t{b[off + 2]} << 8 |
           b[off + 3];
}

struct FwCfgTest : ::testing::Test {
    IoBus io;
    FwCfg cfg{io};
};

TEST_F(FwCfgTest, SignatureAndId) {
    const auto sig = read_item(io, fw_cfg::kSignature, 4);
    EXPECT_EQ(std::string(sig.begin(), sig.end()), "QEMU");
    EXPECT_EQ(le(read_item(io, fw_cfg::kId, 4)), 1u);  // traditional interface, no DMA
}

TEST_F(FwCfgTest, RamSizeAndCpusAreLittleEndian) {
    cfg.set_ram_size(0x123456789ull);
    cfg.set_cpu_count(3);
    EXPECT_EQ(le(read_item(io, fw_cfg::kRamSize, 8)), 0x123456789ull);
    EXPECT_EQ(le(read_item(io, fw_cfg::kNbCpus, 2)), 3u);
    EXPECT_EQ(le(read_item(io, fw_cfg::kMaxCpus, 2)), 3u);
}

TEST_F(FwCfgTest, FileFoundThroughDirectory) {
    cfg.add_file("etc/first", {1, 2, 3});
    cfg.add_file("opt/sandpc/job", {'e', 'c', 'h', 'o', ' ', 'h', 'i'});

    // Directory: big-endian count, then {be32 size, be16 select, u16, name[56]}.
    io.write16(kSelector, fw_cfg::kFileDir);
    std::vector<uint8_t> count(4);
    for (auto& b : count) b = io.read8(kData);
    const uint32_t n = be32(count, 0);
    ASSERT_EQ(n, 2u);
    uint16_t key = 0;
    uint32_t size = 0;
    for (uint32_t i = 0; i < n; ++i) {
        std::vector<uint8_t> e(64);
        for (auto& b : e) b = io.read8(kData);
        const std::string name(reinterpret_cast<const char*>(&e[8]));
        if (name == "opt/sandpc/job") {
            size = be32(e, 0);
            key = static_cast<uint16_t>(e[4] << 8 | e[5]);
        }
    }
    ASSERT_NE(key, 0) << "file not listed";
    EXPECT_GE(key, fw_cfg::kFileFirst);
    ASSERT_EQ(size, 7u);
    const auto data = read_item(io, key, size);
    EXPECT_EQ(std::string(data.begin(), data.end()), "echo hi");
}

TEST_F(FwCfgTest, ReplacingAFileKeepsItsKey) {
    const uint16_t a = cfg.add_file("etc/a", {1});
    const uint16_t b = cfg.add_file("etc/b", {2});
    EXPECT_NE(a, b);
    EXPECT_EQ(cfg.add_file("etc/a", {9, 9}), a);
    EXPECT_EQ(read_item(io, a, 2), (std::vector<uint8_t>{9, 9}));
    EXPECT_EQ(be32(read_item(io, fw_cfg::kFileDir, 4), 0), 2u);
    EXPECT_THROW(cfg.add_file("", {}), std::invalid_argument);
    EXPECT_THROW(cfg.add_file(std::string(56, 'x'), {}), std::invalid_argument);
}

TEST_F(FwCfgTest, ReadsPastTheEndReturnZeroAndReselectRewinds) {
    cfg.set_item(0x30, {0xAA, 0xBB});
    EXPECT_EQ(read_item(io, 0x30, 5), (std::vector<uint8_t>{0xAA, 0xBB, 0, 0, 0}));
    EXPECT_EQ(io.read8(kData), 0);  // stays at the end: no wrap to the start
    io.write16(kSelector, 0x30);
    EXPECT_EQ(io.read8(kData), 0xAA);
}

TEST_F(FwCfgTest, UnknownItemReadsZero) {
    EXPECT_EQ(read_item(io, 0x2FFF, 3), (std::vector<uint8_t>{0, 0, 0}));
}

TEST_F(FwCfgTest, WriteChannelBitSelectsTheSameItem) {
    const auto sig = read_item(io, fw_cfg::kSignature | fw_cfg::kWriteChannel, 4);
    EXPECT_EQ(std::string(sig.begin(), sig.end()), "QEMU");
}

TEST_F(FwCfgTest, ArchLocalItemsAreSeparate) {
    cfg.set_item(fw_cfg::kArchLocal | 0x03, {7});  // e.g. the e820 table
    EXPECT_EQ(read_item(io, fw_cfg::kArchLocal | 0x03, 1)[0], 7);
    EXPECT_EQ(read_item(io, 0x03, 1)[0], 0);  // RAM size not set
}

TEST_F(FwCfgTest, PortWidthsFollowQemu) {
    // An 8-bit read of the selector port reads data too; 8-bit writes do not
    // select; wider reads return all ones without consuming data.
    io.write16(kSelector, fw_cfg::kSignature);
    EXPECT_EQ(io.read8(kSelector), 'Q');
    io.write8(kSelector, fw_cfg::kId);
    EXPECT_EQ(io.read8(kData), 'E');
    EXPECT_EQ(io.read16(kSelector), 0xFFFF);
    EXPECT_EQ(io.read8(kData), 'M');
}

TEST_F(FwCfgTest, KernelBootItems) {
    const std::vector<uint8_t> setup(1024, 1), kernel(3000, 2), initrd(100, 3);
    FwCfgKernelBoot b;
    b.setup_addr = 0x10000;
    b.setup = setup;
    b.kernel_addr = 0x100000;
    b.kernel = kernel;
    b.cmdline_addr = 0x1E000;
    b.cmdline = "console=ttyS0";
    b.initrd_addr = 0x7F00000;
    b.initrd = initrd;
    cfg.set_kernel_boot(b);
    EXPECT_EQ(le(read_item(io, fw_cfg::kSetupAddr, 4)), 0x10000u);
    EXPECT_EQ(le(read_item(io, fw_cfg::kSetupSize, 4)), 1024u);
    EXPECT_EQ(le(read_item(io, fw_cfg::kKernelAddr, 4)), 0x100000u);
    EXPECT_EQ(le(read_item(io, fw_cfg::kKernelSize, 4)), 3000u);
    EXPECT_EQ(read_item(io, fw_cfg::kKernelData, 3000), kernel);
    EXPECT_EQ(le(read_item(io, fw_cfg::kCmdlineSize, 4)), 14u);  // with the NUL
    const auto line = read_item(io, fw_cfg::kCmdlineData, 14);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(line.data())), "console=ttyS0");
    EXPECT_EQ(le(read_item(io, fw_cfg::kInitrdAddr, 4)), 0x7F00000u);
    EXPECT_EQ(le(read_item(io, fw_cfg::kInitrdSize, 4)), 100u);
    EXPECT_EQ(read_item(io, fw_cfg::kInitrdData, 100), initrd);
    EXPECT_FALSE(cfg.has_item(fw_cfg::kKernelEntry));
}

TEST_F(FwCfgTest, SaveLoadKeepsSelectorAndOffset) {
    cfg.add_file("etc/x", {10, 11, 12, 13});
    const uint16_t key = fw_cfg::kFileFirst;
    io.write16(kSelector, key);
    io.read8(kData);
    io.read8(kData);
    StateWriter w;
    cfg.save(w);

    IoBus io2;
    FwCfg other(io2);
    other.add_file("etc/x", {10, 11, 12, 13});
    StateReader r(w.data());
    other.load(r);
    EXPECT_EQ(other.selector(), key);
    EXPECT_EQ(io2.read8(kData), 12);
    EXPECT_EQ(io2.read8(kData), 13);
    EXPECT_EQ(io2.read8(kData), 0);
}

TEST_F(FwCfgTest, LoadRefusesMissingOrShorterItem) {
    cfg.add_file("etc/x", {10, 11, 12, 13});
    io.write16(kSelector, fw_cfg::kFileFirst);
    for (int i = 0; i < 3; ++i) io.read8(kData);
    StateWriter w;
    cfg.save(w);
    {
        IoBus io2;
        FwCfg missing(io2);
        StateReader r(w.data());
        EXPECT_THROW(missing.load(r), StateError);
        EXPECT_EQ(missing.selector(), 0);
    }
    {
        IoBus io2;
        FwCfg shorter(io2);
        shorter.add_file("etc/x", {1});
        StateReader r(w.data());
        EXPECT_THROW(shorter.load(r), StateError);
    }
}

TEST_F(FwCfgTest, LoadAcceptsUnknownSelectorTheGuestChose) {
    io.write16(kSelector, 0x2FFF);
    StateWriter w;
    cfg.save(w);
    IoBus io2;
    FwCfg other(io2);
    StateReader r(w.data());
    other.load(r);
    EXPECT_EQ(other.selector(), 0x2FFF);
    EXPECT_EQ(io2.read8(kData), 0);
}

TEST_F(FwCfgTest, LoadRefusesCorruptSection) {
    StateWriter w;
    cfg.save(w);
    std::vector<uint8_t> bytes = w.data();
    bytes.resize(bytes.size() - 3);
    StateReader r(bytes);
    EXPECT_THROW(cfg.load(r), StateError);
}

}  // namespace
}  // namespace sandpc
