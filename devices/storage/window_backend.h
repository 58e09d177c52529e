// A read-only view of a byte range of another backend: the disk image a
// bootable CD carries for floppy or hard-disk emulation (El Torito). The
// inner backend must outlive the view.
#pragma once
#include "devices/storage/block_backend.h"

namespace sandpc {

class WindowBackend final : public BlockBackend {
  public:
    WindowBackend(BlockBackend& inner, uint64_t offset, uint64_t size)
        : inner_(inner), offset_(offset), size_(size) {}
    uint64_t size() const override { return size_; }
    bool read_only() const override { return true; }
    std::string describe() const override {
        return "bytes " + std::to_string(offset_) + "+" + std::to_string(size_) + " of " +
               inner_.describe();
    }
    void read(uint64_t offset, std::span<uint8_t> out) override {
        check_range(offset, out.size());
        inner_.read(offset_ + offset, out);
    }
    void write(uint64_t, std::span<const uint8_t>) override { check_writable(); }
    void flush() override {}

  private:
    BlockBackend& inner_;
    uint64_t offset_;
    uint64_t size_;
};

}  // namespace sandpc
