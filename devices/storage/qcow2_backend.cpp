#include "devices/storage/qcow2_backend.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace sandpc {
namespace {

constexpr uint8_t kMagic[4] = {'Q', 'F', 'I', 0xfb};
constexpr uint64_t kOffsetMask = 0x00ff'ffff'ffff'fe00ull;  // bits 9..55
constexpr uint64_t kCompressedBit = uint64_t{1} << 62;
constexpr uint64_t kZeroBit = 1;  // v3 standard clusters
constexpr uint64_t kMaxSize = uint64_t{1} << 56;
constexpr uint32_t kMaxL1Entries = 4u << 20;
constexpr size_t kL2CacheTables = 16;

constexpr uint64_t kIncompatDirty = 1 << 0;
constexpr uint64_t kIncompatCorrupt = 1 << 1;
constexpr uint64_t kIncompatDataFile = 1 << 2;
constexpr uint64_t kIncompatCompression = 1 << 3;
constexpr uint64_t kIncompatExtendedL2 = 1 << 4;

constexpr uint32_t kExtBackingFormat = 0xe2792aca;

uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t be64(const uint8_t* p) {
    return (uint64_t{be32(p)} << 32) | be32(p + 4);
}

}  // namespace

bool Qcow2Backend::has_magic(std::span<const uint8_t> b) {
    return b.size() >= 4 && std::memcmp(b.data(), kMagic, 4) == 0;
}

Qcow2Backend::Layout Qcow2Backend::parse(const HostFile& file) {
    const std::string& path = file.path();
    auto bad = [&](const std::string& why) {
        return BlockError(path + ": bad qcow2 image: " + why);
    };
    auto unsupported = [&](const std::string& why) {
        return BlockError(path + ": unsupported qcow2 image: " + why);
    };
    uint64_t file_size = file.size();
    uint8_t h[104] = {};
    if (file_size < 72) throw bad("file is shorter than the header");
    file.read_at(0, h);
    if (!has_magic(h)) throw bad("wrong magic");
    Layout l;
    l.info.version = be32(h + 4);
    if (l.info.version != 2 && l.info.version != 3)
        throw unsupported("version " + std::to_string(l.info.version) + " (only 2 and 3 are read)");
    uint64_t backing_offset = be64(h + 8);
    uint32_t backing_size = be32(h + 16);
    l.info.cluster_bits = be32(h + 20);
    if (l.info.cluster_bits < 9 || l.info.cluster_bits > 21)
        throw bad("cluster_bits " + std::to_string(l.info.cluster_bits) + " is outside 9..21");
    const uint64_t cs = uint64_t{1} << l.info.cluster_bits;
    l.info.virtual_size = be64(h + 24);
    if (l.info.virtual_size > kMaxSize) throw unsupported("virtual size is larger than 2^56 bytes");
    if (be32(h + 32) != 0) throw unsupported("encrypted images are not supported");
    l.l1_size = be32(h + 36);
    l.l1_offset = be64(h + 40);
    uint32_t header_length = 72;
    if (l.info.version == 3) {
        if (file_size < 104) throw bad("file is shorter than the version 3 header");
        uint64_t incompat = be64(h + 72);
        header_length = be32(h + 100);
        if (header_length < 104 || header_length % 8 != 0 || header_length > cs)
            throw bad("header_length " + std::to_string(header_length) + " is invalid");
        if (incompat & kIncompatCorrupt)
            throw unsupported("the image is marked corrupt; repair it with qemu-img check -r");
        if (incompat & kIncompatDataFile)
            throw unsupported("images with an external data file are not supported");
        if (incompat & kIncompatExtendedL2)
            throw unsupported("images with extended L2 entries (subclusters) are not supported");
        if (incompat & kIncompatCompression) {
            uint8_t type = 0;
            if (header_length > 104) file.read_at(104, {&type, 1});
            if (type != 0)
                throw unsupported("compression type " + std::to_string(type) +
                                  " (only zlib is supported)");
        }
        uint64_t known = kIncompatDirty | kIncompatCompression;
        if (incompat & ~known)
            throw unsupported("unknown incompatible feature bits 0x" + [&] {
                char s[20];
                std::snprintf(s, sizeof s, "%llx",
                              static_cast<unsigned long long>(incompat & ~known));
                return std::string(s);
            }());
    }
    uint64_t per_l2 = cs / 8 * cs;
    uint64_t needed = (l.info.virtual_size + per_l2 - 1) / per_l2;
    if (l.l1_size < needed) throw bad("L1 table is too small for the virtual size");
    if (l.l1_size > kMaxL1Entries) throw unsupported("L1 table is larger than 32 MiB");
    if (l.l1_size > 0 && (l.l1_offset % cs != 0 || l.l1_offset == 0 || l.l1_offset > kMaxSize ||
                          l.l1_offset + uint64_t{l.l1_size} * 8 > file_size))
        throw bad("L1 table offset " + std::to_string(l.l1_offset) + " is invalid");
    if (backing_offset != 0) {
        if (backing_size == 0 || backing_size > 1023)
            throw bad("backing file name length is invalid");
        if (backing_offset > file_size || backing_size > file_size - backing_offset)
            throw bad("backing file name lies outside the file");
        l.info.backing_file.resize(backing_size);
        file.read_at(backing_offset,
                     {reinterpret_cast<uint8_t*>(l.info.backing_file.data()), backing_size});
        if (l.info.backing_file.find('\0') != std::string::npos)
            throw bad("backing file name contains NUL");
    }
    // Header extensions: type, length, data padded to 8 bytes, ending with
    // type 0; they all live in the first cluster.
    uint64_t limit = std::min(cs, file_size);
    for (uint64_t pos = header_length; pos + 8 <= limit;) {
        uint8_t eh[8];
        file.read_at(pos, eh);
        uint32_t type = be32(eh), len = be32(eh + 4);
        if (type == 0) break;
        if (len > limit - pos - 8) throw bad("header extension runs past the first cluster");
        if (type == kExtBackingFormat && len <= 64) {
            l.info.backing_format.resize(len);
            file.read_at(pos + 8, {reinterpret_cast<uint8_t*>(l.info.backing_format.data()), len});
        }
        pos += 8 + (uint64_t{len} + 7) / 8 * 8;
    }
    return l;
}

Qcow2Info Qcow2Backend::read_info(const HostFile& file) {
    return parse(file).info;
}

std::unique_ptr<Qcow2Backend> Qcow2Backend::open(const std::string& path,
                                                 const BackingOpener& open_backing) {
    return open(HostFile(path, HostFile::Mode::read_only), open_backing);
}

std::unique_ptr<Qcow2Backend> Qcow2Backend::open(HostFile file, const BackingOpener& open_backing) {
    Layout layout = parse(file);
    std::unique_ptr<Qcow2Backend> q(new Qcow2Backend(std::move(file), std::move(layout)));
    if (!q->info_.backing_file.empty() && open_backing)
        q->backing_ = open_backing(q->info_.backing_file, q->info_.backing_format);
    return q;
}

Qcow2Backend::Qcow2Backend(HostFile file, Layout layout)
    : file_(std::move(file)), info_(std::move(layout.info)), file_size_(file_.size()) {
    std::vector<uint8_t> raw(uint64_t{layout.l1_size} * 8);
    file_.read_at(layout.l1_offset, raw);
    l1_.resize(layout.l1_size);
    for (uint32_t i = 0; i < layout.l1_size; ++i) l1_[i] = be64(&raw[uint64_t{i} * 8]);
}

std::string Qcow2Backend::describe() const {
    return "qcow2 " + file_.path() + " (read-only)" +
           (backing_ ? " over " + backing_->describe() : std::string());
}

void Qcow2Backend::corrupt(const std::string& why) const {
    throw BlockError(file_.path() + ": qcow2 image is corrupt: " + why);
}

void Qcow2Backend::write(uint64_t, std::span<const uint8_t>) {
    throw BlockError(describe() + ": qcow2 images are read-only; use an overlay over it");
}

const std::vector<uint64_t>& Qcow2Backend::l2_table(uint64_t location) {
    for (auto it = l2_cache_.begin(); it != l2_cache_.end(); ++it) {
        if (it->first != location) continue;
        l2_cache_.splice(l2_cache_.begin(), l2_cache_, it);
        return l2_cache_.front().second;
    }
    if (location % cluster_size() != 0 || location < cluster_size() || location > file_size_ ||
        cluster_size() > file_size_ - location)
        corrupt("L2 table offset " + std::to_string(location) +
                " is outside the file or unaligned");
    std::vector<uint8_t> raw(cluster_size());
    file_.read_at(location, raw);
    std::vector<uint64_t> table(cluster_size() / 8);
    for (size_t i = 0; i < table.size(); ++i) table[i] = be64(&raw[i * 8]);
    if (l2_cache_.size() >= kL2CacheTables) l2_cache_.pop_back();
    l2_cache_.emplace_front(location, std::move(table));
    return l2_cache_.front().second;
}

void Qcow2Backend::read(uint64_t offset, std::span<uint8_t> out) {
    check_range(offset, out.size());
    const uint64_t cs = cluster_size();
    while (!out.empty()) {
        uint64_t index = offset >> info_.cluster_bits;
        uint64_t in_cluster = offset & (cs - 1);
        size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), cs - in_cluster));
        read_cluster(index, in_cluster, out.first(n));
        offset += n;
        out = out.subspan(n);
    }
}

void Qcow2Backend::read_cluster(uint64_t index, uint64_t in_cluster, std::span<uint8_t> out) {
    const uint64_t l2_entries = cluster_size() / 8;
    uint64_t l1_index = index / l2_entries;
    uint64_t l2_location = l1_index < l1_.size() ? l1_[l1_index] & kOffsetMask : 0;
    uint64_t entry = 0;
    if (l2_location != 0) entry = l2_table(l2_location)[index % l2_entries];
    if (entry & kCompressedBit) return read_compressed(entry, in_cluster, out);
    uint64_t location = entry & kOffsetMask;
    if (info_.version == 3 && (entry & kZeroBit)) {
        std::fill(out.begin(), out.end(), 0);
    } else if (location != 0) {
        if (location % cluster_size() != 0 || location < cluster_size() || location >= file_size_)
            corrupt("cluster " + std::to_string(index) + " points at " + std::to_string(location) +
                    ", outside the file or unaligned");
        file_.read_at(location + in_cluster, out);
    } else {
        // Unallocated: the backing image, or zeros past its end or without one.
        uint64_t at = (index << info_.cluster_bits) + in_cluster;
        uint64_t from_backing = 0;
        if (backing_ && at < backing_->size())
            from_backing = std::min<uint64_t>(out.size(), backing_->size() - at);
        if (from_backing) backing_->read(at, out.first(static_cast<size_t>(from_backing)));
        std::fill(out.begin() + static_cast<ptrdiff_t>(from_backing), out.end(), 0);
    }
}

void Qcow2Backend::read_compressed(uint64_t entry, uint64_t in_cluster, std::span<uint8_t> out) {
    const uint64_t cs = cluster_size();
    if (decompressed_entry_ != entry || decompressed_.size() != cs) {
        uint32_t size_bits = info_.cluster_bits - 8;
        uint32_t x = 62 - size_bits;
        uint64_t location = entry & ((uint64_t{1} << x) - 1);
        uint64_t sectors = ((entry >> x) & ((uint64_t{1} << size_bits) - 1)) + 1;
        uint64_t length = sectors * 512 - (location & 511);
        if (location < cs || location >= file_size_)
            corrupt("compressed cluster at " + std::to_string(location) + " is outside the file");
        length = std::min(length, file_size_ - location);  // the last one may end early
        compressed_.resize(length);
        file_.read_at(location, compressed_);
        decompressed_.assign(cs, 0);
        decompressed_entry_ = 0;
        z_stream z{};
        if (inflateInit2(&z, -12) != Z_OK) throw BlockError("zlib initialisation failed");
        z.next_in = compressed_.data();
        z.avail_in = static_cast<uInt>(compressed_.size());
        z.next_out = decompressed_.data();
        z.avail_out = static_cast<uInt>(cs);
        int rc = inflate(&z, Z_FINISH);
        inflateEnd(&z);
        bool full = z.avail_out == 0;
        if (!full || (rc != Z_STREAM_END && rc != Z_OK && rc != Z_BUF_ERROR))
            corrupt("compressed cluster at " + std::to_string(location) + " does not decompress");
        decompressed_entry_ = entry;
    }
    std::memcpy(out.data(), decompressed_.data() + in_cluster, out.size());
}

std::vector<std::string> Qcow2Backend::verify_map() {
    std::vector<std::string> problems;
    const uint64_t l2_entries = cluster_size() / 8;
    for (size_t i = 0; i < l1_.size() && problems.size() < 100; ++i) {
        uint64_t l2_location = l1_[i] & kOffsetMask;
        if (l2_location == 0) continue;
        try {
            const std::vector<uint64_t> table = l2_table(l2_location);
            for (size_t j = 0; j < table.size(); ++j) {
                uint64_t index = i * l2_entries + j;
                if (table[j] == 0) continue;
                if (index * cluster_size() >= info_.virtual_size) continue;
                uint8_t byte;
                read_cluster(index, 0, {&byte, 1});
            }
        } catch (const BlockError& e) {
            problems.push_back(e.what());
        }
    }
    return problems;
}

}  // namespace sandpc
