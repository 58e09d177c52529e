#include "tests/storage/fuzz_image_entry.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "devices/storage/host_file.h"
#include "devices/storage/overlay_backend.h"
#include "devices/storage/qcow2_backend.h"
#include "devices/storage/zero_backend.h"

namespace sandpc {
namespace {

HostFile memory_file(const uint8_t* data, size_t size) {
    int fd = ::memfd_create("fuzz-image", MFD_CLOEXEC);
    if (fd < 0) throw BlockError("memfd_create failed");
    HostFile f(fd, "fuzz-image");
    f.write_at(0, {data, size});
    return f;
}

// Reads a few spots spread over the disk, steered by the input's bytes.
void exercise(BlockBackend& b, const uint8_t* data, size_t size) {
    std::vector<uint8_t> buf(4096);
    uint64_t seed = size;
    for (size_t i = 0; i < std::min<size_t>(size, 64); ++i) seed = seed * 131 + data[i];
    for (int i = 0; i < 16 && b.size() > 0; ++i) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t len = std::min<uint64_t>(1 + (seed >> 52), b.size());
        uint64_t off = (seed >> 8) % (b.size() - len + 1);
        b.read(off, {buf.data(), static_cast<size_t>(len)});
    }
}

}  // namespace

bool fuzz_image_input(const uint8_t* data, size_t size) {
    if (size < 8) return false;
    try {
        if (overlay::has_magic({data, size})) {
            uint64_t vsize = 0;
            {
                // The header names the size the stand-in base must have.
                std::vector<uint8_t> block(overlay::kHeaderSize, 0);
                std::copy_n(data, std::min<size_t>(size, block.size()), block.begin());
                vsize = overlay::decode_header(block, "fuzz").virtual_size;
            }
            OverlayOpenOptions o;
            o.writable = true;
            o.verify_base = false;
            o.durable = false;
            auto ov = OverlayBackend::open(memory_file(data, size),
                                           std::make_unique<ZeroBackend>(vsize), o);
            exercise(*ov, data, size);
            if (ov->size() >= 4096) {
                std::vector<uint8_t> sector(512, 0xa5);
                ov->write(ov->size() / 2 & ~uint64_t{511}, sector);
                ov->write(0, sector);
                ov->flush();
                std::vector<uint8_t> back(512);
                ov->read(0, back);
                if (back != sector) __builtin_trap();
            }
            return true;
        }
        if (Qcow2Backend::has_magic({data, size})) {
            auto q = Qcow2Backend::open(memory_file(data, size),
                                        [](const std::string&, const std::string&) {
                                            return std::make_unique<ZeroBackend>(1 << 20);
                                        });
            exercise(*q, data, size);
            return true;
        }
    } catch (const BlockError&) {
    }
    return false;
}

}  // namespace sandpc
