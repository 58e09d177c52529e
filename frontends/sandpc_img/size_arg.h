// Parses sizes such as "512", "64K", "1.5G" (binary units).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sandpc {

std::optional<uint64_t> parse_size(std::string_view text);

}  // namespace sandpc
