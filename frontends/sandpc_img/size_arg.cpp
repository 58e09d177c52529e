#include "frontends/sandpc_img/size_arg.h"

#include <cctype>
#include <cmath>
#include <string>

namespace sandpc {

std::optional<uint64_t> parse_size(std::string_view text) {
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
    std::string s(text);
    size_t end = 0;
    double value = 0;
    try {
        value = std::stod(s, &end);
    } catch (...) {
        return std::nullopt;
    }
    std::string_view suffix = text.substr(end);
    static constexpr std::string_view kUnits = "BKMGTP";
    int shift = 0;
    if (!suffix.empty()) {
        size_t u =
            kUnits.find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0]))));
        if (u == std::string_view::npos) return std::nullopt;
        shift = static_cast<int>(u) * 10;
        suffix.remove_prefix(1);
        if (suffix == "iB" || suffix == "ib" || (u == 0 && suffix.empty())) suffix = {};
        if (!suffix.empty()) return std::nullopt;
    }
    double bytes = std::ldexp(value, shift);
    if (bytes >= 18446744073709551615.0 || bytes != std::floor(bytes)) return std::nullopt;
    return static_cast<uint64_t>(bytes);
}

}  // namespace sandpc
