// Parses and loads the real Debian i386 kernel that
// scripts/build-linux-guest.sh caches; skipped when it has not been run.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "bios/boot/linux_loader.h"
#include "tests/boot/ram_memory.h"

namespace sandpc {
namespace {

using test::RamMemory;

constexpr uint64_t kMiB = 1 << 20;

// The real Debian kernel, when scripts/build-linux-guest.sh has been run.
std::string cached_bzimage() {
    if (const char* dir = std::getenv("SANDPC_CACHE")) return std::string(dir) + "/linux/bzImage";
    if (const char* home = std::getenv("HOME")) {
        return std::string(home) + "/.cache/sandpc/linux/bzImage";
    }
    return "";
}

TEST(LinuxLoaderGuest, ParsesDebianBzImage) {
    const std::string path = cached_bzimage();
    std::ifstream in(path, std::ios::binary);
    if (!in) GTEST_SKIP() << "no " << path << ": run scripts/build-linux-guest.sh to fetch it";
    std::vector<uint8_t> image((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    const LinuxSetupHeader h = parse_linux_header(image, path);
    EXPECT_GE(h.protocol, 0x020F);
    EXPECT_TRUE(h.loadflags & kLinuxLoadedHigh);
    EXPECT_TRUE(h.relocatable);
    EXPECT_GT(h.init_size, 0u);
    // The script records the package's release (e.g. 6.1.0-50-686); the
    // header's version string starts with it.
    std::ifstream release_file(path.substr(0, path.rfind('/')) + "/kernel-version");
    std::string release;
    ASSERT_TRUE(std::getline(release_file, release)) << "kernel-version missing next to bzImage";
    EXPECT_EQ(h.kernel_version.rfind(release + " ", 0), 0u) << h.kernel_version;
    // Loads into 128 MiB with the project's initramfs-sized initrd.
    RamMemory mem(128 * kMiB);
    LinuxBootConfig c;
    c.kernel_name = path;
    c.ram_bytes = 128 * kMiB;
    const std::vector<uint8_t> initrd(1 << 20, 0x5A);
    const auto r = load_linux(mem, image, initrd, "console=ttyS0", c);
    EXPECT_GE(r.initrd_addr, r.kernel_run_end);
    EXPECT_EQ(mem.outside_writes, 0);
    std::printf("kernel %s, protocol %x, setup %u bytes, init_size %u, run end %llx\n",
                h.kernel_version.c_str(), h.protocol, h.setup_bytes(), h.init_size,
                static_cast<unsigned long long>(r.kernel_run_end));
}

}  // namespace
}  // namespace sandpc
