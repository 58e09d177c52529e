#include "devices/storage/overlay_backend.h"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace sandpc {

using overlay::Header;

namespace {

uint64_t load_le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
}

void store_le64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

std::vector<uint8_t> encode_entries(const uint64_t* entries, size_t count) {
    std::vector<uint8_t> out(count * 8);
    for (size_t i = 0; i < count; ++i) store_le64(&out[i * 8], entries[i]);
    return out;
}

Header new_header(const overlay::BaseIdentity& identity, const OverlayCreateOptions& options) {
    if (options.cluster_bits < overlay::kMinClusterBits ||
        options.cluster_bits > overlay::kMaxClusterBits)
        throw BlockError("overlay cluster size must be a power of two from 4 KiB to 2 MiB");
    if (identity.size > overlay::kMaxVirtualSize)
        throw BlockError("base is too large for an overlay (limit 2^56 bytes)");
    if (options.base_hint.size() > overlay::kMaxBaseHint)
        throw BlockError("base path is longer than 1024 bytes");
    Header h;
    h.cluster_bits = options.cluster_bits;
    h.base_format = options.base_format;
    h.virtual_size = identity.size;
    uint64_t l1 = overlay::l1_entries_for(identity.size, options.cluster_bits);
    if (l1 > overlay::kMaxL1Entries)
        throw BlockError("base is too large for this cluster size; use larger clusters");
    h.l1_entries = static_cast<uint32_t>(l1);
    h.base = identity;
    h.base_hint = options.base_hint;
    return h;
}

void write_new_overlay(HostFile& file, const Header& h) {
    auto block = overlay::encode_header(h);
    file.write_at(0, block);
    file.resize(h.data_start());  // the L1 table: all zero (nothing allocated)
}

}  // namespace

void OverlayBackend::create_file(const std::string& path, BlockBackend& base,
                                 const OverlayCreateOptions& options) {
    create_file(path, overlay::compute_base_identity(base, options.hash_kind), options);
}

void OverlayBackend::create_file(const std::string& path, const overlay::BaseIdentity& identity,
                                 const OverlayCreateOptions& options) {
    Header h = new_header(identity, options);
    HostFile file(path, HostFile::Mode::create_new);
    write_new_overlay(file, h);
    file.sync();
}

std::unique_ptr<OverlayBackend> OverlayBackend::create_temporary(BlockBackendPtr base,
                                                                 const std::string& dir) {
    std::string name = dir + "/sandpc-snapshot-XXXXXX";
    int fd = ::mkstemp(name.data());
    if (fd < 0) throw BlockError("cannot create a temporary overlay in " + dir);
    ::unlink(name.c_str());
    HostFile file(fd, "temporary overlay");
    OverlayCreateOptions create;
    // The base cannot change under an overlay that lives only as long as this
    // object, so its identity is not worth hashing.
    overlay::BaseIdentity id;
    id.size = base->size();
    write_new_overlay(file, new_header(id, create));
    OverlayOpenOptions open_options;
    open_options.writable = true;
    open_options.verify_base = false;
    open_options.durable = false;
    open_options.temporary = true;
    return open(std::move(file), std::move(base), open_options);
}

Header OverlayBackend::read_header(const std::string& path) {
    HostFile file(path, HostFile::Mode::read_only);
    std::vector<uint8_t> block(overlay::kHeaderSize);
    if (file.size() < overlay::kHeaderSize)
        throw BlockError(path + ": not a valid sandpc overlay: file is truncated");
    file.read_at(0, block);
    return overlay::decode_header(block, path);
}

std::unique_ptr<OverlayBackend> OverlayBackend::open(const std::string& path, BlockBackendPtr base,
                                                     const OverlayOpenOptions& options) {
    HostFile file(path, options.writable ? HostFile::Mode::read_write : HostFile::Mode::read_only);
    return open(std::move(file), std::move(base), options);
}

std::unique_ptr<OverlayBackend> OverlayBackend::open(HostFile file, BlockBackendPtr base,
                                                     const OverlayOpenOptions& options) {
    std::vector<uint8_t> block(overlay::kHeaderSize);
    if (file.size() < overlay::kHeaderSize)
        throw BlockError(file.path() + ": not a valid sandpc overlay: file is truncated");
    file.read_at(0, block);
    Header h = overlay::decode_header(block, file.path());
    if (!base) throw BlockError(file.path() + ": overlay opened without its base");
    if (base->size() != h.virtual_size)
        throw BlockError(file.path() + ": base image changed: it is " +
                         std::to_string(base->size()) + " bytes, the overlay was made over " +
                         std::to_string(h.virtual_size) + " bytes (" + base->describe() + ")");
    if (options.verify_base) {
        overlay::BaseIdentity id = overlay::compute_base_identity(*base, h.base.kind);
        if (id != h.base)
            throw BlockError(file.path() +
                             ": base image changed since the overlay was created "
                             "(content hash " +
                             overlay::hex(id.hash).substr(0, 16) + "... expected " +
                             overlay::hex(h.base.hash).substr(0, 16) + "...; " + base->describe() +
                             ")");
    }
    std::unique_ptr<OverlayBackend> o(
        new OverlayBackend(std::move(file), std::move(base), std::move(h), options));
    o->load_l1();
    if (options.writable) {
        // A writable overlay must not overwrite its own map through a
        // damaged entry, so the whole map is checked before the first write.
        auto problems = o->verify_map();
        if (!problems.empty())
            throw BlockError(o->file_.path() + ": overlay is corrupt: " + problems.front());
    }
    return o;
}

OverlayBackend::OverlayBackend(HostFile file, BlockBackendPtr base, Header header,
                               const OverlayOpenOptions& options)
    : file_(std::move(file)),
      base_(std::move(base)),
      header_(std::move(header)),
      options_(options) {
    uint64_t size = file_.size();
    file_end_ = std::max(header_.data_start(),
                         (size + overlay::kAlign - 1) / overlay::kAlign * overlay::kAlign);
}

OverlayBackend::~OverlayBackend() {
    try {
        flush();
    } catch (const BlockError&) {
    }
}

std::string OverlayBackend::describe() const {
    return "overlay " + file_.path() + " (" + std::to_string(header_.cluster_size() / 1024) +
           " KiB clusters" + (options_.writable ? "" : ", read-only") + ") over " +
           base_->describe();
}

void OverlayBackend::load_l1() {
    uint64_t end = header_.l1_offset + uint64_t{header_.l1_entries} * 8;
    if (end > file_.size())
        throw BlockError(file_.path() + ": overlay is truncated: the map table ends at " +
                         std::to_string(end) + ", past the end of the file");
    std::vector<uint8_t> raw(uint64_t{header_.l1_entries} * 8);
    file_.read_at(header_.l1_offset, raw);
    l1_.resize(header_.l1_entries);
    for (uint32_t i = 0; i < header_.l1_entries; ++i) {
        l1_[i] = load_le64(&raw[uint64_t{i} * 8]);
        if (l1_[i] != 0) check_entry(l1_[i], "map table", i);
    }
}

void OverlayBackend::check_entry(uint64_t entry, const char* what, uint64_t index) const {
    auto bad = [&](const char* why) {
        return BlockError(file_.path() + ": overlay is corrupt: " + what + " entry " +
                          std::to_string(index) + " (" + std::to_string(entry) + ") " + why);
    };
    if (entry & overlay::kEntryReservedMask) throw bad("has reserved bits set or is unaligned");
    if (entry < header_.data_start()) throw bad("points into the header or the map table");
    if (entry + header_.cluster_size() > file_end_) throw bad("points past the end of the file");
}

OverlayBackend::L2Table* OverlayBackend::find_l2(uint32_t l1_index) {
    auto it = l2_.find(l1_index);
    if (it != l2_.end()) return &it->second;
    uint64_t location = l1_[l1_index];
    if (location == 0) return nullptr;
    L2Table t;
    t.location = location;
    std::vector<uint8_t> raw(header_.cluster_size());
    file_.read_at(location, raw);
    t.entries.resize(header_.l2_entries());
    uint64_t first_cluster = uint64_t{l1_index} * header_.l2_entries();
    for (size_t i = 0; i < t.entries.size(); ++i) {
        t.entries[i] = load_le64(&raw[i * 8]);
        if (t.entries[i] == 0) continue;
        if (first_cluster + i >= cluster_count())
            throw BlockError(file_.path() +
                             ": overlay is corrupt: cluster map has an entry for "
                             "cluster " +
                             std::to_string(first_cluster + i) + ", beyond the end of the disk");
        check_entry(t.entries[i], "cluster map", first_cluster + i);
    }
    return &l2_.emplace(l1_index, std::move(t)).first->second;
}

const std::vector<uint64_t>* OverlayBackend::l2_table(uint32_t l1_index) {
    if (l1_index >= l1_.size()) return nullptr;
    L2Table* t = find_l2(l1_index);
    return t ? &t->entries : nullptr;
}

uint64_t OverlayBackend::cluster_count() const {
    return (header_.virtual_size + header_.cluster_size() - 1) >> header_.cluster_bits;
}

std::optional<uint64_t> OverlayBackend::cluster_location(uint64_t index) {
    uint32_t l1_index = static_cast<uint32_t>(index / header_.l2_entries());
    L2Table* t = find_l2(l1_index);
    if (!t) return std::nullopt;
    uint64_t e = t->entries[index % header_.l2_entries()];
    if (e == 0) return std::nullopt;
    return e;
}

std::vector<uint64_t> OverlayBackend::written_clusters() {
    std::vector<uint64_t> clusters;
    for (uint32_t i = 0; i < l1_.size(); ++i) {
        L2Table* t = find_l2(i);
        if (!t) continue;
        for (size_t j = 0; j < t->entries.size(); ++j)
            if (t->entries[j] != 0) clusters.push_back(uint64_t{i} * header_.l2_entries() + j);
    }
    return clusters;
}

std::vector<std::string> OverlayBackend::verify_map() {
    std::vector<std::string> problems;
    std::set<uint64_t> used;
    auto claim = [&](uint64_t location, const std::string& what) {
        if (!used.insert(location).second)
            problems.push_back(what + " uses the cluster at " + std::to_string(location) +
                               " that another map entry already uses");
        // Clusters are aligned to 4 KiB but may be larger: check neighbours.
        auto it = used.find(location);
        if (it != used.begin() && *std::prev(it) + header_.cluster_size() > location)
            problems.push_back(what + " overlaps another cluster at " +
                               std::to_string(*std::prev(it)));
        if (std::next(it) != used.end() && location + header_.cluster_size() > *std::next(it))
            problems.push_back(what + " overlaps another cluster at " +
                               std::to_string(*std::next(it)));
    };
    for (uint32_t i = 0; i < l1_.size(); ++i) {
        try {
            L2Table* t = find_l2(i);
            if (!t) continue;
            claim(t->location, "cluster map table " + std::to_string(i));
            for (size_t j = 0; j < t->entries.size(); ++j)
                if (t->entries[j] != 0)
                    claim(t->entries[j], "cluster " + std::to_string(i * header_.l2_entries() + j));
        } catch (const BlockError& e) {
            problems.push_back(e.what());
        }
        if (problems.size() > 100) break;
    }
    return problems;
}

void OverlayBackend::read(uint64_t offset, std::span<uint8_t> out) {
    check_range(offset, out.size());
    const uint64_t cs = header_.cluster_size();
    while (!out.empty()) {
        uint64_t index = offset >> header_.cluster_bits;
        uint64_t in_cluster = offset & (cs - 1);
        size_t n = static_cast<size_t>(std::min<uint64_t>(out.size(), cs - in_cluster));
        auto location = cluster_location(index);
        if (location)
            file_.read_at(*location + in_cluster, out.first(n));
        else
            base_->read(offset, out.first(n));
        offset += n;
        out = out.subspan(n);
    }
}

void OverlayBackend::write(uint64_t offset, std::span<const uint8_t> data) {
    check_writable();
    check_range(offset, data.size());
    const uint64_t cs = header_.cluster_size();
    while (!data.empty()) {
        uint64_t index = offset >> header_.cluster_bits;
        uint64_t in_cluster = offset & (cs - 1);
        size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), cs - in_cluster));
        write_cluster(index, in_cluster, data.first(n));
        offset += n;
        data = data.subspan(n);
    }
}

uint64_t OverlayBackend::allocate() {
    uint64_t at = file_end_;
    file_end_ += header_.cluster_size();
    return at;
}

OverlayBackend::L2Table& OverlayBackend::l2_for_write(uint32_t l1_index) {
    if (L2Table* t = find_l2(l1_index)) return *t;
    L2Table t;
    t.location = allocate();
    t.entries.assign(header_.l2_entries(), 0);
    t.is_new = true;
    dirty_l1_.push_back(l1_index);
    l1_[l1_index] = t.location;
    return l2_.emplace(l1_index, std::move(t)).first->second;
}

void OverlayBackend::write_cluster(uint64_t index, uint64_t in_cluster,
                                   std::span<const uint8_t> data) {
    if (auto location = cluster_location(index)) {
        file_.write_at(*location + in_cluster, data);
        return;
    }
    // Copy on write: the new cluster is the base's cluster with `data` on top,
    // appended past everything the map points at.
    const uint64_t cs = header_.cluster_size();
    scratch_.assign(cs, 0);
    uint64_t start = index << header_.cluster_bits;
    if (data.size() != cs) {
        uint64_t in_disk = std::min<uint64_t>(cs, header_.virtual_size - start);
        base_->read(start, {scratch_.data(), static_cast<size_t>(in_disk)});
    }
    std::memcpy(scratch_.data() + in_cluster, data.data(), data.size());
    L2Table& t = l2_for_write(static_cast<uint32_t>(index / header_.l2_entries()));
    uint64_t location = allocate();
    file_.write_at(location, scratch_);
    size_t slot = index % header_.l2_entries();
    t.entries[slot] = location;
    t.dirty_lo = std::min(t.dirty_lo, slot);
    t.dirty_hi = std::max(t.dirty_hi, slot + 1);
}

void OverlayBackend::flush() {
    if (!options_.writable) return;
    auto sync = [&] {
        if (options_.durable) file_.sync();
    };
    bool map_dirty = !dirty_l1_.empty();
    // Step 1: new map tables (not yet referenced by anything) join the data.
    for (auto& [index, t] : l2_) {
        if (t.dirty_lo < t.dirty_hi) map_dirty = true;
        if (!t.is_new) continue;
        file_.write_at(t.location, encode_entries(t.entries.data(), t.entries.size()));
    }
    // Step 2: everything the map is about to point at is durable.
    sync();
    if (!map_dirty) return;
    // Step 3: pointers, each an aligned 8-byte store within one sector.
    for (auto& [index, t] : l2_) {
        if (!t.is_new && t.dirty_lo < t.dirty_hi)
            file_.write_at(t.location + t.dirty_lo * 8,
                           encode_entries(&t.entries[t.dirty_lo], t.dirty_hi - t.dirty_lo));
        t.is_new = false;
        t.dirty_lo = SIZE_MAX;
        t.dirty_hi = 0;
    }
    std::sort(dirty_l1_.begin(), dirty_l1_.end());
    for (uint32_t i : dirty_l1_)
        file_.write_at(header_.l1_offset + uint64_t{i} * 8, encode_entries(&l1_[i], 1));
    dirty_l1_.clear();
    // Step 4: the new map is durable.
    sync();
}

}  // namespace sandpc
