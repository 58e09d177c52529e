// One SMBIOS structure: the formatted area (type, length, handle, fields)
// followed by its string set. Strings are numbered from 1 in the order they
// are added; 0 in a string field means "no string". The set ends with an
// extra NUL, and a structure without strings ends with two NULs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sandpc::smbios {

using Bytes = std::vector<uint8_t>;

class Structure {
  public:
    Structure(uint8_t type, uint8_t length, uint16_t handle);

    // Little-endian field store at `offset` in the formatted area.
    void put(size_t offset, uint64_t value, unsigned size);
    // Adds `text` to the string set and stores its number at `offset`; an
    // empty text stores 0 and adds nothing. Throws std::invalid_argument for
    // a NUL inside the text.
    void put_string(size_t offset, std::string_view text);

    Bytes bytes() const;

  private:
    Bytes formatted_;
    std::vector<std::string> strings_;
};

}  // namespace sandpc::smbios
