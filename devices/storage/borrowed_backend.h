// A non-owning view of a backend, for when two parts of a machine reach the
// same medium (the BIOS's INT 13h and the disk controller). The owner must
// outlive the view.
#pragma once
#include "devices/storage/block_backend.h"

namespace sandpc {

class BorrowedBackend final : public BlockBackend {
  public:
    explicit BorrowedBackend(BlockBackend& inner) : inner_(inner) {}
    uint64_t size() const override { return inner_.size(); }
    bool read_only() const override { return inner_.read_only(); }
    std::string describe() const override { return inner_.describe(); }
    void read(uint64_t offset, std::span<uint8_t> out) override { inner_.read(offset, out); }
    void write(uint64_t offset, std::span<const uint8_t> data) override {
        inner_.write(offset, data);
    }
    void flush() override { inner_.flush(); }

  private:
    BlockBackend& inner_;
};

inline BlockBackendPtr borrow_backend(BlockBackend* inner) {
    return inner ? std::make_unique<BorrowedBackend>(*inner) : nullptr;
}

}  // namespace sandpc
