// An in-memory disk image for the floppy tests; each byte of the initial
// contents identifies its sector and offset.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "devices/storage/block_backend.h"

namespace sandpc::test {

class MemoryDisk : public BlockBackend {
  public:
    MemoryDisk(uint64_t size, bool read_only) : data(size), read_only_(read_only) {
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<uint8_t>(i / 512 * 7 + i % 512 * 3 + 1);
    }
    uint64_t size() const override { return data.size(); }
    bool read_only() const override { return read_only_; }
    std::string describe() const override { return "memory disk"; }
    void read(uint64_t offset, std::span<uint8_t> out) override {
        check_range(offset, out.size());
        std::copy_n(data.begin() + static_cast<ptrdiff_t>(offset), out.size(), out.begin());
    }
    void write(uint64_t offset, std::span<const uint8_t> in) override {
        check_writable();
        check_range(offset, in.size());
        std::copy(in.begin(), in.end(), data.begin() + static_cast<ptrdiff_t>(offset));
    }
    void flush() override {}

    std::span<const uint8_t> sector(uint64_t lba, size_t count = 1) const {
        return std::span(data).subspan(lba * 512, count * 512);
    }

    std::vector<uint8_t> data;

  private:
    bool read_only_;
};

}  // namespace sandpc::test
