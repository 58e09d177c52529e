// Runs every fuzz target over a deterministic corpus: valid seeds built here
// (instruction bytes, saved CPU and PIT states, a real overlay, qcow2 images
// written by hand and by qemu-img when it is installed) and a few thousand
// mutations of them. Under ASan/UBSan this catches the crashes, overreads and
// leaks a real fuzzing run would; without sanitizers it still catches crashes
// and broken invariants (__builtin_trap in the targets).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "cpu/cpu.h"
#include "devices/interrupt_line.h"
#include "devices/io_bus.h"
#include "devices/pit8254.h"
#include "devices/scheduler.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/qcow2_backend.h"
#include "devices/storage/zero_backend.h"
#include "snapshot/checkpoint_file.h"
#include "snapshot/state_stream.h"
#include "tests/fuzz/fuzz_targets.h"
#include "tests/fuzz/mutator.h"
#include "tests/support/ram_only_bus.h"

namespace sandpc::fuzz {
namespace {

constexpr unsigned kMutations = 3000;
constexpr auto kTimeBudget = std::chrono::seconds(4);

// Seeds first, then mutations until kMutations or the time budget; returns
// how many mutated inputs ran. Mutations come from a fixed PRNG seed, so a
// failing input is reproducible (it is printed as hex on a crash-free
// failure; a crash shows in the sanitizer report).
unsigned run_corpus(const std::function<int(const uint8_t*, size_t)>& target,
                    const std::vector<Input>& seeds, uint64_t prng_seed) {
    for (const Input& s : seeds) target(s.data(), s.size());
    Mutator m(prng_seed);
    auto start = std::chrono::steady_clock::now();
    unsigned done = 0;
    while (done < kMutations && std::chrono::steady_clock::now() - start < kTimeBudget) {
        Input in = m.next(seeds);
        target(in.data(), in.size());
        ++done;
    }
    return done;
}

class TempPath {
  public:
    explicit TempPath(const char* suffix) {
        const char* dir = std::getenv("TMPDIR");
        path_ = std::string(dir && *dir ? dir : "/tmp") + "/sandpc-seed-" +
                std::to_string(::getpid()) + "-" + suffix;
        std::remove(path_.c_str());
    }
    ~TempPath() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

Input read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return Input(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::string& path, const Input& data) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

Input with_selector(uint8_t selector, const Input& stream) {
    Input in(stream.size() + 1);
    in[0] = selector;
    std::copy(stream.begin(), stream.end(), in.begin() + 1);
    return in;
}

void put_be(Input& b, size_t pos, uint64_t v, unsigned width) {
    for (unsigned i = 0; i < width; ++i)
        b[pos + i] = static_cast<uint8_t>(v >> (8 * (width - 1 - i)));
}

// A minimal qcow2 version 2 image with 512-byte clusters: 64 KiB disk, two
// data clusters mapped through one L2 table, refcounts for every cluster.
Input handmade_qcow2() {
    constexpr uint64_t kCopied = 1ull << 63;
    Input b(0xE00, 0);
    put_be(b, 0, 0x514649FB, 4);           // "QFI\xfb"
    put_be(b, 4, 2, 4);                    // version
    put_be(b, 20, 9, 4);                   // cluster_bits
    put_be(b, 24, 64 * 1024, 8);           // size
    put_be(b, 36, 2, 4);                   // l1_size
    put_be(b, 40, 0x200, 8);               // l1_table_offset
    put_be(b, 48, 0x400, 8);               // refcount_table_offset
    put_be(b, 56, 1, 4);                   // refcount_table_clusters
    put_be(b, 0x200, 0x600 | kCopied, 8);  // L1[0]
    put_be(b, 0x400, 0x800, 8);            // refcount block
    for (unsigned c = 0; c < 7; ++c) put_be(b, 0x800 + 2 * c, 1, 2);
    put_be(b, 0x600, 0xA00 | kCopied, 8);          // L2[0]: cluster 0
    put_be(b, 0x600 + 3 * 8, 0xC00 | kCopied, 8);  // L2[3]: cluster 3
    for (unsigned i = 0; i < 0x400; ++i) b[0xA00 + i] = static_cast<uint8_t>(i * 7 + 1);
    return b;
}

TEST(FuzzCorpus, Decoder) {
    std::vector<Input> seeds = {
        {0x90},
        {0x8B, 0x04, 0x8D, 0x78, 0x56, 0x34, 0x12, 0x66, 0x05, 0x34, 0x12, 0xF0, 0x01, 0x08},
        {0x26, 0x26, 0x26, 0x26, 0xC7, 0x84, 0x88, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12},
        {0x0F, 0x38, 0x00, 0xC0, 0x0F, 0xBA, 0xE1, 0x05, 0xEA, 0x34, 0x12, 0x08, 0x00},
        {0xD9, 0xC0, 0xDD, 0x04, 0x24, 0x0F, 0x6F, 0xC1, 0x0F, 0x01, 0x10, 0xC8, 0x10, 0x00, 0x01},
        Input(15, 0x66),
    };
    Input all_opcodes;
    for (unsigned op = 0; op < 256; ++op)
        all_opcodes.insert(all_opcodes.end(), {uint8_t(op), 0x44, 0x24, 0x08});
    seeds.push_back(all_opcodes);
    unsigned n = run_corpus(decoder, seeds, 0xDEC0DE);
    std::printf("decoder: %u mutated inputs\n", n);
    EXPECT_GE(n, 200u);
}

TEST(FuzzCorpus, StateStream) {
    std::vector<Input> seeds;
    {
        StateWriter w;
        w.begin_section("alpha", 1);
        w.u8(1);
        w.u16(2);
        w.u32(3);
        w.u64(4);
        w.boolean(true);
        w.str("name");
        w.end_section();
        w.begin_section("beta", 7);
        w.end_section();
        seeds.push_back(with_selector(0, w.data()));
    }
    {
        RamOnlyBus bus(64 * 1024);
        Cpu cpu(bus, CpuConfig{64 * 1024});
        cpu.reset();
        StateWriter w;
        cpu.save(w);
        // A loaded state must save back the same (a check that the seed is real).
        StateReader r(w.data());
        Cpu again(bus, CpuConfig{64 * 1024});
        again.load(r);
        StateWriter w2;
        again.save(w2);
        EXPECT_EQ(w.data(), w2.data());
        seeds.push_back(with_selector(1, w.data()));
    }
    {
        Scheduler scheduler;
        IoBus io;
        Pit8254 pit(io, scheduler, InterruptLine());
        pit.write_port(3, 0x34);  // counter 0, mode 2
        pit.write_port(0, 0x00);
        pit.write_port(0, 0x10);
        pit.write_port(3, 0xB6);  // counter 2, mode 3
        pit.write_port(2, 0x33);
        pit.write_port(2, 0x05);
        scheduler.advance(12345);
        StateWriter w;
        pit.save(w);
        seeds.push_back(with_selector(2, w.data()));
    }
    unsigned n = run_corpus(state_stream, seeds, 0x57A7E);
    std::printf("state_stream: %u mutated inputs\n", n);
    EXPECT_GE(n, 200u);
}

TEST(FuzzCorpus, Overlay) {
    TempPath path("overlay.sovl");
    {
        ZeroBackend base(256 * 1024);
        OverlayCreateOptions create;
        create.cluster_bits = overlay::kMinClusterBits;
        OverlayBackend::create_file(path.path(), base, create);
        OverlayOpenOptions open;
        open.writable = true;
        open.durable = false;
        auto disk =
            OverlayBackend::open(path.path(), std::make_unique<ZeroBackend>(256 * 1024), open);
        Input sector(512);
        for (size_t i = 0; i < sector.size(); ++i) sector[i] = static_cast<uint8_t>(i ^ 0x5A);
        disk->write(0, sector);
        disk->write(200 * 1024, sector);
        disk->flush();
    }
    Input image = read_file(path.path());
    ASSERT_GT(image.size(), overlay::kHeaderSize);
    // The seed really opens and reads back what was written.
    {
        OverlayOpenOptions open;
        open.verify_base = false;
        auto disk =
            OverlayBackend::open(path.path(), std::make_unique<ZeroBackend>(256 * 1024), open);
        Input back(512);
        disk->read(200 * 1024, back);
        EXPECT_EQ(back[1], 1 ^ 0x5A);
    }
    unsigned n = run_corpus(overlay, {image}, 0x0E71A7);
    std::printf("overlay: %u mutated inputs\n", n);
    EXPECT_GE(n, 200u);
}

std::vector<Input> qcow2_seeds() {
    std::vector<Input> seeds = {handmade_qcow2()};
#ifdef SANDPC_QEMU_IMG
    TempPath raw("raw.img"), plain("plain.qcow2"), packed("packed.qcow2");
    Input disk(64 * 1024, 0);
    for (size_t i = 0; i < 4096; ++i) disk[8192 + i] = static_cast<uint8_t>(i * 13);
    for (size_t i = 0; i < 512; ++i) disk[60000 + i] = 0xE5;
    write_file(raw.path(), disk);
    std::string base =
        std::string(SANDPC_QEMU_IMG) + " convert -q -f raw -O qcow2 -o cluster_size=512 ";
    if (std::system((base + raw.path() + " " + plain.path()).c_str()) == 0)
        seeds.push_back(read_file(plain.path()));
    if (std::system((base + "-c " + raw.path() + " " + packed.path()).c_str()) == 0)
        seeds.push_back(read_file(packed.path()));
    EXPECT_EQ(seeds.size(), 3u) << "qemu-img did not write both seed images";
#endif
    return seeds;
}

TEST(FuzzCorpus, Qcow2) {
    std::vector<Input> seeds = qcow2_seeds();
    // Every seed opens and reads the data it holds.
    for (const Input& s : seeds) {
        TempPath path("check.qcow2");
        write_file(path.path(), s);
        auto disk = Qcow2Backend::open(
            path.path(), [](const std::string&, const std::string&) { return BlockBackendPtr(); });
        EXPECT_EQ(disk->size(), 64u * 1024);
    }
    unsigned n = run_corpus(qcow2, seeds, 0xC0C02);
    std::printf("qcow2: %u mutated inputs\n", n);
    EXPECT_GE(n, 200u);
}

TEST(FuzzCorpus, Checkpoint) {
    TempPath path("seed.ckpt");
    Input ram(40 * 4096, 0);
    for (size_t i = 0; i < 4096; ++i) ram[8192 + i] = static_cast<uint8_t>(i * 37 + (i >> 7));
    for (size_t i = 0; i < 4096; ++i) ram[30 * 4096 + i] = "checkpoint "[i % 11];
    Input vram(3000, 0x11);
    {
        CheckpointWriter w;
        w.set_description({{"ram_size", std::to_string(ram.size())}, {"cpu", "i686"}});
        w.set_state({1, 2, 3, 4, 5, 6, 7, 8});
        w.add_memory("ram", ram);
        w.add_memory("vram", vram);
        DriveReference d;
        d.slot = 1;
        d.path_hint = "disk.sovl";
        d.format = "overlay";
        d.virtual_size = 1 << 20;
        d.identity[0] = 0xAB;
        w.add_drive(d);
        CheckpointWriteOptions options;
        options.durable = false;
        w.write(path.path(), options);
    }
    // The seed really opens and restores what was saved.
    {
        CheckpointReader r = CheckpointReader::open(path.path());
        Input back(ram.size());
        r.restore_memory("ram", back);
        EXPECT_EQ(back, ram);
        ASSERT_EQ(r.drives().size(), 1u);
    }
    Input file = read_file(path.path());
    // As is (checksums stop most mutations) and with checksums recomputed.
    unsigned n = run_corpus(checkpoint, {with_selector(0, file), with_selector(1, file)}, 0xC4EC);
    std::printf("checkpoint: %u mutated inputs\n", n);
    EXPECT_GE(n, 200u);
}

}  // namespace
}  // namespace sandpc::fuzz
