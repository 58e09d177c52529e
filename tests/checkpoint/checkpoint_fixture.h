// Test helpers: a small but complete checkpoint, and a walker over the chunk
// layout of docs/snapshot-format.md written independently of the reader.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "snapshot/checkpoint_file.h"
#include "tests/storage/temp_dir.h"

namespace sandpc::test {

inline uint32_t crc(const std::vector<uint8_t>& b, size_t from, size_t to) {
    return static_cast<uint32_t>(
        crc32(crc32(0, nullptr, 0), b.data() + from, static_cast<uInt>(to - from)));
}
inline uint64_t le(const std::vector<uint8_t>& b, size_t at, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= uint64_t{b[at + i]} << (8 * i);
    return v;
}
inline void put(std::vector<uint8_t>& b, size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void append(std::vector<uint8_t>& b, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// Where one chunk lies in the file.
struct ChunkSpan {
    std::string type, name;
    size_t header_at, payload_at, payload_length, crc_at;
};

inline std::vector<ChunkSpan> walk_chunks(const std::vector<uint8_t>& file) {
    std::vector<ChunkSpan> chunks;
    size_t at = 16;
    while (at < file.size()) {
        ChunkSpan c;
        c.type.assign(file.begin() + at, file.begin() + at + 4);
        c.header_at = at;
        size_t name_len = le(file, at + 16, 4);
        c.name.assign(file.begin() + at + 20, file.begin() + at + 20 + name_len);
        c.payload_at = at + 20 + name_len + 4;
        c.payload_length = le(file, at + 8, 8);
        c.crc_at = c.payload_at + c.payload_length;
        chunks.push_back(c);
        at = c.crc_at + 4;
    }
    return chunks;
}

// A chunk as the format lays it out, with both checksums.
inline std::vector<uint8_t> make_chunk(const char* type, uint32_t flags, const std::string& name,
                                       const std::vector<uint8_t>& payload) {
    std::vector<uint8_t> c(type, type + 4);
    append(c, flags, 4);
    append(c, payload.size(), 8);
    append(c, name.size(), 4);
    c.insert(c.end(), name.begin(), name.end());
    append(c, crc(c, 0, c.size()), 4);
    c.insert(c.end(), payload.begin(), payload.end());
    append(c, crc(payload, 0, payload.size()), 4);
    return c;
}

// Memory with zero pages, random pages and repeated text, `pages` pages long.
inline std::vector<uint8_t> mixed_memory(size_t pages, uint64_t seed) {
    std::vector<uint8_t> m(pages * 4096, 0);
    std::vector<uint8_t> noise = random_bytes(m.size(), seed);
    const std::string text = "C:\\FREEDOS> dir /w  ";
    for (size_t p = 0; p < pages; ++p) {
        uint8_t* page = m.data() + p * 4096;
        switch ((p * 7 + seed) % 5) {
            case 0:
            case 1: break;  // zero
            case 2: std::copy_n(noise.data() + p * 4096, 4096, page); break;
            case 3:
                for (size_t i = 0; i < 4096; ++i) page[i] = text[(i + p) % text.size()];
                break;
            default: page[(p * 131) % 4096] = static_cast<uint8_t>(p | 1); break;
        }
    }
    return m;
}

inline DriveReference sample_drive(uint32_t slot) {
    DriveReference d;
    d.slot = slot;
    d.path_hint = "/images/disk" + std::to_string(slot) + ".sovl";
    d.format = "overlay";
    d.virtual_size = (uint64_t{1} << 30) + slot * 512;
    d.identity_kind = DriveIdentityKind::sampled_disk;
    for (size_t i = 0; i < d.identity.size(); ++i)
        d.identity[i] = static_cast<uint8_t>(i * 9 + slot);
    return d;
}

inline MachineDescription sample_description() {
    return {{"ram_size", "1048576"}, {"cpu", "i686"}, {"vga", "yes"}};
}

inline std::vector<uint8_t> sample_state() {
    std::vector<uint8_t> s(3000);
    for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(i * 31 + 7);
    return s;
}

}  // namespace sandpc::test
