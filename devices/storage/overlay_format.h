// On-disk layout of the sandpc copy-on-write overlay (docs/overlay-format.md):
// the header block, map entries, and the identity of the base image.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

#include "devices/storage/block_backend.h"

namespace sandpc {

namespace overlay {

inline constexpr std::array<uint8_t, 8> kMagic = {'S', 'A', 'N', 'D', 'O', 'V', 'L', 0x1a};
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kHeaderSize = 4096;
inline constexpr uint32_t kAlign = 4096;  // L1 table, L2 tables and data clusters
inline constexpr uint32_t kMinClusterBits = 12;
inline constexpr uint32_t kMaxClusterBits = 21;
inline constexpr uint32_t kDefaultClusterBits = 16;
inline constexpr uint64_t kMaxVirtualSize = uint64_t{1} << 56;
inline constexpr uint32_t kMaxL1Entries = 4u << 20;  // 32 MiB of L1 table
inline constexpr uint32_t kMaxBaseHint = 1024;
inline constexpr uint32_t kSampleCount = 16;
inline constexpr uint32_t kSampleSize = 4096;
// A map entry is a file offset; these bits must be zero.
inline constexpr uint64_t kEntryReservedMask = 0xff00'0000'0000'0fffull;

enum class BaseHashKind : uint32_t { sampled = 1, full = 2 };
enum class BaseFormat : uint32_t { probe = 0, raw = 1, overlay = 2, qcow2 = 3 };

struct BaseIdentity {
    uint64_t size = 0;
    BaseHashKind kind = BaseHashKind::sampled;
    std::array<uint8_t, 32> hash{};

    bool operator==(const BaseIdentity&) const = default;
};

// Reads the base as the identity of `kind` prescribes and hashes it.
BaseIdentity compute_base_identity(BlockBackend& base, BaseHashKind kind);
std::string hex(std::span<const uint8_t> bytes);

struct Header {
    uint32_t version = kVersion;
    uint32_t incompatible_features = 0;
    uint32_t cluster_bits = kDefaultClusterBits;
    BaseFormat base_format = BaseFormat::probe;
    uint64_t virtual_size = 0;
    uint64_t l1_offset = kHeaderSize;
    uint32_t l1_entries = 0;
    BaseIdentity base;
    std::string base_hint;

    uint64_t cluster_size() const { return uint64_t{1} << cluster_bits; }
    uint64_t l2_entries() const { return cluster_size() / 8; }
    uint64_t bytes_per_l2() const { return cluster_size() * l2_entries(); }
    // First byte after the L1 table, rounded up to kAlign: L2 tables and
    // data clusters live at or above it.
    uint64_t data_start() const;
};

// Number of L1 entries needed to map `virtual_size` bytes.
uint64_t l1_entries_for(uint64_t virtual_size, uint32_t cluster_bits);

std::array<uint8_t, kHeaderSize> encode_header(const Header& h);
// Validates everything that can be checked without the rest of the file;
// `what` names the file in error messages.
Header decode_header(std::span<const uint8_t> block, const std::string& what);
bool has_magic(std::span<const uint8_t> first_bytes);

}  // namespace overlay
}  // namespace sandpc
