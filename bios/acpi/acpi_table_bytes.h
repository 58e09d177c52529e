// Byte-level helpers shared by the ACPI table builders: little-endian
// stores, the 36-byte system description table header and checksums.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sandpc::acpi {

using Bytes = std::vector<uint8_t>;

constexpr std::string_view kOemId = "SANDPC";         // 6 bytes
constexpr std::string_view kOemTableId = "SANDPC  ";  // 8 bytes
constexpr uint32_t kOemRevision = 1;
constexpr std::string_view kCreatorId = "SNPC";  // 4 bytes
constexpr uint32_t kCreatorRevision = 1;
constexpr size_t kHeaderSize = 36;
constexpr size_t kChecksumOffset = 9;

void put(Bytes& out, size_t offset, uint64_t value, unsigned size);
void put_text(Bytes& out, size_t offset, std::string_view text);

// A table of `size` bytes (at least the header) with signature, revision and
// the OEM fields filled in; finish() sets the length and checksum.
Bytes table(std::string_view signature, uint8_t revision, size_t size = kHeaderSize);
void finish(Bytes& table);

// The value that makes the byte sum of `data` (with this byte at 0) zero.
uint8_t checksum_for(std::span<const uint8_t> data);
uint8_t byte_sum(std::span<const uint8_t> data);

// Generic Address Structure (12 bytes) for a register in system I/O space.
Bytes io_address(uint16_t port, unsigned bit_width);

}  // namespace sandpc::acpi
