// The P6 machine-check architecture registers: MCG_CAP (179h, read-only),
// MCG_STATUS (17Ah), MCG_CTL (17Bh) and five error-reporting banks of
// MCi_CTL/STATUS/ADDR at 400h + 4i. The model never detects an error, so
// the status and address registers stay 0 and #MC (vector 18) is never
// raised; software sees a working, quiet MCA.
//
// Write rules (Intel SDM, P6 family): MCi_CTL takes all 1s or all 0s only;
// MCi_STATUS and MCi_ADDR take only 0; MCi_MISC is not implemented (every
// access #GP); MCG_CAP is read-only.
#pragma once

#include <cstdint>

namespace sandpc {

struct MachineCheck {
    static constexpr unsigned kBanks = 5;
    static constexpr uint64_t kCapability = 0x100 | kBanks;  // MCG_CTL_P, bank count
    static constexpr uint32_t kCap = 0x179, kStatus = 0x17A, kCtl = 0x17B, kBank0 = 0x400;
    static constexpr uint64_t kStatusWritable = 0x7;  // MCIP, EIPV, RIPV

    uint64_t global_status = 0;
    uint64_t global_ctl = 0;
    uint64_t bank_ctl[kBanks] = {};

    // False when `msr` is not a machine-check register; a forbidden access
    // raises #GP(0).
    bool read(uint32_t msr, uint64_t& out) const;
    bool write(uint32_t msr, uint64_t value);
};

}  // namespace sandpc
