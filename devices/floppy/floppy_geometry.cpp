#include "devices/floppy/floppy_geometry.h"

namespace sandpc {

namespace {
using R = FloppyDataRate;
using T = FloppyDriveType;
constexpr FloppyGeometry kFormats[] = {
    {40, 1, 8, R::k250K, T::k360K, "160K"},    {40, 1, 9, R::k250K, T::k360K, "180K"},
    {40, 2, 8, R::k250K, T::k360K, "320K"},    {40, 2, 9, R::k250K, T::k360K, "360K"},
    {80, 2, 9, R::k250K, T::k720K, "720K"},    {80, 2, 15, R::k500K, T::k1200K, "1.2M"},
    {80, 2, 18, R::k500K, T::k1440K, "1.44M"}, {80, 2, 21, R::k500K, T::k1440K, "1.68M"},
    {80, 2, 36, R::k1M, T::k2880K, "2.88M"},
};
}  // namespace

std::optional<FloppyGeometry> floppy_geometry_for_size(uint64_t size) {
    for (const FloppyGeometry& g : kFormats)
        if (g.bytes() == size) return g;
    return std::nullopt;
}

std::string floppy_supported_sizes() {
    std::string s;
    for (const FloppyGeometry& g : kFormats) s += (s.empty() ? "" : ", ") + std::string(g.name);
    return s;
}

bool floppy_drive_accepts(FloppyDriveType type, const FloppyGeometry& g) {
    switch (type) {
        case T::k360K: return g.natural_drive == T::k360K;
        case T::k1200K: return g.natural_drive == T::k360K || g.natural_drive == T::k1200K;
        case T::k720K: return g.natural_drive == T::k720K;
        case T::k1440K: return g.natural_drive == T::k720K || g.natural_drive == T::k1440K;
        case T::k2880K:
            return g.natural_drive == T::k720K || g.natural_drive == T::k1440K ||
                   g.natural_drive == T::k2880K;
        case T::kNone: return false;
    }
    return false;
}

bool floppy_rate_matches(const FloppyGeometry& g, FloppyDataRate rate) {
    if (g.data_rate == R::k250K) return rate == R::k250K || rate == R::k300K;
    return rate == g.data_rate;
}

uint8_t floppy_drive_max_cylinder(FloppyDriveType type) {
    return type == T::k360K ? 41 : 83;
}

}  // namespace sandpc
