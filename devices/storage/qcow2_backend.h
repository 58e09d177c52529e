// Reads QEMU's qcow2 images (versions 2 and 3, backing files, zlib-compressed
// clusters) as a read-only base. Snapshots inside the image are ignored (the
// active L1 table is read); encryption, external data files, extended L2
// entries, non-zlib compression and unknown incompatible features are refused.
#pragma once

#include <functional>
#include <list>
#include <string>
#include <unordered_map>
#include <vector>

#include "devices/storage/block_backend.h"
#include "devices/storage/host_file.h"

namespace sandpc {

struct Qcow2Info {
    uint32_t version = 0;
    uint32_t cluster_bits = 0;
    uint64_t virtual_size = 0;
    std::string backing_file;    // as stored in the image, empty if none
    std::string backing_format;  // from the header extension, empty if absent
};

class Qcow2Backend : public BlockBackend {
  public:
    // Opens the backing image named in the header; given the stored name and
    // format. Returns null when the image has no usable backing (reads as zero).
    using BackingOpener =
        std::function<BlockBackendPtr(const std::string& name, const std::string& format)>;

    static std::unique_ptr<Qcow2Backend> open(HostFile file, const BackingOpener& open_backing);
    static std::unique_ptr<Qcow2Backend> open(const std::string& path,
                                              const BackingOpener& open_backing);
    // Parses and validates the header only.
    static Qcow2Info read_info(const HostFile& file);
    static bool has_magic(std::span<const uint8_t> first_bytes);

    uint64_t size() const override { return info_.virtual_size; }
    bool read_only() const override { return true; }
    std::string describe() const override;
    void read(uint64_t offset, std::span<uint8_t> out) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;
    void flush() override {}

    const Qcow2Info& info() const { return info_; }
    BlockBackend* backing() { return backing_.get(); }
    // Checks every L1 and L2 entry; lists problems (empty when sound).
    std::vector<std::string> verify_map();

  private:
    struct Layout {
        Qcow2Info info;
        uint64_t l1_offset = 0;
        uint32_t l1_size = 0;
    };
    static Layout parse(const HostFile& file);

    Qcow2Backend(HostFile file, Layout layout);
    uint64_t cluster_size() const { return uint64_t{1} << info_.cluster_bits; }
    const std::vector<uint64_t>& l2_table(uint64_t location);
    void read_cluster(uint64_t index, uint64_t in_cluster, std::span<uint8_t> out);
    void read_compressed(uint64_t entry, uint64_t in_cluster, std::span<uint8_t> out);
    [[noreturn]] void corrupt(const std::string& why) const;

    HostFile file_;
    Qcow2Info info_;
    uint64_t file_size_;
    std::vector<uint64_t> l1_;
    BlockBackendPtr backing_;
    // A small cache of L2 tables, by file offset, least recently used last.
    std::list<std::pair<uint64_t, std::vector<uint64_t>>> l2_cache_;
    std::vector<uint8_t> compressed_, decompressed_;
    uint64_t decompressed_entry_ = 0;
};

}  // namespace sandpc
