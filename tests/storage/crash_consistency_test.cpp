// Crash consistency of the overlay: a child process writes at random and
// flushes now and then, recording in a side file (fsync'd) how many writes
// each completed flush covered; the parent kills it with SIGKILL at a random
// moment, reopens the overlay and requires every write before the last
// recorded flush to be there, each sector to hold either that state or the
// data of a later write, and the structure to check clean. The next round
// writes on over the crashed overlay. SANDPC_CRASH_ROUNDS sets the rounds.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "devices/storage/image_ops.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/raw_backend.h"
#include "tests/storage/temp_dir.h"

namespace sandpc {
namespace {

constexpr uint64_t kDiskSize = 4 << 20;
constexpr uint64_t kSectors = kDiskSize / kSectorSize;
constexpr uint64_t kMaxWrites = 200000;

uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct Write {
    uint64_t lba;
    uint64_t count;
    bool flush_after;
};

// Write `w` of round `round`: the same on both sides of the fork.
Write write_number(uint64_t round, uint64_t w) {
    uint64_t r = mix(round * 1000003 + w);
    uint64_t count = 1 + r % 40;
    uint64_t lba = mix(r) % (kSectors - count + 1);
    return {lba, count, (mix(r + 1) % 5) == 0};
}

void fill_sector(uint64_t round, uint64_t w, uint64_t lba, uint8_t* out) {
    uint64_t stamp = (round << 32) | (w + 1);
    std::memcpy(out, &stamp, 8);
    std::memcpy(out + 8, &lba, 8);
    for (size_t i = 16; i < kSectorSize; i += 8) {
        uint64_t v = mix(stamp ^ (lba << 20) ^ i);
        std::memcpy(out + i, &v, 8);
    }
}

[[noreturn]] void run_writer(const std::string& overlay_path, const std::string& base_path,
                             const std::string& side_path, uint64_t round) {
    try {
        OverlayOpenOptions o;
        o.writable = true;
        auto ov = OverlayBackend::open(overlay_path, RawBackend::open(base_path, false), o);
        int side = ::open(side_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (side < 0) ::_exit(3);
        std::vector<uint8_t> buf;
        for (uint64_t w = 0; w < kMaxWrites; ++w) {
            Write wr = write_number(round, w);
            buf.resize(wr.count * kSectorSize);
            for (uint64_t s = 0; s < wr.count; ++s)
                fill_sector(round, w, wr.lba + s, &buf[s * kSectorSize]);
            ov->write(wr.lba * kSectorSize, buf);
            if (wr.flush_after) {
                ov->flush();
                uint64_t done = w + 1;
                if (::write(side, &done, 8) != 8 || ::fdatasync(side) != 0) ::_exit(3);
            }
        }
        ::_exit(0);
    } catch (...) {
        ::_exit(4);
    }
}

std::string describe(const uint8_t* sector) {
    uint64_t stamp, lba;
    std::memcpy(&stamp, sector, 8);
    std::memcpy(&lba, sector + 8, 8);
    return "round " + std::to_string(stamp >> 32) + " write " + std::to_string(stamp & 0xffffffff) +
           " for sector " + std::to_string(lba);
}

uint64_t last_recorded_flush(const std::string& side_path) {
    auto bytes = test::read_file(side_path);
    size_t records = bytes.size() / 8;
    if (records == 0) return 0;
    uint64_t v;
    std::memcpy(&v, &bytes[(records - 1) * 8], 8);
    return v;
}

int rounds_from_env() {
    const char* s = std::getenv("SANDPC_CRASH_ROUNDS");
    return s ? std::max(1, std::atoi(s)) : 300;
}

TEST(CrashConsistency, SigkillAtRandomMomentsLosesNoFlushedWrite) {
    test::TempDir dir;
    std::string base_path = dir.file("base.img"), ov_path = dir.file("disk.sovl"),
                side_path = dir.file("flushes");
    auto base_data = test::random_bytes(kDiskSize, 2024);
    test::write_file(base_path, base_data);
    const int rounds = rounds_from_env();
    const uint32_t cluster_bits[] = {12, 16, 14, 21};
    std::vector<uint8_t> baseline;
    uint64_t total_flushed = 0, rounds_with_unflushed_tail = 0;
    std::mt19937_64 rng(77);
    for (int round = 1; round <= rounds; ++round) {
        if (round % 10 == 1) {  // a fresh overlay now and then, cycling cluster sizes
            std::remove(ov_path.c_str());
            create_overlay(ov_path, base_path,
                           {cluster_bits[(round / 10) % 4], overlay::BaseHashKind::sampled});
            baseline = base_data;
        }
        std::remove(side_path.c_str());  // a child killed before it opens it records nothing
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) run_writer(ov_path, base_path, side_path, static_cast<uint64_t>(round));
        ::usleep(static_cast<useconds_t>(rng() % 40000));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
            << "writer failed with status " << status;

        uint64_t flushed = last_recorded_flush(side_path);
        total_flushed += flushed;
        auto expected = baseline;
        std::vector<uint8_t> sector(kSectorSize);
        for (uint64_t w = 0; w < flushed; ++w) {
            Write wr = write_number(round, w);
            for (uint64_t s = 0; s < wr.count; ++s)
                fill_sector(round, w, wr.lba + s, &expected[(wr.lba + s) * kSectorSize]);
        }

        auto report = check_image(ov_path);
        ASSERT_TRUE(report.ok()) << "round " << round << ": " << report.errors.front();
        OverlayOpenOptions o;
        auto ov = OverlayBackend::open(ov_path, RawBackend::open(base_path, false), o);
        std::vector<uint8_t> actual(kDiskSize);
        ov->read(0, actual);
        bool saw_later_write = false;
        for (uint64_t lba = 0; lba < kSectors; ++lba) {
            const uint8_t* got = &actual[lba * kSectorSize];
            if (std::memcmp(got, &expected[lba * kSectorSize], kSectorSize) == 0) continue;
            // Otherwise it must be exactly what a write after the flush put there.
            uint64_t stamp, stamp_lba;
            std::memcpy(&stamp, got, 8);
            std::memcpy(&stamp_lba, got + 8, 8);
            uint64_t w = (stamp & 0xffffffff) - 1;
            bool ok = (stamp >> 32) == static_cast<uint64_t>(round) && stamp_lba == lba &&
                      w >= flushed && w < kMaxWrites;
            if (ok) {
                Write wr = write_number(round, w);
                fill_sector(round, w, lba, sector.data());
                ok = lba >= wr.lba && lba < wr.lba + wr.count &&
                     std::memcmp(got, sector.data(), kSectorSize) == 0;
            }
            if (!ok && std::getenv("SANDPC_CRASH_DUMP")) {
                std::filesystem::copy_file(
                    ov_path, std::string(std::getenv("SANDPC_CRASH_DUMP")) + "/o.sovl");
                std::filesystem::copy_file(side_path,
                                           std::string(std::getenv("SANDPC_CRASH_DUMP")) + "/side");
            }
            ASSERT_TRUE(ok) << "round " << round << ": sector " << lba
                            << " holds neither the flushed state nor a later write (flushed "
                            << flushed << " writes); it holds round " << (stamp >> 32) << " write "
                            << (stamp & 0xffffffff) << " for sector " << stamp_lba << ", expected "
                            << describe(&expected[lba * kSectorSize]);
            saw_later_write = true;
        }
        rounds_with_unflushed_tail += saw_later_write;
        baseline = std::move(actual);
    }
    // The test must have exercised something: flushes that were kept.
    EXPECT_GT(total_flushed, static_cast<uint64_t>(rounds));
    std::printf("%d rounds, %llu flushed writes checked, %llu rounds kept unflushed writes\n",
                rounds, static_cast<unsigned long long>(total_flushed),
                static_cast<unsigned long long>(rounds_with_unflushed_tail));
}

}  // namespace
}  // namespace sandpc
