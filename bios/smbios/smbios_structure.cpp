#include "bios/smbios/smbios_structure.h"

#include <stdexcept>

namespace sandpc::smbios {

Structure::Structure(uint8_t type, uint8_t length, uint16_t handle) : formatted_(length, 0) {
    if (length < 4) throw std::invalid_argument("SMBIOS structure shorter than its header");
    formatted_[0] = type;
    formatted_[1] = length;
    put(2, handle, 2);
}

void Structure::put(size_t offset, uint64_t value, unsigned size) {
    for (unsigned i = 0; i < size; ++i)
        formatted_.at(offset + i) = static_cast<uint8_t>(value >> (8 * i));
}

void Structure::put_string(size_t offset, std::string_view text) {
    if (text.find('\0') != std::string_view::npos)
        throw std::invalid_argument("SMBIOS string with an embedded NUL");
    if (text.empty()) {
        put(offset, 0, 1);
        return;
    }
    strings_.emplace_back(text);
    if (strings_.size() > 255) throw std::invalid_argument("more than 255 SMBIOS strings");
    put(offset, strings_.size(), 1);
}

Bytes Structure::bytes() const {
    Bytes out = formatted_;
    for (const std::string& s : strings_) {
        out.insert(out.end(), s.begin(), s.end());
        out.push_back(0);
    }
    if (strings_.empty()) out.push_back(0);
    out.push_back(0);
    return out;
}

}  // namespace sandpc::smbios
