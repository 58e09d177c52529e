// Software TLB: linear page -> host pointer, one compare on the hit path.
//
// A tag is the linear page address with bit 0 set for user-mode (CPL 3)
// accesses, so one entry serves one privilege at a time and a CPL change
// needs no flush. Read and write have separate tags: a write tag is only
// filled once the page's dirty bit is set and the page is writable at that
// privilege, and never for pages holding decoded code (their writes take
// the slow path, which invalidates the code).
#pragma once

#include <cstdint>

namespace sandpc {

constexpr uint32_t kTlbInvalidTag = 2;  // bit 1 is never set in a real tag
constexpr unsigned kTlbSize = 1024;

struct TlbEntry {
    uint32_t tag_read = kTlbInvalidTag;
    uint32_t tag_write = kTlbInvalidTag;
    // Writable page that holds decoded code: the write slow path may use the
    // entry after checking the written bytes against the code map.
    uint32_t tag_watched = kTlbInvalidTag;
    uintptr_t addend = 0;  // host pointer = linear address + addend
    uint32_t phys_page = 0;
    bool global = false;
    bool large = false;  // filled from a 4 MiB / 2 MiB page
};

inline unsigned tlb_index(uint32_t linear) {
    return (linear >> 12) & (kTlbSize - 1);
}

}  // namespace sandpc
