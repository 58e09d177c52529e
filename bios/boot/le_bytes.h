// Little-endian field access in byte buffers; callers check bounds first.
#pragma once

#include <cstdint>
#include <span>

namespace sandpc {

inline uint16_t le16(std::span<const uint8_t> b, size_t off) {
    return static_cast<uint16_t>(b[off] | b[off + 1] << 8);
}
inline uint32_t le32(std::span<const uint8_t> b, size_t off) {
    return uint32_t{le16(b, off)} | uint32_t{le16(b, off + 2)} << 16;
}
inline uint64_t le64(std::span<const uint8_t> b, size_t off) {
    return uint64_t{le32(b, off)} | uint64_t{le32(b, off + 4)} << 32;
}
inline void put_le16(std::span<uint8_t> b, size_t off, uint16_t v) {
    b[off] = static_cast<uint8_t>(v);
    b[off + 1] = static_cast<uint8_t>(v >> 8);
}
inline void put_le32(std::span<uint8_t> b, size_t off, uint32_t v) {
    put_le16(b, off, static_cast<uint16_t>(v));
    put_le16(b, off + 2, static_cast<uint16_t>(v >> 16));
}
inline void put_le64(std::span<uint8_t> b, size_t off, uint64_t v) {
    put_le32(b, off, static_cast<uint32_t>(v));
    put_le32(b, off + 4, static_cast<uint32_t>(v >> 32));
}

}  // namespace sandpc
