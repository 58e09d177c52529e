#include "bios/acpi/resource_descriptors.h"

namespace sandpc::acpi {
namespace {

enum class SpaceType : uint8_t { kMemory = 0, kIo = 1, kBusNumber = 2 };

// General flags: bit 0 consumer (0 = produced by this bridge), bit 1
// subtractive decode, bit 2 minimum fixed, bit 3 maximum fixed.
constexpr uint8_t kProducerFixed = 0x0C;
// I/O type-specific flags: ISA and non-ISA ranges ("EntireRange").
constexpr uint8_t kIoEntireRange = 0x03;
// Memory type-specific flags: bit 0 read/write, bits 2:1 1 = cacheable.
constexpr uint8_t kMemoryReadWrite = 0x01;
constexpr uint8_t kMemoryCacheable = 0x02;

void append_le(Bytes& out, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

// Large item: tag, 16-bit length of what follows, type, flags, then
// granularity, minimum, maximum, translation offset and length, each of
// `size` bytes.
Bytes address_space(uint8_t tag, unsigned size, SpaceType type, uint8_t type_flags, uint64_t first,
                    uint64_t last) {
    Bytes out{tag};
    append_le(out, 3 + 5 * size, 2);
    out.push_back(static_cast<uint8_t>(type));
    out.push_back(kProducerFixed);
    out.push_back(type_flags);
    append_le(out, 0, size);  // granularity: all bits decoded
    append_le(out, first, size);
    append_le(out, last, size);
    append_le(out, 0, size);  // translation offset
    append_le(out, last - first + 1, size);
    return out;
}

constexpr uint8_t kWordAddressSpace = 0x88;
constexpr uint8_t kDWordAddressSpace = 0x87;

}  // namespace

Bytes io_ports(uint16_t base, uint8_t length) {
    constexpr uint8_t kIoPortTag = 0x47;  // small item 8, 7 bytes follow
    constexpr uint8_t kDecode16 = 0x01;
    Bytes out{kIoPortTag, kDecode16};
    append_le(out, base, 2);
    append_le(out, base, 2);
    out.push_back(1);  // alignment
    out.push_back(length);
    return out;
}

Bytes word_bus_numbers(uint16_t first, uint16_t last) {
    return address_space(kWordAddressSpace, 2, SpaceType::kBusNumber, 0, first, last);
}

Bytes word_io_window(uint16_t first, uint16_t last) {
    return address_space(kWordAddressSpace, 2, SpaceType::kIo, kIoEntireRange, first, last);
}

Bytes dword_memory_window(uint32_t first, uint32_t last, bool cacheable) {
    uint8_t flags = kMemoryReadWrite | (cacheable ? kMemoryCacheable : 0);
    return address_space(kDWordAddressSpace, 4, SpaceType::kMemory, flags, first, last);
}

Bytes end_tag() {
    return {0x79, 0x00};
}

}  // namespace sandpc::acpi
