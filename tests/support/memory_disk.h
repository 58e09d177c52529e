// A writable in-memory disk for tests that boot synthetic images.
#pragma once
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "devices/storage/block_backend.h"

namespace sandpc::test {

class MemoryDisk final : public BlockBackend {
  public:
    explicit MemoryDisk(std::vector<uint8_t> data) : data_(std::move(data)) {}
    uint64_t size() const override { return data_.size(); }
    bool read_only() const override { return false; }
    std::string describe() const override { return "memory disk"; }
    void read(uint64_t offset, std::span<uint8_t> out) override {
        check_range(offset, out.size());
        std::memcpy(out.data(), data_.data() + offset, out.size());
    }
    void write(uint64_t offset, std::span<const uint8_t> in) override {
        check_range(offset, in.size());
        std::memcpy(data_.data() + offset, in.data(), in.size());
    }
    void flush() override {}

  private:
    std::vector<uint8_t> data_;
};

}  // namespace sandpc::test
