// Deterministic random mutations of valid images, fed to the fuzz entry
// point: thousands of corrupt files, none of which may crash.
#include <gtest/gtest.h>

#include "devices/storage/image_open.h"
#include "devices/storage/image_ops.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/raw_backend.h"
#include "tests/storage/fuzz_image_entry.h"
#include "tests/storage/temp_dir.h"

namespace sandpc {
namespace {

std::vector<uint8_t> seed_overlay(const test::TempDir& dir) {
    test::write_file(dir.file("base.img"), test::random_bytes(600 * 1024, 5));
    create_overlay(dir.file("o.sovl"), dir.file("base.img"), {12, overlay::BaseHashKind::sampled});
    {
        ImageOpenOptions o;
        o.writable = true;
        auto ov = open_image(dir.file("o.sovl"), o);
        for (uint64_t off : {0u, 5000u, 300000u, 599000u})
            ov->write(off, test::random_bytes(1000, off));
        ov->flush();
    }
    return test::read_file(dir.file("o.sovl"));
}

std::vector<uint8_t> seed_qcow2(const test::TempDir& dir, const std::string& options) {
    test::write_file(dir.file("q.raw"), test::random_bytes(200 * 1024, 6));
    std::string out = dir.file("q.qcow2");
    std::remove(out.c_str());
    if (test::run_command("qemu-img convert -f raw -O qcow2 " + options + " " + dir.file("q.raw") +
                          " " + out) != 0)
        return {};
    return test::read_file(out);
}

void mutate_and_feed(const std::vector<uint8_t>& seed, int rounds, uint64_t rng_seed, int& opened) {
    std::mt19937_64 rng(rng_seed);
    for (int round = 0; round < rounds; ++round) {
        auto input = seed;
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !input.empty(); ++e) {
            // Bias toward the header and map, where the structure lives.
            size_t limit = rng() % 4 ? std::min<size_t>(input.size(), 8192) : input.size();
            size_t at = rng() % limit;
            switch (rng() % 5) {
                case 0: input[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
                case 1: input[at] = static_cast<uint8_t>(rng()); break;
                case 2: input.resize(at + 1); break;
                case 3:  // a big value in a 64-bit field
                    for (size_t i = 0; i < 8 && at + i < input.size(); ++i)
                        input[at + i] = static_cast<uint8_t>(rng() % 3 ? 0xff : rng());
                    break;
                case 4: input[at] = 0; break;
            }
        }
        if (fuzz_image_input(input.data(), input.size())) ++opened;
    }
}

TEST(FuzzMutation, CorruptOverlaysNeverCrash) {
    test::TempDir dir;
    auto seed = seed_overlay(dir);
    int opened = 0;
    EXPECT_TRUE(fuzz_image_input(seed.data(), seed.size()));
    mutate_and_feed(seed, 3000, 1, opened);
    // Many mutations are caught (checksum), some land in data and still open.
    EXPECT_GT(opened, 0);
    EXPECT_LT(opened, 3000);
}

TEST(FuzzMutation, CorruptQcow2NeverCrash) {
    if (!test::have_qemu_img()) GTEST_SKIP() << "qemu-img is not installed";
    test::TempDir dir;
    int opened = 0;
    for (const char* options : {"-o compat=0.10,cluster_size=4096", "-c -o cluster_size=4096",
                                "-o compat=1.1,cluster_size=512"}) {
        auto seed = seed_qcow2(dir, options);
        ASSERT_FALSE(seed.empty()) << options;
        EXPECT_TRUE(fuzz_image_input(seed.data(), seed.size())) << options;
        mutate_and_feed(seed, 1500, seed.size(), opened);
    }
    EXPECT_GT(opened, 0);
}

}  // namespace
}  // namespace sandpc
