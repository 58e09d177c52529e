#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "devices/storage/overlay_backend.h"
#include "devices/storage/overlay_format.h"
#include "devices/storage/qcow2_backend.h"
#include "devices/storage/zero_backend.h"
#include "tests/fuzz/fuzz_targets.h"

namespace sandpc::fuzz {

namespace {

// The input as a file, removed again when this goes out of scope.
class TempImage {
  public:
    TempImage(const uint8_t* data, size_t size) {
        const char* dir = std::getenv("TMPDIR");
        path_ = std::string(dir && *dir ? dir : "/tmp") + "/sandpc-fuzz-XXXXXX";
        int fd = ::mkstemp(path_.data());
        if (fd < 0) __builtin_trap();
        for (size_t done = 0; done < size;) {
            ssize_t n = ::write(fd, data + done, size - done);
            if (n <= 0) __builtin_trap();
            done += static_cast<size_t>(n);
        }
        ::close(fd);
    }
    ~TempImage() { ::unlink(path_.c_str()); }
    TempImage(const TempImage&) = delete;
    TempImage& operator=(const TempImage&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Reads at the start, the end and offsets steered by the input; a read
// inside the disk must succeed or throw BlockError, one outside must throw.
void read_around(BlockBackend& disk, const uint8_t* data, size_t size) {
    std::vector<uint8_t> buf(8192);
    uint64_t seed = size;
    for (size_t i = 0; i < std::min<size_t>(size, 256); ++i) seed = seed * 131 + data[i];
    uint64_t disk_size = disk.size();
    std::vector<std::pair<uint64_t, size_t>> reads = {{0, 512}, {disk_size, 512}};
    if (disk_size >= 512) reads.push_back({disk_size - 512, 512});
    for (int i = 0; i < 24; ++i) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t len = 1 + static_cast<size_t>((seed >> 40) % buf.size());
        uint64_t off = disk_size ? (seed >> 3) % disk_size : 0;
        reads.push_back({off, len});
    }
    for (auto [off, len] : reads) {
        bool inside = off <= disk_size && len <= disk_size - off;
        try {
            disk.read(off, {buf.data(), len});
            if (!inside) __builtin_trap();  // a read past the end must be refused
        } catch (const BlockError&) {
        }
    }
}

}  // namespace

int overlay(const uint8_t* data, size_t size) {
    TempImage file(data, size);
    try {
        // The stand-in base has the size the header claims (the base
        // identity check is off: only the overlay's own structure counts).
        std::vector<uint8_t> header(overlay::kHeaderSize, 0);
        std::copy_n(data, std::min(size, header.size()), header.begin());
        uint64_t base_size = overlay::decode_header(header, "fuzz").virtual_size;
        OverlayOpenOptions options;
        options.verify_base = false;
        options.durable = false;
        auto disk =
            OverlayBackend::open(file.path(), std::make_unique<ZeroBackend>(base_size), options);
        read_around(*disk, data, size);
        disk->verify_map();
    } catch (const BlockError&) {
    }
    return 0;
}

int qcow2(const uint8_t* data, size_t size) {
    TempImage file(data, size);
    try {
        auto disk = Qcow2Backend::open(file.path(), [](const std::string&, const std::string&) {
            return BlockBackendPtr();  // no backing: reads as zeros
        });
        read_around(*disk, data, size);
        disk->verify_map();
    } catch (const BlockError&) {
    }
    return 0;
}

}  // namespace sandpc::fuzz
