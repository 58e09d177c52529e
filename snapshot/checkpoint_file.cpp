#include "snapshot/checkpoint_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include "snapshot/state_stream.h"

namespace sandpc {

namespace {

using namespace checkpoint;

constexpr uint32_t kHeaderSize = 16;
constexpr uint32_t kFlagOptional = 1;
constexpr uint32_t kBlockHeaderSize = 12;
constexpr uint32_t kMaxValueLength = 64 * 1024;
constexpr uint64_t kMaxRegionSize = uint64_t{1} << 48;

constexpr uint32_t fourcc(const char (&s)[5]) {
    return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
           uint32_t(uint8_t(s[3])) << 24;
}
constexpr uint32_t kChunkDescription = fourcc("DESC");
constexpr uint32_t kChunkState = fourcc("STAT");
constexpr uint32_t kChunkMemory = fourcc("MEMR");
constexpr uint32_t kChunkDrive = fourcc("DRIV");
constexpr uint32_t kChunkEnd = fourcc("END ");
constexpr uint32_t kChunkDriveOverlay = fourcc("DOVL");
constexpr uint32_t kMinClusterBits = 12, kMaxClusterBits = 21;
constexpr uint64_t kMaxDiskSize = uint64_t{1} << 56;

std::string drive_overlay_chunk_name(uint32_t slot) {
    return "overlay" + std::to_string(slot);
}

std::string chunk_type_name(uint32_t type) {
    std::string s;
    for (int i = 0; i < 4; ++i) {
        char c = static_cast<char>(type >> (8 * i));
        s += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return s;
}

void put_le(std::vector<uint8_t>& buf, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) buf.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

uint32_t crc_update(uint32_t crc, std::span<const uint8_t> data) {
    uLong c = crc;
    size_t off = 0;
    while (off < data.size()) {
        size_t n = std::min<size_t>(data.size() - off, 1u << 30);
        c = crc32(c, data.data() + off, static_cast<uInt>(n));
        off += n;
    }
    return static_cast<uint32_t>(c);
}

std::string errno_text() {
    return std::strerror(errno);
}

uint64_t page_count_of(uint64_t size) {
    return (size + kPageSize - 1) / kPageSize;
}
uint32_t page_length(uint64_t size, uint64_t page) {
    return static_cast<uint32_t>(std::min<uint64_t>(kPageSize, size - page * kPageSize));
}
bool is_zero(const uint8_t* p, size_t n) {
    return n == 0 || (p[0] == 0 && std::memcmp(p, p + 1, n - 1) == 0);
}
bool bit(const std::vector<uint8_t>& bitmap, uint64_t i) {
    return (bitmap[i / 8] >> (i % 8)) & 1;
}

// Chunk header bytes: type, flags, payload length, name; its CRC follows.
std::vector<uint8_t> chunk_header(uint32_t type, uint32_t flags, uint64_t length,
                                  const std::string& name) {
    std::vector<uint8_t> h;
    put_le(h, type, 4);
    put_le(h, flags, 4);
    put_le(h, length, 8);
    put_le(h, name.size(), 4);
    h.insert(h.end(), name.begin(), name.end());
    put_le(h, crc32_of(h), 4);
    return h;
}

// ---------------------------------------------------------------- writing

// A temporary file beside the target, renamed over it by commit(); removed
// if never committed.
class AtomicOutput {
  public:
    AtomicOutput(const std::string& path, bool durable) : path_(path), durable_(durable) {
        tmp_ = path + ".tmp-XXXXXX";
        fd_ = ::mkstemp(tmp_.data());
        if (fd_ < 0) fail("cannot create a temporary file beside it");
        buf_.reserve(kBufferSize);
    }
    ~AtomicOutput() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) ::unlink(tmp_.c_str());
    }
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    uint64_t offset() const { return flushed_ + buf_.size(); }

    void write(std::span<const uint8_t> data) {
        if (buf_.size() + data.size() > kBufferSize) flush_buffer();
        if (data.size() >= kBufferSize) {
            write_at(flushed_, data);
            flushed_ += data.size();
        } else {
            buf_.insert(buf_.end(), data.begin(), data.end());
        }
    }
    // Overwrites bytes already written (a chunk header whose length is known
    // only after its payload).
    void patch(uint64_t at, std::span<const uint8_t> data) {
        flush_buffer();
        write_at(at, data);
    }

    void commit() {
        flush_buffer();
        if (durable_ && ::fsync(fd_) != 0) fail("cannot sync");
        if (::close(fd_) != 0) {
            fd_ = -1;
            fail("cannot close");
        }
        fd_ = -1;
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot rename the temporary file");
        committed_ = true;
        if (durable_) sync_folder();
    }

  private:
    static constexpr size_t kBufferSize = 1 << 20;

    [[noreturn]] void fail(const std::string& what) const {
        throw CheckpointError("checkpoint " + path_ + ": " + what + ": " + errno_text());
    }
    void flush_buffer() {
        write_at(flushed_, buf_);
        flushed_ += buf_.size();
        buf_.clear();
    }
    void write_at(uint64_t at, std::span<const uint8_t> data) {
        size_t done = 0;
        while (done < data.size()) {
            ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                                 static_cast<off_t>(at + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (n == 0) errno = ENOSPC;
                fail("cannot write");
            }
            done += static_cast<size_t>(n);
        }
    }
    void sync_folder() const {
        size_t slash = path_.rfind('/');
        std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
        int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) return;  // the rename is done; only its durability is at stake
        ::fsync(dfd);
        ::close(dfd);
    }

    std::string path_, tmp_;
    bool durable_;
    int fd_ = -1;
    bool committed_ = false;
    std::vector<uint8_t> buf_;
    uint64_t flushed_ = 0;
};

void write_chunk(AtomicOutput& out, uint32_t type, const std::string& name,
                 std::span<const uint8_t> payload) {
    out.write(chunk_header(type, 0, payload.size(), name));
    out.write(payload);
    std::vector<uint8_t> crc;
    put_le(crc, crc32_of(payload), 4);
    out.write(crc);
}

// Compresses `input` into one block (length, packed length, CRC, zlib
// stream), writes it and folds it into the chunk's running `crc`. Returns
// the bytes written.
uint64_t write_block(AtomicOutput& out, std::span<const uint8_t> input, int level,
                     std::vector<uint8_t>& packed, uint32_t& crc, const std::string& path,
                     const std::string& what) {
    packed.resize(compressBound(input.size()) + kBlockHeaderSize);
    uLongf packed_len = packed.size() - kBlockHeaderSize;
    if (compress2(packed.data() + kBlockHeaderSize, &packed_len, input.data(), input.size(),
                  level) != Z_OK)
        throw CheckpointError("checkpoint " + path + ": zlib failed to compress " + what);
    std::span<const uint8_t> data(packed.data() + kBlockHeaderSize, packed_len);
    std::vector<uint8_t> bh;
    put_le(bh, input.size(), 4);
    put_le(bh, packed_len, 4);
    put_le(bh, crc32_of(data), 4);
    std::copy(bh.begin(), bh.end(), packed.begin());
    std::span<const uint8_t> block(packed.data(), kBlockHeaderSize + packed_len);
    out.write(block);
    crc = crc_update(crc, block);
    return block.size();
}

// Region payload: size, page size, pages per block, bitmap of stored pages,
// then the blocks. Streams the blocks, then patches the chunk header.
void write_memory_chunk(AtomicOutput& out, const std::string& name, std::span<const uint8_t> memory,
                        int level, const std::string& path) {
    uint64_t header_at = out.offset();
    std::vector<uint8_t> header = chunk_header(kChunkMemory, 0, 0, name);
    out.write(header);

    uint64_t pages = page_count_of(memory.size());
    std::vector<uint8_t> head;
    put_le(head, memory.size(), 8);
    put_le(head, kPageSize, 4);
    put_le(head, kPagesPerBlock, 4);
    size_t bitmap_at = head.size();
    head.resize(bitmap_at + (pages + 7) / 8, 0);
    std::vector<uint64_t> stored;
    for (uint64_t p = 0; p < pages; ++p) {
        if (is_zero(memory.data() + p * kPageSize, page_length(memory.size(), p))) continue;
        head[bitmap_at + p / 8] |= static_cast<uint8_t>(1u << (p % 8));
        stored.push_back(p);
    }
    out.write(head);
    uint32_t crc = crc32_of(head);
    uint64_t payload = head.size();

    std::vector<uint8_t> input;
    input.reserve(size_t{kPagesPerBlock} * kPageSize);
    std::vector<uint8_t> packed;
    for (size_t first = 0; first < stored.size(); first += kPagesPerBlock) {
        input.clear();
        size_t end = std::min(stored.size(), first + kPagesPerBlock);
        for (size_t i = first; i < end; ++i) {
            const uint8_t* page = memory.data() + stored[i] * kPageSize;
            input.insert(input.end(), page, page + page_length(memory.size(), stored[i]));
        }
        payload += write_block(out, input, level, packed, crc, path, "region '" + name + "'");
    }
    std::vector<uint8_t> tail;
    put_le(tail, crc, 4);
    out.write(tail);
    out.patch(header_at, chunk_header(kChunkMemory, 0, payload, name));
}

uint64_t clusters_per_block(uint32_t cluster_bits) {
    return std::max<uint64_t>(1, (uint64_t{kPagesPerBlock} * kPageSize) >> cluster_bits);
}
uint64_t cluster_length(uint64_t virtual_size, uint32_t cluster_bits, uint64_t index) {
    return std::min(uint64_t{1} << cluster_bits, virtual_size - (index << cluster_bits));
}

// Drive overlay payload: slot, cluster bits, virtual size, the written
// clusters' indices, then their bytes in compressed blocks.
void write_overlay_chunk(AtomicOutput& out, const DriveOverlaySource& d, int level,
                         const std::string& path) {
    const std::string name = drive_overlay_chunk_name(d.slot);
    uint64_t header_at = out.offset();
    out.write(chunk_header(kChunkDriveOverlay, 0, 0, name));
    std::vector<uint8_t> head;
    put_le(head, d.slot, 4);
    put_le(head, d.cluster_bits, 4);
    put_le(head, d.virtual_size, 8);
    put_le(head, d.clusters.size(), 8);
    for (uint64_t c : d.clusters) put_le(head, c, 8);
    out.write(head);
    uint32_t crc = crc32_of(head);
    uint64_t payload = head.size();
    const uint64_t per_block = clusters_per_block(d.cluster_bits);
    std::vector<uint8_t> input, packed;
    for (size_t first = 0; first < d.clusters.size(); first += per_block) {
        input.clear();
        size_t end = std::min<size_t>(d.clusters.size(), first + per_block);
        for (size_t i = first; i < end; ++i) {
            size_t at = input.size();
            input.resize(at + cluster_length(d.virtual_size, d.cluster_bits, d.clusters[i]));
            d.read_cluster(d.clusters[i], std::span(input).subspan(at));
        }
        payload += write_block(out, input, level, packed, crc, path, "drive overlay " + name);
    }
    std::vector<uint8_t> tail;
    put_le(tail, crc, 4);
    out.write(tail);
    out.patch(header_at, chunk_header(kChunkDriveOverlay, 0, payload, name));
}

std::vector<uint8_t> encode_description(const MachineDescription& d) {
    std::vector<uint8_t> b;
    put_le(b, d.size(), 4);
    for (const auto& [key, value] : d) {
        put_le(b, key.size(), 4);
        b.insert(b.end(), key.begin(), key.end());
        put_le(b, value.size(), 4);
        b.insert(b.end(), value.begin(), value.end());
    }
    return b;
}

std::vector<uint8_t> encode_drive(const DriveReference& d) {
    std::vector<uint8_t> b;
    put_le(b, d.slot, 4);
    put_le(b, d.virtual_size, 8);
    put_le(b, static_cast<uint32_t>(d.identity_kind), 4);
    b.insert(b.end(), d.identity.begin(), d.identity.end());
    put_le(b, d.format.size(), 4);
    b.insert(b.end(), d.format.begin(), d.format.end());
    put_le(b, d.path_hint.size(), 4);
    b.insert(b.end(), d.path_hint.begin(), d.path_hint.end());
    return b;
}

std::string drive_chunk_name(uint32_t slot) {
    return "drive" + std::to_string(slot);
}

bool known_identity(uint32_t kind) {
    return kind >= 1 && kind <= 3;
}

}  // namespace

std::string drive_identity_name(DriveIdentityKind kind) {
    switch (kind) {
        case DriveIdentityKind::sampled_disk: return "sampled disk hash";
        case DriveIdentityKind::full_disk: return "full disk hash";
        case DriveIdentityKind::image_file: return "image file hash";
    }
    return "unknown identity " + std::to_string(static_cast<uint32_t>(kind));
}

void CheckpointWriter::set_description(MachineDescription description) {
    for (const auto& [key, value] : description) {
        if (key.empty() || key.size() > kMaxNameLength || value.size() > kMaxValueLength)
            throw CheckpointError("checkpoint: description key '" + key +
                                  "' or its value has a bad length");
    }
    description_ = std::move(description);
}

void CheckpointWriter::set_state(std::vector<uint8_t> state) {
    state_ = std::move(state);
    has_state_ = true;
}

void CheckpointWriter::add_memory(std::string name, std::span<const uint8_t> memory) {
    if (name.empty() || name.size() > kMaxNameLength)
        throw CheckpointError("checkpoint: memory region name must be 1 to 255 bytes");
    if (memory.size() > kMaxRegionSize)
        throw CheckpointError("checkpoint: memory region '" + name + "' is too large");
    for (const auto& [other, span] : memory_) {
        if (other == name) throw CheckpointError("checkpoint: memory region '" + name + "' twice");
    }
    memory_.emplace_back(std::move(name), memory);
}

void CheckpointWriter::add_drive(DriveReference drive) {
    if (drive.slot > kMaxDriveSlot)
        throw CheckpointError("checkpoint: drive slot " + std::to_string(drive.slot) +
                              " is out of range");
    if (drive.path_hint.size() > kMaxPathHint || drive.format.empty() ||
        drive.format.size() > kMaxNameLength)
        throw CheckpointError("checkpoint: drive slot " + std::to_string(drive.slot) +
                              " has a bad path or format");
    if (!known_identity(static_cast<uint32_t>(drive.identity_kind)))
        throw CheckpointError("checkpoint: drive slot " + std::to_string(drive.slot) +
                              " has an unknown identity kind");
    for (const DriveReference& d : drives_) {
        if (d.slot == drive.slot)
            throw CheckpointError("checkpoint: drive slot " + std::to_string(drive.slot) +
                                  " twice");
    }
    drives_.push_back(std::move(drive));
}

void CheckpointWriter::add_drive_overlay(DriveOverlaySource overlay) {
    std::string slot = "checkpoint: drive overlay slot " + std::to_string(overlay.slot);
    if (overlay.slot > kMaxDriveSlot) throw CheckpointError(slot + " is out of range");
    if (overlay.cluster_bits < kMinClusterBits || overlay.cluster_bits > kMaxClusterBits ||
        overlay.virtual_size > kMaxDiskSize || !overlay.read_cluster)
        throw CheckpointError(slot + " has a bad cluster size, disk size or reader");
    uint64_t clusters =
        (overlay.virtual_size + (uint64_t{1} << overlay.cluster_bits) - 1) >> overlay.cluster_bits;
    for (size_t i = 0; i < overlay.clusters.size(); ++i)
        if (overlay.clusters[i] >= clusters ||
            (i && overlay.clusters[i] <= overlay.clusters[i - 1]))
            throw CheckpointError(slot + ": clusters must be ascending and inside the disk");
    for (const DriveOverlaySource& d : overlays_)
        if (d.slot == overlay.slot) throw CheckpointError(slot + " twice");
    overlays_.push_back(std::move(overlay));
}

void CheckpointWriter::write(const std::string& path, const CheckpointWriteOptions& options) const {
    if (!has_state_) throw CheckpointError("checkpoint " + path + ": no component state was set");
    if (options.zlib_level < 1 || options.zlib_level > 9)
        throw CheckpointError("checkpoint " + path + ": zlib level must be 1 to 9");
    AtomicOutput out(path, options.durable);

    std::vector<uint8_t> header(kMagic.begin(), kMagic.end());
    put_le(header, kMajorVersion, 2);
    put_le(header, kMinorVersion, 2);
    put_le(header, crc32_of(header), 4);
    out.write(header);

    write_chunk(out, kChunkDescription, "description", encode_description(description_));
    for (const DriveReference& d : drives_)
        write_chunk(out, kChunkDrive, drive_chunk_name(d.slot), encode_drive(d));
    for (const DriveOverlaySource& d : overlays_)
        write_overlay_chunk(out, d, options.zlib_level, path);
    write_chunk(out, kChunkState, "state", state_);
    for (const auto& [name, span] : memory_)
        write_memory_chunk(out, name, span, options.zlib_level, path);
    write_chunk(out, kChunkEnd, "end", {});
    out.commit();
}

// ---------------------------------------------------------------- reading

struct CheckpointReader::Region {
    struct Block {
        uint64_t offset;  // of the compressed bytes in the file
        uint32_t packed_length;
        uint32_t length;
        uint32_t crc;
        uint64_t first_stored;  // index among the stored pages
    };
    std::string name;
    uint64_t size = 0;
    std::vector<uint8_t> bitmap;
    std::vector<Block> blocks;
};

struct CheckpointReader::DriveOverlay {
    DriveOverlayInfo info;
    std::vector<Region::Block> blocks;  // first_stored: index into info.clusters
};

namespace {

// Positional reads of the checkpoint with errors that name it.
class InputFile {
  public:
    InputFile(int fd, const std::string& path, uint64_t size) : fd_(fd), path_(path), size_(size) {}

    uint64_t size() const { return size_; }
    [[noreturn]] void bad(const std::string& what) const {
        throw CheckpointError("checkpoint " + path_ + ": " + what);
    }
    void read(uint64_t at, std::span<uint8_t> out, const char* what) const {
        if (at > size_ || out.size() > size_ - at)
            bad(std::string("truncated (") + what + " runs past the end of the file)");
        size_t done = 0;
        while (done < out.size()) {
            ssize_t n =
                ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(at + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) bad("read error: " + errno_text());
            if (n == 0) bad("the file shrank while being read");
            done += static_cast<size_t>(n);
        }
    }

  private:
    int fd_;
    const std::string& path_;
    uint64_t size_;
};

// Bounds-checked decoding of a chunk payload held in memory.
class PayloadReader {
  public:
    PayloadReader(std::span<const uint8_t> data, const InputFile& file, std::string what)
        : data_(data), file_(file), what_(std::move(what)) {}
    uint64_t le(int bytes) {
        need(bytes);
        uint64_t v = get_le(data_.data() + pos_, bytes);
        pos_ += bytes;
        return v;
    }
    std::string str(uint32_t max) {
        uint64_t n = le(4);
        if (n > max) file_.bad(what_ + " has a string longer than " + std::to_string(max));
        need(n);
        std::string s(reinterpret_cast<const char*>(data_.data() + pos_), n);
        pos_ += n;
        return s;
    }
    void bytes(std::span<uint8_t> out) {
        need(out.size());
        std::copy_n(data_.data() + pos_, out.size(), out.begin());
        pos_ += out.size();
    }
    void finish() const {
        if (pos_ != data_.size()) file_.bad(what_ + " has unexpected trailing bytes");
    }

  private:
    void need(uint64_t n) const {
        if (n > data_.size() - pos_) file_.bad(what_ + " is shorter than its contents");
    }
    std::span<const uint8_t> data_;
    const InputFile& file_;
    std::string what_;
    size_t pos_ = 0;
};

MachineDescription decode_description(std::span<const uint8_t> data, const InputFile& file) {
    PayloadReader r(data, file, "the description chunk");
    uint64_t count = r.le(4);
    MachineDescription d;
    for (uint64_t i = 0; i < count; ++i) {
        std::string key = r.str(kMaxNameLength);
        std::string value = r.str(kMaxValueLength);
        if (key.empty()) file.bad("the description has an empty key");
        if (!d.empty() && key <= d.rbegin()->first)
            file.bad("the description's keys are duplicated or out of order");
        d.emplace_hint(d.end(), std::move(key), std::move(value));
    }
    r.finish();
    return d;
}

DriveReference decode_drive(std::span<const uint8_t> data, const InputFile& file,
                            const std::string& name) {
    PayloadReader r(data, file, "drive chunk '" + name + "'");
    DriveReference d;
    d.slot = static_cast<uint32_t>(r.le(4));
    d.virtual_size = r.le(8);
    uint32_t kind = static_cast<uint32_t>(r.le(4));
    r.bytes(d.identity);
    d.format = r.str(kMaxNameLength);
    d.path_hint = r.str(kMaxPathHint);
    r.finish();
    if (d.slot > kMaxDriveSlot || name != drive_chunk_name(d.slot))
        file.bad("drive chunk '" + name + "' has a bad slot " + std::to_string(d.slot));
    if (!known_identity(kind))
        file.bad("drive slot " + std::to_string(d.slot) + " has an unknown identity kind " +
                 std::to_string(kind));
    d.identity_kind = static_cast<DriveIdentityKind>(kind);
    if (d.format.empty()) file.bad("drive slot " + std::to_string(d.slot) + " has no format");
    return d;
}

// Inflates one block into `out`, which must be filled exactly.
bool inflate_block(std::span<const uint8_t> packed, std::span<uint8_t> out) {
    uLongf out_len = out.size();
    uLong in_len = packed.size();
    int rc = uncompress2(out.data(), &out_len, packed.data(), &in_len);
    return rc == Z_OK && out_len == out.size() && in_len == packed.size();
}

// Reads and fully checks the block at payload offset `pos` (advanced past
// it) of a payload of `length` bytes at `at`: its header, that it holds
// `expect` bytes, its CRC and that it inflates exactly. Folds it into `crc`.
CheckpointReader::Region::Block read_block(const InputFile& file, uint64_t at, uint64_t length,
                                           uint64_t& pos, uint64_t expect, uint32_t& crc,
                                           const std::string& block) {
    if (length - pos < kBlockHeaderSize) file.bad(block + " is missing (truncated)");
    std::array<uint8_t, kBlockHeaderSize> bh{};
    file.read(at + pos, bh, "a compressed block");
    crc = crc_update(crc, bh);
    uint32_t ulen = static_cast<uint32_t>(get_le(bh.data(), 4));
    uint32_t plen = static_cast<uint32_t>(get_le(bh.data() + 4, 4));
    uint32_t bcrc = static_cast<uint32_t>(get_le(bh.data() + 8, 4));
    if (ulen != expect || plen > compressBound(ulen) || plen > length - pos - kBlockHeaderSize)
        file.bad(block + " has a bad header (corrupted)");
    std::vector<uint8_t> packed(plen), scratch(ulen);
    file.read(at + pos + kBlockHeaderSize, packed, "a compressed block");
    crc = crc_update(crc, packed);
    if (crc32_of(packed) != bcrc) file.bad(block + " fails its checksum (corrupted)");
    if (!inflate_block(packed, scratch)) file.bad(block + " does not decompress (corrupted)");
    CheckpointReader::Region::Block b{at + pos + kBlockHeaderSize, plen, ulen, bcrc, 0};
    pos += kBlockHeaderSize + plen;
    return b;
}

// Parses and fully checks a DOVL payload of `length` bytes at `at`.
CheckpointReader::DriveOverlay read_drive_overlay(const InputFile& file, const std::string& name,
                                                  uint64_t at, uint64_t length,
                                                  uint32_t payload_crc) {
    std::string where = "drive overlay '" + name + "'";
    CheckpointReader::DriveOverlay o;
    if (length < 24) file.bad(where + " is too short");
    std::array<uint8_t, 24> fixed{};
    file.read(at, fixed, "a drive overlay");
    o.info.slot = static_cast<uint32_t>(get_le(fixed.data(), 4));
    o.info.cluster_bits = static_cast<uint32_t>(get_le(fixed.data() + 4, 4));
    o.info.virtual_size = get_le(fixed.data() + 8, 8);
    uint64_t count = get_le(fixed.data() + 16, 8);
    if (o.info.slot > kMaxDriveSlot || name != drive_overlay_chunk_name(o.info.slot))
        file.bad(where + " has a bad slot " + std::to_string(o.info.slot));
    if (o.info.cluster_bits < kMinClusterBits || o.info.cluster_bits > kMaxClusterBits ||
        o.info.virtual_size > kMaxDiskSize)
        file.bad(where + " has a bad cluster size or disk size (corrupted)");
    uint64_t disk_clusters =
        (o.info.virtual_size + (uint64_t{1} << o.info.cluster_bits) - 1) >> o.info.cluster_bits;
    if (count > disk_clusters || count > (length - fixed.size()) / 8)
        file.bad(where + " has a bad cluster count (corrupted)");
    std::vector<uint8_t> indices(count * 8);
    file.read(at + fixed.size(), indices, "a drive overlay");
    uint32_t crc = crc_update(crc32_of(fixed), indices);
    o.info.clusters.resize(count);
    for (uint64_t i = 0; i < count; ++i) {
        o.info.clusters[i] = get_le(indices.data() + i * 8, 8);
        if (o.info.clusters[i] >= disk_clusters ||
            (i && o.info.clusters[i] <= o.info.clusters[i - 1]))
            file.bad(where + " lists clusters out of order or past the disk (corrupted)");
    }
    uint64_t pos = fixed.size() + indices.size();
    const uint64_t per_block = clusters_per_block(o.info.cluster_bits);
    for (uint64_t first = 0; first < count; first += per_block) {
        uint64_t end = std::min(count, first + per_block);
        uint64_t expect = 0;
        for (uint64_t i = first; i < end; ++i)
            expect += cluster_length(o.info.virtual_size, o.info.cluster_bits, o.info.clusters[i]);
        CheckpointReader::Region::Block b =
            read_block(file, at, length, pos, expect, crc,
                       where + " block " + std::to_string(first / per_block));
        b.first_stored = first;
        o.blocks.push_back(b);
    }
    if (pos != length) file.bad(where + " has unexpected trailing bytes");
    if (crc != payload_crc) file.bad(where + " fails its checksum (corrupted)");
    return o;
}

// Parses and fully checks a MEMR payload of `length` bytes at `at`.
CheckpointReader::Region read_region(const InputFile& file, const std::string& name, uint64_t at,
                                     uint64_t length, uint32_t payload_crc);

}  // namespace

CheckpointReader::CheckpointReader(CheckpointReader&& o) noexcept
    : path_(std::move(o.path_)),
      fd_(std::exchange(o.fd_, -1)),
      minor_version_(o.minor_version_),
      description_(std::move(o.description_)),
      state_(std::move(o.state_)),
      regions_(std::move(o.regions_)),
      drives_(std::move(o.drives_)),
      overlays_(std::move(o.overlays_)) {}

CheckpointReader& CheckpointReader::operator=(CheckpointReader&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(o.path_);
        fd_ = std::exchange(o.fd_, -1);
        minor_version_ = o.minor_version_;
        description_ = std::move(o.description_);
        state_ = std::move(o.state_);
        regions_ = std::move(o.regions_);
        drives_ = std::move(o.drives_);
        overlays_ = std::move(o.overlays_);
    }
    return *this;
}

CheckpointReader::~CheckpointReader() {
    if (fd_ >= 0) ::close(fd_);
}

CheckpointReader CheckpointReader::open(const std::string& path) {
    CheckpointReader r;
    r.path_ = path;
    r.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (r.fd_ < 0) throw CheckpointError("checkpoint " + path + ": cannot open: " + errno_text());
    struct stat st {};
    if (::fstat(r.fd_, &st) != 0 || !S_ISREG(st.st_mode))
        throw CheckpointError("checkpoint " + path + ": not a regular file");
    InputFile file(r.fd_, r.path_, static_cast<uint64_t>(st.st_size));

    if (file.size() < kMagic.size()) file.bad("too short to be a checkpoint");
    std::array<uint8_t, kHeaderSize> header{};
    file.read(0, std::span(header).first(kMagic.size()), "the header");
    if (!std::equal(kMagic.begin(), kMagic.end(), header.begin()))
        file.bad("not a sandpc checkpoint (bad magic)");
    file.read(0, header, "the header");
    if (crc32_of(std::span(header).first(12)) != get_le(header.data() + 12, 4))
        file.bad("the file header fails its checksum (corrupted)");
    uint16_t major = static_cast<uint16_t>(get_le(header.data() + 8, 2));
    r.minor_version_ = static_cast<uint16_t>(get_le(header.data() + 10, 2));
    if (major > kMajorVersion)
        file.bad("written by a newer sandpc (format " + std::to_string(major) + "." +
                 std::to_string(r.minor_version_) + "; this build reads format " +
                 std::to_string(kMajorVersion) + ")");
    if (major < 1) file.bad("has an invalid format version 0");

    bool seen_description = false, seen_state = false, seen_end = false;
    std::set<uint32_t> slots;
    uint64_t at = kHeaderSize;
    while (!seen_end) {
        if (at == file.size()) file.bad("truncated (no end chunk)");
        std::array<uint8_t, 20> fixed{};
        file.read(at, fixed, "a chunk header");
        uint32_t type = static_cast<uint32_t>(get_le(fixed.data(), 4));
        uint32_t flags = static_cast<uint32_t>(get_le(fixed.data() + 4, 4));
        uint64_t length = get_le(fixed.data() + 8, 8);
        uint64_t name_length = get_le(fixed.data() + 16, 4);
        std::string where = "chunk at offset " + std::to_string(at);
        if (name_length > kMaxNameLength) file.bad(where + " has a bad header (corrupted)");
        std::vector<uint8_t> head(fixed.begin(), fixed.end());
        head.resize(fixed.size() + name_length + 4);
        file.read(at, head, "a chunk header");
        std::span<const uint8_t> covered = std::span(head).first(head.size() - 4);
        if (crc32_of(covered) != get_le(head.data() + head.size() - 4, 4))
            file.bad(where + " fails its header checksum (corrupted)");
        std::string name(reinterpret_cast<const char*>(head.data()) + fixed.size(), name_length);
        where = "chunk " + chunk_type_name(type) + " '" + name + "'";
        if (flags & ~kFlagOptional) file.bad(where + " has unknown flags (newer sandpc?)");
        uint64_t payload_at = at + head.size();
        if (length > file.size() - payload_at || file.size() - payload_at - length < 4)
            file.bad("truncated (" + where + " runs past the end of the file)");
        std::array<uint8_t, 4> crc_bytes{};
        file.read(payload_at + length, crc_bytes, "a chunk checksum");
        uint32_t payload_crc = static_cast<uint32_t>(get_le(crc_bytes.data(), 4));
        at = payload_at + length + 4;

        auto load = [&]() {
            std::vector<uint8_t> payload(length);
            file.read(payload_at, payload, "a chunk");
            if (crc32_of(payload) != payload_crc)
                file.bad(where + " fails its checksum (corrupted)");
            return payload;
        };
        auto once = [&](bool& seen) {
            if (seen) file.bad(where + " appears twice");
            seen = true;
        };
        switch (type) {
            case kChunkDescription:
                once(seen_description);
                r.description_ = decode_description(load(), file);
                break;
            case kChunkState:
                once(seen_state);
                r.state_ = load();
                break;
            case kChunkDrive: {
                DriveReference d = decode_drive(load(), file, name);
                if (!slots.insert(d.slot).second) file.bad(where + " appears twice");
                r.drives_.push_back(std::move(d));
                break;
            }
            case kChunkMemory:
                if (name.empty()) file.bad(where + " has no name");
                for (const Region& g : r.regions_)
                    if (g.name == name) file.bad(where + " appears twice");
                r.regions_.push_back(read_region(file, name, payload_at, length, payload_crc));
                break;
            case kChunkDriveOverlay: {
                CheckpointReader::DriveOverlay o =
                    read_drive_overlay(file, name, payload_at, length, payload_crc);
                for (const DriveOverlay& other : r.overlays_)
                    if (other.info.slot == o.info.slot) file.bad(where + " appears twice");
                r.overlays_.push_back(std::move(o));
                break;
            }
            case kChunkEnd:
                if (length != 0) file.bad(where + " is not empty");
                load();
                seen_end = true;
                break;
            default:
                if (!(flags & kFlagOptional))
                    file.bad(where +
                             " is of a kind this build does not know and is required "
                             "(written by a newer sandpc?)");
                load();  // skipped, but still checked
                break;
        }
    }
    if (at != file.size()) file.bad("has data after its end chunk");
    if (!seen_description) file.bad("has no description chunk");
    if (!seen_state) file.bad("has no state chunk");
    std::sort(r.drives_.begin(), r.drives_.end(),
              [](const DriveReference& a, const DriveReference& b) { return a.slot < b.slot; });
    // A carried overlay and its drive reference come in pairs.
    for (const DriveReference& d : r.drives_) {
        const DriveOverlayInfo* o = r.drive_overlay(d.slot);
        bool temporary = d.format == kTemporaryOverlayFormat;
        std::string slot = "drive slot " + std::to_string(d.slot);
        if (temporary && !o) file.bad(slot + " ran on a temporary overlay whose chunk is missing");
        if (!temporary && o)
            file.bad(slot + " has an overlay chunk but is a " + d.format + " drive");
        if (o && o->virtual_size != d.virtual_size)
            file.bad(slot + "'s overlay chunk disagrees with its drive on the disk size");
    }
    for (const DriveOverlay& o : r.overlays_)
        if (!slots.count(o.info.slot))
            file.bad("drive overlay for slot " + std::to_string(o.info.slot) +
                     " has no drive reference");
    return r;
}

namespace {

CheckpointReader::Region read_region(const InputFile& file, const std::string& name, uint64_t at,
                                     uint64_t length, uint32_t payload_crc) {
    std::string where = "memory region '" + name + "'";
    CheckpointReader::Region g;
    g.name = name;
    if (length < 16) file.bad(where + " is too short");
    std::array<uint8_t, 16> fixed{};
    file.read(at, fixed, "a memory region");
    g.size = get_le(fixed.data(), 8);
    if (g.size > kMaxRegionSize) file.bad(where + " has an impossible size");
    if (get_le(fixed.data() + 8, 4) != kPageSize || get_le(fixed.data() + 12, 4) != kPagesPerBlock)
        file.bad(where + " uses an unsupported page or block size");
    uint64_t pages = page_count_of(g.size);
    uint64_t bitmap_bytes = (pages + 7) / 8;
    if (bitmap_bytes > length - fixed.size()) file.bad(where + " is shorter than its page map");
    g.bitmap.resize(bitmap_bytes);
    file.read(at + fixed.size(), g.bitmap, "a memory region");
    uint32_t crc = crc_update(crc32_of(fixed), g.bitmap);
    if (pages % 8 && (g.bitmap.back() >> (pages % 8)))
        file.bad(where + " marks pages past its end (corrupted)");

    // Stored pages in order, so each block's expected length is known.
    std::vector<uint64_t> stored;
    for (uint64_t p = 0; p < pages; ++p)
        if (bit(g.bitmap, p)) stored.push_back(p);

    uint64_t pos = fixed.size() + bitmap_bytes;
    for (uint64_t first = 0; first < stored.size(); first += kPagesPerBlock) {
        uint64_t end = std::min<uint64_t>(stored.size(), first + kPagesPerBlock);
        uint64_t expect = 0;
        for (uint64_t i = first; i < end; ++i) expect += page_length(g.size, stored[i]);
        CheckpointReader::Region::Block b =
            read_block(file, at, length, pos, expect, crc,
                       where + " block " + std::to_string(first / kPagesPerBlock));
        b.first_stored = first;
        g.blocks.push_back(b);
    }
    if (pos != length) file.bad(where + " has unexpected trailing bytes");
    if (crc != payload_crc) file.bad(where + " fails its checksum (corrupted)");
    return g;
}

}  // namespace

std::vector<std::string> CheckpointReader::memory_names() const {
    std::vector<std::string> names;
    for (const Region& g : regions_) names.push_back(g.name);
    return names;
}

bool CheckpointReader::has_memory(const std::string& name) const {
    return std::any_of(regions_.begin(), regions_.end(),
                       [&](const Region& g) { return g.name == name; });
}

const CheckpointReader::Region& CheckpointReader::region(const std::string& name) const {
    for (const Region& g : regions_)
        if (g.name == name) return g;
    throw CheckpointError("checkpoint " + path_ + ": has no memory region '" + name + "'");
}

uint64_t CheckpointReader::memory_size(const std::string& name) const {
    return region(name).size;
}

void CheckpointReader::restore_memory(const std::string& name, std::span<uint8_t> out) const {
    const Region& g = region(name);
    if (out.size() != g.size)
        throw CheckpointError("checkpoint " + path_ + ": memory region '" + name + "' holds " +
                              std::to_string(g.size) + " bytes but the machine has " +
                              std::to_string(out.size()));
    InputFile file(fd_, path_, UINT64_MAX);
    std::vector<uint8_t> packed, scratch;
    // Blocks first (each re-checked: only a file changed since open() fails
    // here), then the zero pages.
    uint64_t pages = page_count_of(g.size);
    uint64_t page = 0;
    for (const Region::Block& b : g.blocks) {
        packed.resize(b.packed_length);
        file.read(b.offset, packed, "a memory block");
        scratch.resize(b.length);
        if (crc32_of(packed) != b.crc || !inflate_block(packed, scratch))
            file.bad("memory region '" + name + "' changed on disk since the file was opened");
        size_t from = 0;
        while (from < scratch.size()) {
            while (!bit(g.bitmap, page)) ++page;
            uint32_t n = page_length(g.size, page);
            std::memcpy(out.data() + page * kPageSize, scratch.data() + from, n);
            from += n;
            ++page;
        }
    }
    // Pages already zero are left untouched: in a fresh machine they are
    // pages the host has not even allocated yet.
    for (uint64_t p = 0; p < pages; ++p) {
        uint8_t* at = out.data() + p * kPageSize;
        uint32_t n = page_length(g.size, p);
        if (!bit(g.bitmap, p) && !is_zero(at, n)) std::memset(at, 0, n);
    }
}

const DriveOverlayInfo* CheckpointReader::drive_overlay(uint32_t slot) const {
    for (const DriveOverlay& o : overlays_)
        if (o.info.slot == slot) return &o.info;
    return nullptr;
}

void CheckpointReader::replay_drive_overlay(
    uint32_t slot,
    const std::function<void(uint64_t offset, std::span<const uint8_t> data)>& write) const {
    auto it = std::find_if(overlays_.begin(), overlays_.end(),
                           [&](const DriveOverlay& o) { return o.info.slot == slot; });
    if (it == overlays_.end())
        throw CheckpointError("checkpoint " + path_ + ": has no overlay for drive slot " +
                              std::to_string(slot));
    const DriveOverlayInfo& info = it->info;
    InputFile file(fd_, path_, UINT64_MAX);
    std::vector<uint8_t> packed, scratch;
    for (const Region::Block& b : it->blocks) {
        packed.resize(b.packed_length);
        file.read(b.offset, packed, "a drive overlay block");
        scratch.resize(b.length);
        if (crc32_of(packed) != b.crc || !inflate_block(packed, scratch))
            file.bad("drive overlay " + std::to_string(slot) +
                     " changed on disk since the file was opened");
        size_t from = 0;
        for (uint64_t i = b.first_stored; from < scratch.size(); ++i) {
            uint64_t index = info.clusters[i];
            uint64_t n = cluster_length(info.virtual_size, info.cluster_bits, index);
            write(index << info.cluster_bits, std::span(scratch).subspan(from, n));
            from += n;
        }
    }
}

void check_description(const CheckpointReader& checkpoint, const MachineDescription& current) {
    const MachineDescription& saved = checkpoint.description();
    std::string diffs;
    auto add = [&](const std::string& key, const std::string& was, const std::string& now) {
        diffs += (diffs.empty() ? "" : ", ") + key + " was " + was + ", is " + now;
    };
    for (const auto& [key, value] : saved) {
        auto it = current.find(key);
        if (it == current.end())
            add(key, "'" + value + "'", "not set");
        else if (it->second != value)
            add(key, "'" + value + "'", "'" + it->second + "'");
    }
    for (const auto& [key, value] : current)
        if (!saved.count(key)) add(key, "not set", "'" + value + "'");
    if (!diffs.empty())
        throw CheckpointError("checkpoint " + checkpoint.path() +
                              ": the machine differs from the one saved: " + diffs);
}

void check_drives(const CheckpointReader& checkpoint, const std::vector<DriveReference>& current) {
    const std::string prefix = "checkpoint " + checkpoint.path() + ": ";
    for (const DriveReference& now : current) {
        auto it = std::find_if(checkpoint.drives().begin(), checkpoint.drives().end(),
                               [&](const DriveReference& d) { return d.slot == now.slot; });
        std::string slot = "drive slot " + std::to_string(now.slot);
        if (it == checkpoint.drives().end())
            throw CheckpointError(prefix + slot + " (" + now.path_hint +
                                  ") was empty when the checkpoint was saved");
        const DriveReference& was = *it;
        std::string saved_as =
            slot + " (saved with " + was.path_hint + ", now " + now.path_hint + ") ";
        if (now.format != was.format)
            throw CheckpointError(prefix + saved_as + "was a " + was.format + " image, is a " +
                                  now.format + " image");
        if (now.virtual_size != was.virtual_size)
            throw CheckpointError(prefix + saved_as + "was " + std::to_string(was.virtual_size) +
                                  " bytes, is " + std::to_string(now.virtual_size));
        if (now.identity_kind != was.identity_kind)
            throw CheckpointError(prefix + saved_as + "is identified by " +
                                  drive_identity_name(was.identity_kind) + ", not by " +
                                  drive_identity_name(now.identity_kind));
        if (now.identity != was.identity)
            throw CheckpointError(prefix + saved_as + "has different content (" +
                                  drive_identity_name(was.identity_kind) +
                                  " differs): restoring would mix two disks");
    }
    for (const DriveReference& was : checkpoint.drives()) {
        bool present = std::any_of(current.begin(), current.end(),
                                   [&](const DriveReference& d) { return d.slot == was.slot; });
        if (!present)
            throw CheckpointError(prefix + "drive slot " + std::to_string(was.slot) + " (" +
                                  was.path_hint + ") is missing from the machine");
    }
}

}  // namespace sandpc
