// Measures checkpoint save and load on a 256 MiB memory region whose pages
// look like a running guest's: mostly zero, some random (compressed or
// encrypted data), some repeated text, some sparse tables of small numbers.
// Usage: checkpoint_measure [folder] (default $TMPDIR or /tmp).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "snapshot/checkpoint_file.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Rng {  // xorshift64*
    uint64_t s;
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
};

// Page mix out of 20: 12 zero, 2 random, 4 text, 2 sparse tables.
std::vector<uint8_t> realistic_memory(size_t size) {
    std::vector<uint8_t> m(size, 0);
    Rng rng{0x5EED};
    const std::string text =
        "Volume in drive C is FREEDOS2024  Directory of C:\\FDOS\\BIN  COMMAND  COM  87,444 ";
    for (size_t p = 0; p < size / 4096; ++p) {
        uint8_t* page = m.data() + p * 4096;
        unsigned kind = static_cast<unsigned>(rng.next() % 20);
        if (kind < 12) continue;
        if (kind < 14) {
            for (size_t i = 0; i < 4096; i += 8) {
                uint64_t v = rng.next();
                for (int b = 0; b < 8; ++b) page[i + b] = static_cast<uint8_t>(v >> (8 * b));
            }
        } else if (kind < 18) {
            size_t shift = rng.next() % text.size();
            for (size_t i = 0; i < 4096; ++i) page[i] = text[(i + shift) % text.size()];
        } else {
            for (size_t i = 0; i < 4096; i += 4)
                if (rng.next() % 4 == 0) page[i] = static_cast<uint8_t>(rng.next() % 64);
        }
    }
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = argc > 1 ? argv[1] : (tmp && *tmp ? tmp : "/tmp");
    std::string path = dir + "/sandpc-measure.ckpt";
    constexpr size_t kSize = size_t{256} << 20;
    std::vector<uint8_t> ram = realistic_memory(kSize);
    std::vector<uint8_t> back(kSize);
    std::printf("256 MiB region (60%% zero pages, 10%% random, 20%% text, 10%% sparse)\n");
    std::printf("level  save_s  open_s  restore_s  load_total_s  file_MiB\n");
    for (int level : {1, 6}) {
        sandpc::CheckpointWriter w;
        w.set_description({{"ram_size", std::to_string(kSize)}});
        w.set_state(std::vector<uint8_t>(64 * 1024, 1));
        w.add_memory("ram", ram);
        sandpc::CheckpointWriteOptions options;
        options.zlib_level = level;
        auto t0 = Clock::now();
        w.write(path, options);
        double save = seconds_since(t0);
        auto t1 = Clock::now();
        sandpc::CheckpointReader r = sandpc::CheckpointReader::open(path);
        double open = seconds_since(t1);
        auto t2 = Clock::now();
        r.restore_memory("ram", back);
        double restore = seconds_since(t2);
        if (back != ram) {
            std::fprintf(stderr, "level %d: restored memory differs\n", level);
            return 1;
        }
        double mib = static_cast<double>(std::filesystem::file_size(path)) / (1 << 20);
        std::printf("%5d  %6.3f  %6.3f  %9.3f  %12.3f  %8.2f\n", level, save, open, restore,
                    open + restore, mib);
    }
    std::filesystem::remove(path);
    return 0;
}
