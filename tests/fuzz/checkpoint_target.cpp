#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "snapshot/checkpoint_file.h"
#include "tests/fuzz/fuzz_targets.h"

namespace sandpc::fuzz {

namespace {

// Larger regions are opened (and so fully validated) but not restored.
constexpr uint64_t kMaxRestore = 16u << 20;

class TempCheckpoint {
  public:
    TempCheckpoint(const uint8_t* data, size_t size) {
        const char* dir = std::getenv("TMPDIR");
        path_ = std::string(dir && *dir ? dir : "/tmp") + "/sandpc-fuzz-ckpt-XXXXXX";
        int fd = ::mkstemp(path_.data());
        if (fd < 0) __builtin_trap();
        for (size_t done = 0; done < size;) {
            ssize_t n = ::write(fd, data + done, size - done);
            if (n <= 0) __builtin_trap();
            done += static_cast<size_t>(n);
        }
        ::close(fd);
    }
    ~TempCheckpoint() { ::unlink(path_.c_str()); }
    TempCheckpoint(const TempCheckpoint&) = delete;
    TempCheckpoint& operator=(const TempCheckpoint&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

uint64_t le(const std::vector<uint8_t>& b, size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{b[at + i]} << (8 * i);
    return v;
}

void put_crc(std::vector<uint8_t>& b, size_t from, size_t to, size_t at) {
    uint32_t c = static_cast<uint32_t>(
        crc32(crc32(0, nullptr, 0), b.data() + from, static_cast<uInt>(to - from)));
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(c >> (8 * i));
}

// Recomputes every checksum the layout lets it find (file header, chunk
// headers, memory blocks, payloads), so mutations reach the structural
// checks behind them instead of stopping at the first CRC.
void fix_checksums(std::vector<uint8_t>& b) {
    if (b.size() < 16) return;
    put_crc(b, 0, 12, 12);
    size_t at = 16;
    while (b.size() - at >= 20) {
        size_t name_len = le(b, at + 16, 4);
        if (name_len > 255 || b.size() - at - 20 < name_len + 4) return;
        size_t header_end = at + 20 + name_len;
        put_crc(b, at, header_end, header_end);
        size_t payload = header_end + 4;
        uint64_t len = le(b, at + 8, 8);
        if (len > b.size() - payload || b.size() - payload - len < 4) return;
        if (std::equal(b.begin() + at, b.begin() + at + 4, "MEMR") && len >= 16) {
            uint64_t pages = (le(b, payload, 8) + 4095) / 4096;
            uint64_t pos = 16 + (pages + 7) / 8;
            while (pos <= len && len - pos >= 12) {
                uint64_t packed = le(b, payload + pos + 4, 4);
                if (packed > len - pos - 12) break;
                put_crc(b, payload + pos + 12, payload + pos + 12 + packed, payload + pos + 8);
                pos += 12 + packed;
            }
        }
        put_crc(b, payload, payload + len, payload + len);
        at = payload + len + 4;
    }
}

}  // namespace

int checkpoint(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::vector<uint8_t> bytes(data + 1, data + size);
    if (data[0] & 1) fix_checksums(bytes);
    TempCheckpoint file(bytes.data(), bytes.size());
    try {
        CheckpointReader r = CheckpointReader::open(file.path());
        for (const std::string& name : r.memory_names()) {
            uint64_t n = r.memory_size(name);
            if (n > kMaxRestore) continue;
            // A file that opened restores without error, and a wrong size is
            // refused without touching the destination.
            std::vector<uint8_t> out(n, 0xA5);
            r.restore_memory(name, out);
            std::vector<uint8_t> wrong(n + 1, 0x5A);
            try {
                r.restore_memory(name, wrong);
                __builtin_trap();
            } catch (const CheckpointError&) {
            }
            for (uint8_t b : wrong)
                if (b != 0x5A) __builtin_trap();
        }
        // A carried overlay that opened replays without error, inside its disk.
        for (const DriveReference& d : r.drives()) {
            const DriveOverlayInfo* o = r.drive_overlay(d.slot);
            if (!o) continue;
            r.replay_drive_overlay(d.slot, [&](uint64_t offset, std::span<const uint8_t> data) {
                if (offset > o->virtual_size || data.size() > o->virtual_size - offset)
                    __builtin_trap();
            });
        }
        // The description and drives are plain values; matching against
        // themselves must succeed.
        check_description(r, r.description());
        check_drives(r, r.drives());
    } catch (const CheckpointError&) {
    }
    return 0;
}

}  // namespace sandpc::fuzz
