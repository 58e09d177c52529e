#include "devices/storage/overlay_format.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "devices/storage/sha256.h"
#include "snapshot/state_stream.h"

namespace sandpc::overlay {
namespace {

void put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{p[i]} << (8 * i);
    return v;
}
uint64_t get_u64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
}

// Byte offsets of the header fields (see docs/overlay-format.md).
enum Field : size_t {
    kOffMagic = 0,
    kOffVersion = 8,
    kOffIncompat = 12,
    kOffClusterBits = 16,
    kOffBaseFormat = 20,
    kOffVirtualSize = 24,
    kOffL1Offset = 32,
    kOffL1Entries = 40,
    kOffHashKind = 44,
    kOffBaseSize = 48,
    kOffBaseHash = 56,
    kOffHintLen = 88,
    kOffHint = 96,
    kOffCrc = kHeaderSize - 4,
};

}  // namespace

std::string hex(std::span<const uint8_t> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes) {
        s += kDigits[b >> 4];
        s += kDigits[b & 15];
    }
    return s;
}

BaseIdentity compute_base_identity(BlockBackend& base, BaseHashKind kind) {
    BaseIdentity id;
    id.size = base.size();
    id.kind = kind;
    Sha256 sha;
    uint8_t size_le[8];
    put_u64(size_le, id.size);
    sha.update(size_le);
    std::vector<uint8_t> buf;
    if (kind == BaseHashKind::full) {
        buf.resize(1 << 20);
        for (uint64_t off = 0; off < id.size; off += buf.size()) {
            size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), id.size - off));
            base.read(off, {buf.data(), n});
            sha.update({buf.data(), n});
        }
    } else {
        buf.resize(kSampleSize);
        uint64_t span = id.size > kSampleSize ? id.size - kSampleSize : 0;
        for (uint32_t i = 0; i < kSampleCount; ++i) {
            uint64_t off = (span / (kSampleCount - 1) * i) & ~uint64_t{511};
            size_t n = static_cast<size_t>(std::min<uint64_t>(kSampleSize, id.size - off));
            base.read(off, {buf.data(), n});
            sha.update({buf.data(), n});
        }
    }
    id.hash = sha.finish();
    return id;
}

uint64_t Header::data_start() const {
    uint64_t end = l1_offset + uint64_t{l1_entries} * 8;
    return (end + kAlign - 1) / kAlign * kAlign;
}

uint64_t l1_entries_for(uint64_t virtual_size, uint32_t cluster_bits) {
    uint64_t per_l2 = uint64_t{1} << (2 * cluster_bits - 3);
    return (virtual_size + per_l2 - 1) / per_l2;
}

std::array<uint8_t, kHeaderSize> encode_header(const Header& h) {
    std::array<uint8_t, kHeaderSize> b{};
    std::memcpy(b.data() + kOffMagic, kMagic.data(), kMagic.size());
    put_u32(b.data() + kOffVersion, h.version);
    put_u32(b.data() + kOffIncompat, h.incompatible_features);
    put_u32(b.data() + kOffClusterBits, h.cluster_bits);
    put_u32(b.data() + kOffBaseFormat, static_cast<uint32_t>(h.base_format));
    put_u64(b.data() + kOffVirtualSize, h.virtual_size);
    put_u64(b.data() + kOffL1Offset, h.l1_offset);
    put_u32(b.data() + kOffL1Entries, h.l1_entries);
    put_u32(b.data() + kOffHashKind, static_cast<uint32_t>(h.base.kind));
    put_u64(b.data() + kOffBaseSize, h.base.size);
    std::memcpy(b.data() + kOffBaseHash, h.base.hash.data(), h.base.hash.size());
    size_t hint_len = std::min<size_t>(h.base_hint.size(), kMaxBaseHint);
    put_u32(b.data() + kOffHintLen, static_cast<uint32_t>(hint_len));
    std::memcpy(b.data() + kOffHint, h.base_hint.data(), hint_len);
    put_u32(b.data() + kOffCrc, crc32_of({b.data(), kOffCrc}));
    return b;
}

bool has_magic(std::span<const uint8_t> first_bytes) {
    return first_bytes.size() >= kMagic.size() &&
           std::equal(kMagic.begin(), kMagic.end(), first_bytes.begin());
}

Header decode_header(std::span<const uint8_t> b, const std::string& what) {
    auto bad = [&](const std::string& why) {
        return BlockError(what + ": not a valid sandpc overlay: " + why);
    };
    if (b.size() < kHeaderSize) throw bad("file is shorter than the 4096-byte header");
    if (!has_magic(b)) throw bad("wrong magic");
    Header h;
    h.version = get_u32(&b[kOffVersion]);
    if (h.version != kVersion)
        throw BlockError(what + ": overlay version " + std::to_string(h.version) +
                         " is not supported (this build reads version 1)");
    if (get_u32(&b[kOffCrc]) != crc32_of(b.first(kOffCrc)))
        throw bad("header checksum mismatch (the header is damaged)");
    h.incompatible_features = get_u32(&b[kOffIncompat]);
    if (h.incompatible_features != 0)
        throw BlockError(what + ": overlay uses unknown incompatible features 0x" +
                         hex(std::span(&b[kOffIncompat], 4)));
    h.cluster_bits = get_u32(&b[kOffClusterBits]);
    if (h.cluster_bits < kMinClusterBits || h.cluster_bits > kMaxClusterBits)
        throw bad("cluster size 2^" + std::to_string(h.cluster_bits) + " is outside 4 KiB..2 MiB");
    uint32_t fmt = get_u32(&b[kOffBaseFormat]);
    if (fmt > static_cast<uint32_t>(BaseFormat::qcow2))
        throw bad("unknown base format code " + std::to_string(fmt));
    h.base_format = static_cast<BaseFormat>(fmt);
    h.virtual_size = get_u64(&b[kOffVirtualSize]);
    if (h.virtual_size > kMaxVirtualSize) throw bad("virtual size is larger than 2^56 bytes");
    h.l1_offset = get_u64(&b[kOffL1Offset]);
    h.l1_entries = get_u32(&b[kOffL1Entries]);
    if (h.l1_offset < kHeaderSize || h.l1_offset % kAlign != 0 || h.l1_offset > kMaxVirtualSize)
        throw bad("map table offset " + std::to_string(h.l1_offset) + " is invalid");
    if (h.l1_entries > kMaxL1Entries ||
        h.l1_entries != l1_entries_for(h.virtual_size, h.cluster_bits))
        throw bad("map table size " + std::to_string(h.l1_entries) +
                  " does not match the virtual size");
    uint32_t kind = get_u32(&b[kOffHashKind]);
    if (kind != static_cast<uint32_t>(BaseHashKind::sampled) &&
        kind != static_cast<uint32_t>(BaseHashKind::full))
        throw bad("unknown base hash kind " + std::to_string(kind));
    h.base.kind = static_cast<BaseHashKind>(kind);
    h.base.size = get_u64(&b[kOffBaseSize]);
    if (h.base.size != h.virtual_size) throw bad("base size differs from the virtual size");
    std::memcpy(h.base.hash.data(), &b[kOffBaseHash], h.base.hash.size());
    uint32_t hint_len = get_u32(&b[kOffHintLen]);
    if (hint_len > kMaxBaseHint) throw bad("base path hint is longer than 1024 bytes");
    h.base_hint.assign(reinterpret_cast<const char*>(&b[kOffHint]), hint_len);
    if (h.base_hint.find('\0') != std::string::npos) throw bad("base path hint contains NUL");
    return h;
}

}  // namespace sandpc::overlay
