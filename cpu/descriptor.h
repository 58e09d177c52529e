// Segment descriptor fields (Intel SDM vol. 3, 3.4.5).
#pragma once

#include <cstdint>

namespace sandpc {

struct Descriptor {
    uint64_t raw;

    uint32_t base() const {
        return static_cast<uint32_t>(((raw >> 16) & 0xFFFFFF) | ((raw >> 32) & 0xFF000000u));
    }
    uint32_t limit() const {
        uint32_t l = static_cast<uint32_t>((raw & 0xFFFF) | ((raw >> 32) & 0xF0000));
        return (raw & (1ull << 55)) ? (l << 12) | 0xFFF : l;
    }
    // Access byte in bits 0-7, flags nibble (AVL, L, D/B, G) in 12-15.
    uint16_t attr() const {
        return static_cast<uint16_t>(((raw >> 40) & 0xFF) | ((raw >> 40) & 0xF000));
    }
    unsigned type() const { return (raw >> 40) & 0xF; }
    bool system() const { return !((raw >> 44) & 1); }
    unsigned dpl() const { return (raw >> 45) & 3; }
    bool present() const { return (raw >> 47) & 1; }
    bool code() const { return !system() && (type() & 8); }
    bool data() const { return !system() && !(type() & 8); }
    bool conforming() const { return code() && (type() & 4); }
    bool readable() const { return data() || (type() & 2); }  // for code: R bit
    bool writable() const { return data() && (type() & 2); }
    bool big() const { return (raw >> 54) & 1; }

    // Gate fields.
    uint16_t gate_selector() const { return static_cast<uint16_t>(raw >> 16); }
    uint32_t gate_offset() const {
        uint32_t lo = static_cast<uint32_t>(raw & 0xFFFF);
        return (type() & 8) ? lo | static_cast<uint32_t>((raw >> 32) & 0xFFFF0000u) : lo;
    }
    unsigned gate_param_count() const { return (raw >> 32) & 0x1F; }
};

// System descriptor types.
enum SystemType : unsigned {
    kTss16Available = 1,
    kLdt = 2,
    kTss16Busy = 3,
    kCallGate16 = 4,
    kTaskGate = 5,
    kIntGate16 = 6,
    kTrapGate16 = 7,
    kTss32Available = 9,
    kTss32Busy = 11,
    kCallGate32 = 12,
    kIntGate32 = 14,
    kTrapGate32 = 15,
};

// Why a task switch happens (Intel SDM vol. 3, 7.3): decides the busy bits,
// the back link and NT.
enum TaskSwitchReason : unsigned {
    kTaskSwitchJmp = 0,
    kTaskSwitchCall = 1,  // CALL, or an interrupt/exception through a task gate
    kTaskSwitchIret = 2,
};

}  // namespace sandpc
