#include "devices/floppy/floppy_geometry.h"

#include <gtest/gtest.h>

namespace sandpc {
namespace {

struct Expected {
    uint64_t size;
    uint8_t cylinders, heads, spt;
    FloppyDataRate rate;
    FloppyDriveType drive;
};

TEST(FloppyGeometry, StandardSizes) {
    using R = FloppyDataRate;
    using T = FloppyDriveType;
    const Expected table[] = {
        {163840, 40, 1, 8, R::k250K, T::k360K},    {184320, 40, 1, 9, R::k250K, T::k360K},
        {327680, 40, 2, 8, R::k250K, T::k360K},    {368640, 40, 2, 9, R::k250K, T::k360K},
        {737280, 80, 2, 9, R::k250K, T::k720K},    {1228800, 80, 2, 15, R::k500K, T::k1200K},
        {1474560, 80, 2, 18, R::k500K, T::k1440K}, {1720320, 80, 2, 21, R::k500K, T::k1440K},
        {2949120, 80, 2, 36, R::k1M, T::k2880K},
    };
    for (const Expected& e : table) {
        auto g = floppy_geometry_for_size(e.size);
        ASSERT_TRUE(g) << e.size;
        EXPECT_EQ(g->cylinders, e.cylinders) << e.size;
        EXPECT_EQ(g->heads, e.heads) << e.size;
        EXPECT_EQ(g->sectors_per_track, e.spt) << e.size;
        EXPECT_EQ(g->data_rate, e.rate) << e.size;
        EXPECT_EQ(g->natural_drive, e.drive) << e.size;
        EXPECT_EQ(g->bytes(), e.size);
    }
    EXPECT_FALSE(floppy_geometry_for_size(1474561));
    EXPECT_FALSE(floppy_geometry_for_size(0));
    EXPECT_FALSE(floppy_geometry_for_size(1'440'000));
}

TEST(FloppyGeometry, DrivesAndRates) {
    auto dd35 = *floppy_geometry_for_size(737280);
    auto hd35 = *floppy_geometry_for_size(1474560);
    auto dd525 = *floppy_geometry_for_size(368640);
    EXPECT_TRUE(floppy_drive_accepts(FloppyDriveType::k1440K, dd35));
    EXPECT_FALSE(floppy_drive_accepts(FloppyDriveType::k720K, hd35));
    EXPECT_FALSE(floppy_drive_accepts(FloppyDriveType::k1440K, dd525));
    EXPECT_TRUE(floppy_drive_accepts(FloppyDriveType::k1200K, dd525));
    EXPECT_TRUE(floppy_rate_matches(dd525, FloppyDataRate::k300K));
    EXPECT_TRUE(floppy_rate_matches(dd35, FloppyDataRate::k250K));
    EXPECT_FALSE(floppy_rate_matches(hd35, FloppyDataRate::k250K));
    EXPECT_TRUE(floppy_rate_matches(hd35, FloppyDataRate::k500K));
}

}  // namespace
}  // namespace sandpc
