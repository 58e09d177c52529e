#include "cpu/cpuid.h"

namespace sandpc {

namespace {

constexpr uint32_t kMaxBasicLeaf = 2;
constexpr uint32_t kSignature = 0x0633;  // family 6, model 3, stepping 3
// No SSE; no APIC (the machine has none). MCE/MCA: the P6 machine-check
// registers exist (cpu/machine_check.h) though no error is ever reported.
constexpr uint32_t kFeatures = cpuid_edx::FPU | cpuid_edx::DE | cpuid_edx::PSE | cpuid_edx::TSC |
                               cpuid_edx::MSR | cpuid_edx::PAE | cpuid_edx::MCE | cpuid_edx::CX8 |
                               cpuid_edx::SEP | cpuid_edx::MCA | cpuid_edx::MTRR | cpuid_edx::PGE |
                               cpuid_edx::CMOV | cpuid_edx::PAT | cpuid_edx::MMX | cpuid_edx::FXSR;

}  // namespace

CpuidResult cpuid_leaf(uint32_t leaf) {
    // Beyond the maximum basic leaf: the highest leaf's data, as Intel does.
    if (leaf > kMaxBasicLeaf) leaf = kMaxBasicLeaf;
    switch (leaf) {
        case 0: return {kMaxBasicLeaf, 0x756E6547, 0x6C65746E, 0x49656E69};  // "GenuineIntel"
        case 1: return {kSignature, 0, 0, kFeatures};
        default: return {0x03020101, 0, 0, 0x0C040843};  // TLB and cache descriptors of a P6
    }
}

}  // namespace sandpc
