// CPU exceptions raised while executing an instruction. Handlers throw a
// CpuFault; the execution loop catches it, rolls EIP back to the faulting
// instruction (nothing else was committed) and delivers the exception.
#pragma once

#include <cstdint>

namespace sandpc {

enum Vector : uint8_t {
    kDivideError = 0,
    kDebug = 1,
    kNmi = 2,
    kBreakpoint = 3,
    kOverflow = 4,
    kBoundRange = 5,
    kInvalidOpcode = 6,
    kDeviceNotAvailable = 7,
    kDoubleFault = 8,
    kInvalidTss = 10,
    kSegmentNotPresent = 11,
    kStackFault = 12,
    kGeneralProtection = 13,
    kPageFault = 14,
    kFpuError = 16,
    kAlignmentCheck = 17,
    kMachineCheck = 18,
    kSimdError = 19,
};

struct CpuFault {
    uint8_t vector;
    bool has_error_code;
    uint32_t error_code;
};

[[noreturn]] inline void raise_fault(uint8_t vector) {
    throw CpuFault{vector, false, 0};
}
[[noreturn]] inline void raise_fault(uint8_t vector, uint32_t error_code) {
    throw CpuFault{vector, true, error_code};
}
[[noreturn]] inline void raise_ud() {
    raise_fault(kInvalidOpcode);
}
[[noreturn]] inline void raise_gp(uint32_t error_code) {
    raise_fault(kGeneralProtection, error_code);
}

// Whether the vector pushes an error code when raised as an exception.
constexpr bool vector_has_error_code(uint8_t v) {
    return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

}  // namespace sandpc
