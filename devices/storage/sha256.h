// SHA-256 (FIPS 180-4), used to fingerprint an overlay's base image.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace sandpc {

class Sha256 {
  public:
    using Digest = std::array<uint8_t, 32>;

    Sha256();
    void update(std::span<const uint8_t> data);
    Digest finish();

  private:
    void compress(const uint8_t* block);

    std::array<uint32_t, 8> h_;
    std::array<uint8_t, 64> buf_{};
    size_t buf_len_ = 0;
    uint64_t total_len_ = 0;
};

}  // namespace sandpc
