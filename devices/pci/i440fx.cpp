#include "devices/pci/i440fx.h"

namespace sandpc {

namespace {
constexpr uint8_t kSmramOpen = 0x40;
constexpr uint8_t kSmramLock = 0x10;
constexpr uint8_t kSmramEnable = 0x08;
constexpr uint8_t kSmramBaseA0000 = 0x02;

struct RegisterDefault {
    uint8_t offset;
    uint8_t size;
    uint32_t value;
    uint32_t writable;
};
// 82441FX datasheet, section 3: reset values and writable bits.
constexpr RegisterDefault kRegisters[] = {
    {0x50, 2, 0x0000, 0xFFFF},          // PMCCFG
    {0x53, 1, 0x80, 0xFF},              // DETURBO
    {0x54, 1, 0x00, 0xFF},              // DBC
    {0x57, 1, 0x01, 0xFF},              // DRAMC
    {0x58, 1, 0x10, 0xFF},              // DRAMT
    {0x59, 1, 0x00, 0x30},              // PAM0
    {0x5A, 4, 0x00000000, 0x33333333},  // PAM1-4
    {0x5E, 2, 0x0000, 0x3333},          // PAM5-6
    {0x60, 4, 0x02020202, 0xFFFFFFFF},  // DRB0-3
    {0x64, 4, 0x02020202, 0xFFFFFFFF},  // DRB4-7
    {0x68, 1, 0x00, 0xC0},              // FDHC
    {0x70, 1, 0x00, 0xF8},              // MTT
    {0x71, 1, 0x10, 0xFF},              // CLT
    {0x72, 1, kSmramBaseA0000, 0x78},   // SMRAM
    {0x90, 1, 0x00, 0xFF},              // ERRCMD
    {0x91, 1, 0x00, 0x00},              // ERRSTS (write 1 to clear below)
    {0x93, 1, 0x00, 0x06},              // TRC
};
}  // namespace

const I440fx::Region I440fx::kRegions[kPamRegions] = {
    {0xF0000, 0x10000, 0x59, 4}, {0xC0000, 0x4000, 0x5A, 0}, {0xC4000, 0x4000, 0x5A, 4},
    {0xC8000, 0x4000, 0x5B, 0},  {0xCC000, 0x4000, 0x5B, 4}, {0xD0000, 0x4000, 0x5C, 0},
    {0xD4000, 0x4000, 0x5C, 4},  {0xD8000, 0x4000, 0x5D, 0}, {0xDC000, 0x4000, 0x5D, 4},
    {0xE0000, 0x4000, 0x5E, 0},  {0xE4000, 0x4000, 0x5E, 4}, {0xE8000, 0x4000, 0x5F, 0},
    {0xEC000, 0x4000, 0x5F, 4},
};

I440fx::I440fx(PamCallback pam_changed)
    : PciFunction(0x8086, 0x1237, 0x02, 0x060000), pam_changed_(std::move(pam_changed)) {
    set_config16(kCommand, 0x0006);
    set_config16(kStatus, 0x0280);  // fast back-to-back capable, medium DEVSEL
    for (const RegisterDefault& r : kRegisters) {
        for (unsigned i = 0; i < r.size; ++i) {
            set_config8(static_cast<uint8_t>(r.offset + i),
                        static_cast<uint8_t>(r.value >> (8 * i)));
        }
        set_writable(r.offset, r.size, r.writable);
    }
    set_write_clear(0x91, 1, 0x3F);
    smram_before_ = smram();
}

PamAccess I440fx::region_access(const Region& region) const {
    uint8_t bits = config8(region.reg) >> region.shift;
    return {static_cast<bool>(bits & 1), static_cast<bool>(bits & 2)};
}

PamAccess I440fx::pam_access(uint32_t address) const {
    for (const Region& region : kRegions) {
        if (address >= region.base && address - region.base < region.size) {
            return region_access(region);
        }
    }
    return {};
}

void I440fx::config_written(uint8_t offset, unsigned size) {
    if (offset <= kSmram && kSmram < offset + size) {
        constexpr uint8_t kLockedBits = kSmramLock | kSmramEnable;
        uint8_t v = smram();
        if (smram_before_ & kSmramLock) v = (v & ~kLockedBits) | (smram_before_ & kLockedBits);
        if (v & kSmramLock) v &= ~kSmramOpen;
        set_config8(kSmram, v);
        smram_before_ = v;
    }
    for (const Region& region : kRegions) {
        uint8_t before = pam_before_[region.reg - kPam0] >> region.shift;
        PamAccess old{static_cast<bool>(before & 1), static_cast<bool>(before & 2)};
        PamAccess now = region_access(region);
        if (now != old && pam_changed_) pam_changed_(region.base, region.size, now);
    }
    for (unsigned i = 0; i < 7; ++i) pam_before_[i] = config8(static_cast<uint8_t>(kPam0 + i));
}

void I440fx::config_loaded() {
    for (unsigned i = 0; i < 7; ++i) pam_before_[i] = config8(static_cast<uint8_t>(kPam0 + i));
    if (smram() & kSmramLock) set_config8(kSmram, smram() & ~kSmramOpen);
    smram_before_ = smram();
    for (const Region& region : kRegions) {
        if (pam_changed_) pam_changed_(region.base, region.size, region_access(region));
    }
    notify_change();
}

}  // namespace sandpc
