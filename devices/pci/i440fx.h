// Intel 82441FX PCI and memory controller (the i440FX host bridge) at 00:00.0:
// 8086:1237, revision 02, class 06 00 00.
//
// Programmable attribute map (PAM0-6, 0x59-0x5F): each nibble controls one
// BIOS-area range; bit 0 (RE) sends reads to DRAM, bit 1 (WE) sends writes to
// DRAM, otherwise the access goes to PCI/ISA (the ROM, or nothing for
// writes). So 0 = ROM only, 1 = read shadow RAM / writes to ROM (write
// protected), 2 = write shadow RAM / read ROM (used while copying), 3 = RAM.
// PAM0 bits 5:4 cover 0xF0000-0xFFFFF (its low nibble is reserved); PAM1-6
// low / high nibbles cover 16 KiB each from 0xC0000 to 0xEFFFF. Bits 3:2 of
// each nibble are reserved and read 0.
//
// SMRAM control (0x72): bit 6 D_OPEN, 5 D_CLS, 4 D_LCK, 3 G_SMRAME, 2:0
// C_BASE_SEG fixed at 010 (SMRAM at 0xA0000). Setting D_LCK makes D_LCK and
// G_SMRAME read only and clears D_OPEN until reset.
//
// Also present with their reset values, without effect here: PMCCFG 0x50,
// DETURBO 0x53, DBC 0x54, DRAMC 0x57, DRAMT 0x58, DRB0-7 0x60-0x67, FDHC 0x68,
// MTT 0x70, CLT 0x71, ERRCMD 0x90, ERRSTS 0x91, TRC 0x93.
#pragma once

#include <cstdint>
#include <functional>

#include "devices/pci/pci_function.h"

namespace sandpc {

struct PamAccess {
    bool read_dram = false;
    bool write_dram = false;
    bool operator==(const PamAccess&) const = default;
};

class I440fx : public PciFunction {
  public:
    static constexpr uint8_t kPam0 = 0x59;
    static constexpr uint8_t kSmram = 0x72;
    static constexpr unsigned kPamRegions = 13;

    // Called for every region whose access changed (and for all of them after
    // a snapshot load). base/size in bytes.
    using PamCallback = std::function<void(uint32_t base, uint32_t size, PamAccess access)>;

    explicit I440fx(PamCallback pam_changed = {});

    PamAccess pam_access(uint32_t address) const;  // ROM-only outside the PAM ranges
    uint8_t smram() const { return config8(kSmram); }
    bool smram_open() const { return smram() & 0x40; }
    bool smram_enabled() const { return smram() & 0x08; }

  private:
    struct Region {
        uint32_t base;
        uint32_t size;
        uint8_t reg;
        uint8_t shift;
    };
    static const Region kRegions[kPamRegions];
    PamAccess region_access(const Region& region) const;
    void config_written(uint8_t offset, unsigned size) override;
    void config_loaded() override;

    PamCallback pam_changed_;
    uint8_t pam_before_[7] = {};  // PAM registers before the current write
    uint8_t smram_before_ = 0;
};

}  // namespace sandpc
