// The sandpc copy-on-write overlay: a thin file holding only the clusters the
// guest wrote; everything else reads through to a read-only base, which may be
// any BlockBackend (another overlay, a qcow2 image, a raw image).
//
// Crash consistency (argued in docs/overlay-format.md): new clusters are
// appended past the end of the file, and the map entries pointing at them
// are written only in flush(), after an fdatasync has made the clusters
// durable, and are themselves followed by an fdatasync. So every write that
// completed before the last flush() returned survives a crash, and the map
// never points at data that is not on disk.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devices/storage/block_backend.h"
#include "devices/storage/host_file.h"
#include "devices/storage/overlay_format.h"

namespace sandpc {

struct OverlayCreateOptions {
    uint32_t cluster_bits = overlay::kDefaultClusterBits;
    overlay::BaseHashKind hash_kind = overlay::BaseHashKind::sampled;
    overlay::BaseFormat base_format = overlay::BaseFormat::probe;
    std::string base_hint;  // path of the base, absolute or relative to the overlay
};

struct OverlayOpenOptions {
    bool writable = false;
    // Refuse the overlay unless the base's size and content hash match the
    // header. Only tools that inspect a broken chain turn this off.
    bool verify_base = true;
    // Make flush() durable (fdatasync). Off only for throwaway overlays.
    bool durable = true;
    // A throwaway overlay in an unlinked file (create_temporary): its writes
    // exist nowhere else, so a machine checkpoint must carry them.
    bool temporary = false;
};

class OverlayBackend : public BlockBackend {
  public:
    // Writes a new, empty overlay over `base` to `path` (which must not exist).
    static void create_file(const std::string& path, BlockBackend& base,
                            const OverlayCreateOptions& options);
    // Same, with a precomputed base identity (to re-create an overlay).
    static void create_file(const std::string& path, const overlay::BaseIdentity& identity,
                            const OverlayCreateOptions& options);
    static std::unique_ptr<OverlayBackend> open(const std::string& path, BlockBackendPtr base,
                                                const OverlayOpenOptions& options);
    static std::unique_ptr<OverlayBackend> open(HostFile file, BlockBackendPtr base,
                                                const OverlayOpenOptions& options);
    // An overlay in an already-unlinked temporary file under `dir`: every write
    // to it disappears when it is closed (or the process dies).
    static std::unique_ptr<OverlayBackend> create_temporary(BlockBackendPtr base,
                                                            const std::string& dir);
    // Reads and validates only the header.
    static overlay::Header read_header(const std::string& path);

    // Flushes; errors are lost here, so callers that care flush() first.
    ~OverlayBackend() override;

    uint64_t size() const override { return header_.virtual_size; }
    bool read_only() const override { return !options_.writable; }
    std::string describe() const override;
    void read(uint64_t offset, std::span<uint8_t> out) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;
    void flush() override;

    const overlay::Header& header() const { return header_; }
    BlockBackend& base() { return *base_; }
    // File offset of the overlay's copy of guest cluster `index`, if any.
    std::optional<uint64_t> cluster_location(uint64_t index);
    uint64_t cluster_count() const;
    bool temporary() const { return options_.temporary; }
    // Guest clusters this overlay holds a copy of, ascending.
    std::vector<uint64_t> written_clusters();
    // Highest byte the file uses (past the last cluster appended so far).
    uint64_t file_end() const { return file_end_; }
    uint64_t l1_entry(uint32_t index) const { return l1_[index]; }
    // Loads (and validates) one L2 table; empty if that L1 entry is unset.
    const std::vector<uint64_t>* l2_table(uint32_t l1_index);
    // Loads every table and lists structural problems: entries outside the
    // file or over the metadata, clusters referenced twice. Empty when sound.
    std::vector<std::string> verify_map();

  private:
    struct L2Table {
        uint64_t location = 0;
        std::vector<uint64_t> entries;
        bool is_new = false;  // not yet written to the file
        size_t dirty_lo = SIZE_MAX, dirty_hi = 0;
    };

    OverlayBackend(HostFile file, BlockBackendPtr base, overlay::Header header,
                   const OverlayOpenOptions& options);
    void load_l1();
    // Throws unless `entry` may point at a cluster of this file.
    void check_entry(uint64_t entry, const char* what, uint64_t index) const;
    L2Table* find_l2(uint32_t l1_index);
    L2Table& l2_for_write(uint32_t l1_index);
    uint64_t allocate();
    void write_cluster(uint64_t index, uint64_t in_cluster, std::span<const uint8_t> data);

    HostFile file_;
    BlockBackendPtr base_;
    overlay::Header header_;
    OverlayOpenOptions options_;
    std::vector<uint64_t> l1_;
    std::map<uint32_t, L2Table> l2_;
    std::vector<uint32_t> dirty_l1_;
    uint64_t file_end_ = 0;
    std::vector<uint8_t> scratch_;
};

}  // namespace sandpc
