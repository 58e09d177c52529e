#include "bios/acpi/acpi_table_bytes.h"

#include <numeric>

namespace sandpc::acpi {

void put(Bytes& out, size_t offset, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) out.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

void put_text(Bytes& out, size_t offset, std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) out.at(offset + i) = static_cast<uint8_t>(text[i]);
}

Bytes table(std::string_view signature, uint8_t revision, size_t size) {
    Bytes t(size < kHeaderSize ? kHeaderSize : size, 0);
    put_text(t, 0, signature);
    t[8] = revision;
    put_text(t, 10, kOemId);
    put_text(t, 16, kOemTableId);
    put(t, 24, kOemRevision, 4);
    put_text(t, 28, kCreatorId);
    put(t, 32, kCreatorRevision, 4);
    return t;
}

void finish(Bytes& table) {
    put(table, 4, table.size(), 4);
    table[kChecksumOffset] = 0;
    table[kChecksumOffset] = checksum_for(table);
}

uint8_t byte_sum(std::span<const uint8_t> data) {
    return std::accumulate(data.begin(), data.end(), uint8_t{0},
                           [](uint8_t a, uint8_t b) { return static_cast<uint8_t>(a + b); });
}

uint8_t checksum_for(std::span<const uint8_t> data) {
    return static_cast<uint8_t>(0x100 - byte_sum(data));
}

Bytes io_address(uint16_t port, unsigned bit_width) {
    constexpr uint8_t kSystemIo = 1;
    Bytes gas(12, 0);
    gas[0] = kSystemIo;
    gas[1] = static_cast<uint8_t>(bit_width);
    // bit offset 0; access size 0 (reserved in ACPI 2.0: "legacy")
    put(gas, 4, port, 8);
    return gas;
}

}  // namespace sandpc::acpi
