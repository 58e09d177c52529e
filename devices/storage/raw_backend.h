// A raw disk image: the file's bytes are the disk's bytes.
#pragma once

#include <string>

#include "devices/storage/block_backend.h"
#include "devices/storage/host_file.h"

namespace sandpc {

class RawBackend : public BlockBackend {
  public:
    // Opens an existing image. A read-only backend never writes the file.
    static std::unique_ptr<RawBackend> open(const std::string& path, bool writable);
    // Creates a new sparse image of `size` bytes; fails if the file exists.
    static std::unique_ptr<RawBackend> create(const std::string& path, uint64_t size);

    uint64_t size() const override { return size_; }
    bool read_only() const override { return !writable_; }
    std::string describe() const override;
    void read(uint64_t offset, std::span<uint8_t> out) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;
    void flush() override;

  private:
    RawBackend(HostFile file, bool writable);

    HostFile file_;
    bool writable_;
    uint64_t size_;
};

}  // namespace sandpc
