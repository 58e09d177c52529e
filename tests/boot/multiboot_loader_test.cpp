#include "bios/boot/multiboot_loader.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/boot/ram_memory.h"

namespace sandpc {
namespace {

using test::RamMemory;

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kRam = 16 * kMiB;

void put(std::vector<uint8_t>& b, size_t off, uint64_t v, int n) {
    if (b.size() < off + n) b.resize(off + n);
    for (int i = 0; i < n; ++i) b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

void put_header(std::vector<uint8_t>& b, size_t off, uint32_t flags) {
    put(b, off, kMultibootHeaderMagic, 4);
    put(b, off + 4, flags, 4);
    put(b, off + 8, uint32_t(0) - kMultibootHeaderMagic - flags, 4);
}

struct Phdr {
    uint32_t type = 1, offset = 0, paddr = 0, filesz = 0, memsz = 0;
};

// An ELF32 i386 executable; segment file bytes are patterned by offset.
std::vector<uint8_t> make_elf(const std::vector<Phdr>& phdrs, uint32_t entry, size_t size) {
    std::vector<uint8_t> b(size);
    for (size_t i = 0; i < size; ++i) b[i] = static_cast<uint8_t>(i * 31 + 7);
    const uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1, 1, 1, 0};
    std::fill(b.begin(), b.begin() + 52, 0);
    std::copy(std::begin(ident), std::end(ident), b.begin());
    put(b, 16, 2, 2);  // ET_EXEC
    put(b, 18, 3, 2);  // EM_386
    put(b, 20, 1, 4);  // EV_CURRENT
    put(b, 24, entry, 4);
    put(b, 28, 52, 4);  // e_phoff
    put(b, 40, 52, 2);  // e_ehsize
    put(b, 42, 32, 2);  // e_phentsize
    put(b, 44, phdrs.size(), 2);
    for (size_t i = 0; i < phdrs.size(); ++i) {
        const size_t p = 52 + 32 * i;
        put(b, p, phdrs[i].type, 4);
        put(b, p + 4, phdrs[i].offset, 4);
        put(b, p + 8, phdrs[i].paddr + 0xC0000000u, 4);  // vaddr: higher half
        put(b, p + 12, phdrs[i].paddr, 4);
        put(b, p + 16, phdrs[i].filesz, 4);
        put(b, p + 20, phdrs[i].memsz, 4);
    }
    return b;
}

// Text at 1 MiB with bss, data at 2 MiB; the header starts the text.
std::vector<uint8_t> sample_elf(uint32_t flags = 0x3) {
    auto b = make_elf({{1, 0x1000, 0x100000, 0x300, 0x2000}, {1, 0x1300, 0x200000, 0x100, 0x100}},
                      0x100040, 0x1400);
    put_header(b, 0x1000, flags);
    return b;
}

std::vector<MemoryRegion> sample_map() {
    return {{0, 0x9FC00, 1},
            {0x9FC00, 0x400, 2},
            {0xF0000, 0x10000, 2},
            {0x100000, kRam - 0x100000, 1}};
}

MultibootConfig sample_config() {
    MultibootConfig c;
    c.kernel_name = "test-kernel.elf";
    c.ram_bytes = kRam;
    c.memory_map = sample_map();
    c.cmdline = "test-kernel.elf verbose";
    return c;
}

TEST(Multiboot, LoadsElfSegmentsAndZeroesBss) {
    const auto elf = sample_elf();
    RamMemory mem(kRam);
    const auto r = load_multiboot(mem, elf, sample_config());
    EXPECT_TRUE(mem.equals(0x100000, elf, 0x1000, 0x300));
    for (uint64_t a = 0x100300; a < 0x102000; a += 0x100) EXPECT_EQ(mem.u8(a), 0) << a;
    EXPECT_EQ(mem.u8(0x102000), 0xCC);
    EXPECT_TRUE(mem.equals(0x200000, elf, 0x1300, 0x100));
    EXPECT_EQ(r.entry.eip, 0x100040u);
    EXPECT_EQ(r.entry.eax, 0x2BADB002u);
    EXPECT_EQ(r.entry.ebx, r.info_addr);
    EXPECT_EQ(r.kernel_start, 0x100000u);
    EXPECT_EQ(r.kernel_end, 0x200100u);
    EXPECT_EQ(mem.outside_writes, 0);
}

TEST(Multiboot, BuildsInformationStructure) {
    MultibootConfig c = sample_config();
    const std::vector<uint8_t> initrd(5000, 0xAB);
    const std::vector<uint8_t> second(10, 0x11);
    c.modules = {{initrd, "initrd.img"}, {second, "second arg=1"}};
    RamMemory mem(kRam);
    const auto r = load_multiboot(mem, sample_elf(), c);
    const uint32_t info = r.info_addr;
    EXPECT_EQ(info, 0x8000u);  // low memory, free of kernel segments

    const uint32_t flags = mem.u32(info);
    EXPECT_EQ(flags, (1u << 0) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 9));
    EXPECT_EQ(mem.u32(info + 4), 0x9FC00u / 1024);           // mem_lower
    EXPECT_EQ(mem.u32(info + 8), (kRam - 0x100000) / 1024);  // mem_upper
    EXPECT_EQ(mem.str(mem.u32(info + 16)), "test-kernel.elf verbose");
    EXPECT_EQ(mem.str(mem.u32(info + 64)), "sandpc");

    // Modules: page aligned after the kernel, in order, with their strings.
    ASSERT_EQ(mem.u32(info + 20), 2u);
    const uint32_t mods = mem.u32(info + 24);
    EXPECT_EQ(mem.u32(mods), 0x201000u);
    EXPECT_EQ(mem.u32(mods + 4), 0x201000u + 5000);
    EXPECT_EQ(mem.str(mem.u32(mods + 8)), "initrd.img");
    EXPECT_EQ(mem.u32(mods + 16), 0x203000u);
    EXPECT_EQ(mem.u32(mods + 20), 0x20300Au);
    EXPECT_EQ(mem.str(mem.u32(mods + 24)), "second arg=1");
    EXPECT_TRUE(mem.equals(0x201000, initrd, 0, initrd.size()));
    EXPECT_TRUE(mem.equals(0x203000, second, 0, second.size()));

    // Memory map: 24-byte entries whose size field excludes itself.
    const auto map = sample_map();
    ASSERT_EQ(mem.u32(info + 44), map.size() * 24);
    const uint32_t mmap = mem.u32(info + 48);
    for (size_t i = 0; i < map.size(); ++i) {
        const uint32_t e = mmap + uint32_t(24 * i);
        EXPECT_EQ(mem.u32(e), 20u);
        EXPECT_EQ(mem.u64(e + 4), map[i].base);
        EXPECT_EQ(mem.u64(e + 12), map[i].length);
        EXPECT_EQ(mem.u32(e + 20), map[i].type);
    }
}

TEST(Multiboot, InfoMovesAboveModulesWhenKernelUsesLowMemory) {
    auto elf = make_elf({{1, 0x1000, 0x8000, 0x200, 0x200}}, 0x8010, 0x1200);
    put_header(elf, 0x1000, 0);
    RamMemory mem(kRam);
    const auto r = load_multiboot(mem, elf, sample_config());
    EXPECT_TRUE(mem.equals(0x8000, elf, 0x1000, 0x200));
    EXPECT_EQ(r.info_addr, 0x100000u);  // first page above 1 MiB and the kernel
    EXPECT_EQ(mem.str(mem.u32(r.info_addr + 64)), "sandpc");
}

TEST(Multiboot, LoadsAoutKludge) {
    // Flat binary linked at 1 MiB; the header sits at file offset 0x40.
    std::vector<uint8_t> bin(0x600);
    for (size_t i = 0; i < bin.size(); ++i) bin[i] = static_cast<uint8_t>(i ^ 0x5A);
    put_header(bin, 0x40, 0x10003);
    put(bin, 0x40 + 12, 0x100040, 4);  // header_addr
    put(bin, 0x40 + 16, 0x100000, 4);  // load_addr
    put(bin, 0x40 + 20, 0x100400, 4);  // load_end_addr
    put(bin, 0x40 + 24, 0x102000, 4);  // bss_end_addr
    put(bin, 0x40 + 28, 0x100080, 4);  // entry_addr
    RamMemory mem(kRam);
    const auto r = load_multiboot(mem, bin, sample_config());
    EXPECT_EQ(r.entry.eip, 0x100080u);
    EXPECT_TRUE(mem.equals(0x100000, bin, 0, 0x400));
    EXPECT_EQ(mem.u8(0x100400), 0);  // bss, not the file's byte
    EXPECT_EQ(mem.u8(0x101FFF), 0);
    EXPECT_EQ(mem.u8(0x102000), 0xCC);
}

TEST(Multiboot, RandomHeaderFieldsNeverWriteOutsideRam) {
    const auto good = sample_elf();
    const std::vector<uint8_t> module(3000, 1);
    MultibootConfig c = sample_config();
    c.modules = {{module, "m"}};
    RamMemory mem(kRam);
    std::mt19937 rng(777);
    int loaded = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        auto image = good;
        const int changes = 1 + static_cast<int>(rng() % 4);
        for (int i = 0; i < changes; ++i) {
            image[rng() % (52 + 64)] = static_cast<uint8_t>(rng());  // ELF and program headers
        }
        try {
            load_multiboot(mem, image, c);
            ++loaded;
        } catch (const MultibootError&) {
        }
    }
    EXPECT_EQ(mem.outside_writes, 0);
    EXPECT_GT(loaded, 0);
}

void expect_refused(const std::vector<uint8_t>& image, const std::string& needle,
                    const MultibootConfig& c = sample_config()) {
    RamMemory mem(c.ram_bytes);
    try {
        load_multiboot(mem, image, c);
        ADD_FAILURE() << "accepted; expected an error containing '" << needle << "'";
    } catch (const MultibootError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(needle), std::string::npos) << what;
        EXPECT_NE(what.find("test-kernel.elf"), std::string::npos) << what;
    }
    EXPECT_EQ(mem.writes, 0);
}

TEST(Multiboot, RefusesFileWithoutHeader) {
    auto elf = sample_elf();
    put(elf, 0x1000, 0, 4);
    expect_refused(elf, "no multiboot header");
}

TEST(Multiboot, RefusesBadChecksum) {
    auto elf = sample_elf();
    put(elf, 0x1008, 0x12345678, 4);
    expect_refused(elf, "no multiboot header");
    expect_refused(elf, "the magic at offset 0x1000 has checksum 0x12345678");
}

TEST(Multiboot, RefusesHeaderBeyond8KiB) {
    auto elf = make_elf({{1, 0x2000, 0x100000, 0x100, 0x100}}, 0x100000, 0x2100);
    put_header(elf, 0x2000, 0);
    expect_refused(elf, "first 8 KiB");
}

TEST(Multiboot, RefusesVideoModeRequest) {
    expect_refused(sample_elf(0x7), "video mode");
}

TEST(Multiboot, RefusesUnknownRequiredFlag) {
    expect_refused(sample_elf(0x8), "unknown");
}

TEST(Multiboot, RefusesSegmentOverBiosArea) {
    auto elf = make_elf({{1, 0x1000, 0x9F000, 0x100, 0x2000}}, 0x9F000, 0x1100);
    put_header(elf, 0x1000, 0);
    expect_refused(elf, "BIOS area");
}

TEST(Multiboot, RefusesSegmentBeyondRam) {
    auto elf = make_elf({{1, 0x1000, 0xF00000, 0x100, 0x200000}}, 0xF00000, 0x1100);
    put_header(elf, 0x1000, 0);
    expect_refused(elf, "RAM");
}

TEST(Multiboot, RefusesSegmentWrappingPast4GiB) {
    auto elf = make_elf({{1, 0x1000, 0xFFFFF000, 0x100, 0x2000}}, 0x100000, 0x1100);
    put_header(elf, 0x1000, 0);
    expect_refused(elf, "4 GiB");
}

TEST(Multiboot, RefusesFileszLargerThanMemsz) {
    auto elf = make_elf({{1, 0x1000, 0x100000, 0x100, 0x80}}, 0x100000, 0x1100);
    put_header(elf, 0x1000, 0);
    expect_refused(elf, "p_filesz");
}

TEST(Multiboot, RefusesSegmentPastEndOfFile) {
    auto elf = make_elf({{1, 0x1000, 0x100000, 0x5000, 0x5000}}, 0x100000, 0x1100);
    put_header(elf, 0x1000, 0);
    expect_refused(elf, "past the end of the file");
}

TEST(Multiboot, RefusesProgramHeadersOutsideFile) {
    auto elf = sample_elf();
    put(elf, 44, 0xFFFF, 2);  // e_phnum
    expect_refused(elf, "program header table");
}

TEST(Multiboot, RefusesNonElfWithoutAddressFields) {
    std::vector<uint8_t> bin(0x200, 0x90);
    put_header(bin, 0x20, 0);
    expect_refused(bin, "not ELF");
}

TEST(Multiboot, RefusesModuleThatDoesNotFit) {
    MultibootConfig c = sample_config();
    const std::vector<uint8_t> big(kRam - 0x201000 + 1, 0);
    c.modules = {{big, "big"}};
    expect_refused(sample_elf(), "module 0", c);
}

}  // namespace
}  // namespace sandpc
