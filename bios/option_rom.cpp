#include "bios/option_rom.h"

namespace sandpc::option_rom {

std::string problem(std::span<const uint8_t> image) {
    if (image.empty() || image.size() % 512 || image.size() > kMaxSize)
        return "size " + std::to_string(image.size()) +
               " is not a multiple of 512 bytes up to 64 KiB";
    if (image[0] != 0x55 || image[1] != 0xAA) return "no 55AAh signature";
    uint32_t length = declared_length(image);
    if (length == 0 || length > image.size())
        return "header length " + std::to_string(length) + " bytes does not fit the " +
               std::to_string(image.size()) + "-byte image";
    uint8_t sum = 0;
    for (uint32_t i = 0; i < length; ++i) sum = uint8_t(sum + image[i]);
    if (sum != 0) return "checksum over " + std::to_string(length) + " bytes is not zero";
    return {};
}

}  // namespace sandpc::option_rom
