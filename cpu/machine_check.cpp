#include "cpu/machine_check.h"

#include "cpu/fault.h"

namespace sandpc {

namespace {

enum class BankRegister { kCtl, kStatus, kAddr, kMisc };

bool bank_register(uint32_t msr, unsigned& bank, BankRegister& reg) {
    uint32_t offset = msr - MachineCheck::kBank0;
    if (offset >= 4 * MachineCheck::kBanks) return false;
    bank = offset / 4;
    reg = static_cast<BankRegister>(offset % 4);
    return true;
}

}  // namespace

bool MachineCheck::read(uint32_t msr, uint64_t& out) const {
    switch (msr) {
        case kCap: out = kCapability; return true;
        case kStatus: out = global_status; return true;
        case kCtl: out = global_ctl; return true;
        default: break;
    }
    unsigned bank;
    BankRegister reg;
    if (!bank_register(msr, bank, reg)) return false;
    switch (reg) {
        case BankRegister::kCtl: out = bank_ctl[bank]; return true;
        case BankRegister::kStatus:
        case BankRegister::kAddr: out = 0; return true;  // no error logged, ever
        case BankRegister::kMisc: raise_gp(0);
    }
    return false;
}

bool MachineCheck::write(uint32_t msr, uint64_t value) {
    switch (msr) {
        case kCap: raise_gp(0);
        case kStatus:
            if (value & ~kStatusWritable) raise_gp(0);
            global_status = value;
            return true;
        case kCtl: global_ctl = value; return true;
        default: break;
    }
    unsigned bank;
    BankRegister reg;
    if (!bank_register(msr, bank, reg)) return false;
    switch (reg) {
        case BankRegister::kCtl:
            if (value != 0 && value != ~0ull) raise_gp(0);
            bank_ctl[bank] = value;
            return true;
        case BankRegister::kStatus:
        case BankRegister::kAddr:
            if (value) raise_gp(0);
            return true;
        case BankRegister::kMisc: raise_gp(0);
    }
    return false;
}

}  // namespace sandpc
