// A read-only disk of a given size that reads as zeros and stores nothing:
// a stand-in base when only an image's own structure matters.
#pragma once

#include <algorithm>

#include "devices/storage/block_backend.h"

namespace sandpc {

class ZeroBackend : public BlockBackend {
  public:
    explicit ZeroBackend(uint64_t size) : size_(size) {}

    uint64_t size() const override { return size_; }
    bool read_only() const override { return true; }
    std::string describe() const override { return "zeros (" + std::to_string(size_) + " bytes)"; }
    void read(uint64_t offset, std::span<uint8_t> out) override {
        check_range(offset, out.size());
        std::fill(out.begin(), out.end(), 0);
    }
    void write(uint64_t, std::span<const uint8_t>) override { check_writable(); }
    void flush() override {}

  private:
    uint64_t size_;
};

}  // namespace sandpc
