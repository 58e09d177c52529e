// CPUID of the modelled processor: a Pentium II-class family 6 part that
// declares what sandpc implements and nothing else. A pure function of the
// leaf, so firmware (SMBIOS) can describe the same processor.
#pragma once

#include <cstdint>

namespace sandpc {

struct CpuidResult {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

namespace cpuid_edx {
constexpr uint32_t FPU = 1u << 0, DE = 1u << 2, PSE = 1u << 3, TSC = 1u << 4, MSR = 1u << 5,
                   PAE = 1u << 6, MCE = 1u << 7, CX8 = 1u << 8, APIC = 1u << 9, SEP = 1u << 11,
                   MTRR = 1u << 12, PGE = 1u << 13, MCA = 1u << 14, CMOV = 1u << 15, PAT = 1u << 16,
                   MMX = 1u << 23, FXSR = 1u << 24;
}  // namespace cpuid_edx

CpuidResult cpuid_leaf(uint32_t leaf);

}  // namespace sandpc
