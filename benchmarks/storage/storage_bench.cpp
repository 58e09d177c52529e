// Overlay creation (target: under 1 ms) and 4 KiB random reads/writes
// through an overlay versus a raw image. Files live under $TMPDIR or /tmp.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "devices/storage/image_open.h"
#include "devices/storage/image_ops.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/raw_backend.h"

namespace sandpc {
namespace {

constexpr uint64_t kDiskSize = 128ull << 20;
constexpr size_t kBlock = 4096;

class BenchDir {
  public:
    BenchDir() {
        const char* t = std::getenv("TMPDIR");
        std::string p = std::string(t && *t ? t : "/tmp") + "/sandpc-bench-XXXXXX";
        if (!::mkdtemp(p.data())) std::abort();
        path_ = p;
        // A base with data in every block, so reads are real reads.
        auto raw = RawBackend::create(base(), kDiskSize);
        std::vector<uint8_t> chunk(1 << 20);
        std::mt19937_64 rng(1);
        for (auto& b : chunk) b = static_cast<uint8_t>(rng());
        for (uint64_t off = 0; off < kDiskSize; off += chunk.size()) raw->write(off, chunk);
        raw->flush();
    }
    ~BenchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::string base() const { return path_ + "/base.img"; }
    std::string file(const std::string& n) const { return path_ + "/" + n; }

  private:
    std::string path_;
};

void BM_CreateOverlay(benchmark::State& state) {
    BenchDir dir;
    std::string path = dir.file("create.sovl");
    for (auto _ : state) {
        create_overlay(path, dir.base());
        state.PauseTiming();
        std::filesystem::remove(path);
        state.ResumeTiming();
    }
}
BENCHMARK(BM_CreateOverlay)->Unit(benchmark::kMicrosecond);

BlockBackendPtr open_target(const std::string& kind, BenchDir& dir) {
    if (kind == "raw") return RawBackend::open(dir.base(), true);
    std::string path = dir.file("io.sovl");
    std::filesystem::remove(path);
    create_overlay(path, dir.base());
    ImageOpenOptions o;
    o.writable = true;
    auto ov = open_image(path, o);
    if (kind == "overlay-filled") {  // every cluster already copied: no copy-on-write
        std::vector<uint8_t> chunk(1 << 20, 7);
        for (uint64_t off = 0; off < kDiskSize; off += chunk.size()) ov->write(off, chunk);
        ov->flush();
    }
    return ov;
}

void random_io(benchmark::State& state, const std::string& kind, bool write) {
    BenchDir dir;
    auto disk = open_target(kind, dir);
    std::vector<uint8_t> buf(kBlock, 0x5a);
    std::mt19937_64 rng(2);
    const uint64_t blocks = kDiskSize / kBlock;
    for (auto _ : state) {
        uint64_t off = (rng() % blocks) * kBlock;
        if (write)
            disk->write(off, buf);
        else
            disk->read(off, buf);
        benchmark::DoNotOptimize(buf.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kBlock));
}

void BM_RandRead4K_Raw(benchmark::State& s) {
    random_io(s, "raw", false);
}
void BM_RandRead4K_OverlayEmpty(benchmark::State& s) {
    random_io(s, "overlay", false);
}
void BM_RandRead4K_OverlayFilled(benchmark::State& s) {
    random_io(s, "overlay-filled", false);
}
void BM_RandWrite4K_Raw(benchmark::State& s) {
    random_io(s, "raw", true);
}
void BM_RandWrite4K_OverlayFresh(benchmark::State& s) {
    random_io(s, "overlay", true);
}
void BM_RandWrite4K_OverlayFilled(benchmark::State& s) {
    random_io(s, "overlay-filled", true);
}
BENCHMARK(BM_RandRead4K_Raw);
BENCHMARK(BM_RandRead4K_OverlayEmpty);
BENCHMARK(BM_RandRead4K_OverlayFilled);
BENCHMARK(BM_RandWrite4K_Raw);
BENCHMARK(BM_RandWrite4K_OverlayFresh)->Iterations(20000);
BENCHMARK(BM_RandWrite4K_OverlayFilled);

}  // namespace
}  // namespace sandpc

BENCHMARK_MAIN();
