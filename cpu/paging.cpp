// Linear-to-physical translation: 2-level paging (4 KiB and PSE 4 MiB
// pages), PAE (4 KiB and 2 MiB pages), A/D bits, permission checks with the
// architectural #PF error code, and the software TLB that caches results.
#include "cpu/cpu.h"

namespace sandpc {

namespace {
constexpr uint32_t kPresent = 1u << 0;
constexpr uint32_t kWritable = 1u << 1;
constexpr uint32_t kUser = 1u << 2;
constexpr uint32_t kAccessed = 1u << 5;
constexpr uint32_t kDirty = 1u << 6;
constexpr uint32_t kLarge = 1u << 7;
constexpr uint32_t kGlobal = 1u << 8;

constexpr uint32_t kPfPresent = 1u << 0;
constexpr uint32_t kPfWrite = 1u << 1;
constexpr uint32_t kPfUser = 1u << 2;
constexpr uint32_t kPfReserved = 1u << 3;

// PAE entries: physical address bits above 35 and bit 63 (no NX on a P6)
// are reserved.
constexpr uint64_t kPaeReservedHigh = 0xFFFFFFF000000000ull;
}  // namespace

uint32_t Cpu::read_phys32(uint32_t paddr) {
    return read_phys(paddr, 4);
}
void Cpu::write_phys32(uint32_t paddr, uint32_t v) {
    write_phys(paddr, 4, v);
}
uint64_t Cpu::read_phys64(uint32_t paddr) {
    return read_phys(paddr, 4) | (uint64_t(read_phys(paddr + 4, 4)) << 32);
}

void Cpu::load_pdptes() {
    uint32_t base = s.cr3 & 0xFFFFFFE0u;
    for (unsigned i = 0; i < 4; ++i) {
        uint64_t e = read_phys64(base + i * 8);
        // Reserved: bits 1-2, 5-8, and above the physical address width.
        if ((e & kPresent) && (e & (0x1E6ull | kPaeReservedHigh))) raise_gp(0);
        pdpte_[i] = e;
    }
}

Cpu::Translation Cpu::walk(uint32_t lin, Access access, bool user) {
    bool write = access == Access::kWrite;
    auto fault = [&](uint32_t bits) {
        s.cr2 = lin;
        raise_fault(kPageFault, bits | (write ? kPfWrite : 0) | (user ? kPfUser : 0));
    };
    bool wp = (s.cr0 & cr0::WP) != 0;
    auto check = [&](bool u, bool w) {
        if (user && !u) fault(kPfPresent);
        if (write && !w && (user || wp)) fault(kPfPresent);
    };
    bool pge = (s.cr4 & cr4::PGE) != 0;

    if (!(s.cr4 & cr4::PAE)) {
        uint32_t pde_addr = (s.cr3 & 0xFFFFF000u) | ((lin >> 20) & 0xFFC);
        uint32_t pde = read_phys32(pde_addr);
        if (!(pde & kPresent)) fault(0);
        if ((pde & kLarge) && (s.cr4 & cr4::PSE)) {
            check(pde & kUser, pde & kWritable);
            uint32_t want = kAccessed | (write ? kDirty : 0);
            if ((pde & want) != want) write_phys32(pde_addr, pde | want);
            bool can_write = (pde & kWritable) || (!user && !wp);
            return {(pde & 0xFFC00000u) | (lin & 0x3FF000u), can_write, pge && (pde & kGlobal),
                    true};
        }
        uint32_t pte_addr = (pde & 0xFFFFF000u) | ((lin >> 10) & 0xFFC);
        uint32_t pte = read_phys32(pte_addr);
        if (!(pte & kPresent)) fault(0);
        bool u = (pde & kUser) && (pte & kUser);
        bool w = (pde & kWritable) && (pte & kWritable);
        check(u, w);
        if (!(pde & kAccessed)) write_phys32(pde_addr, pde | kAccessed);
        uint32_t want = kAccessed | (write ? kDirty : 0);
        if ((pte & want) != want) write_phys32(pte_addr, pte | want);
        return {pte & 0xFFFFF000u, w || (!user && !wp), pge && (pte & kGlobal), false};
    }

    uint64_t pdpte = pdpte_[lin >> 30];
    if (!(pdpte & kPresent)) fault(0);
    uint32_t pde_addr = static_cast<uint32_t>(pdpte & 0xFFFFF000u) + ((lin >> 21) & 0x1FF) * 8;
    uint64_t pde = read_phys64(pde_addr);
    if (!(pde & kPresent)) fault(0);
    if (pde & kPaeReservedHigh) fault(kPfPresent | kPfReserved);
    if (pde & kLarge) {
        if (pde & 0x1FE000u) fault(kPfPresent | kPfReserved);
        check(pde & kUser, pde & kWritable);
        uint32_t want = kAccessed | (write ? kDirty : 0);
        if ((pde & want) != want) write_phys32(pde_addr, static_cast<uint32_t>(pde) | want);
        bool can_write = (pde & kWritable) || (!user && !wp);
        return {(static_cast<uint32_t>(pde) & 0xFFE00000u) | (lin & 0x1FF000u), can_write,
                pge && (pde & kGlobal), true};
    }
    uint32_t pte_addr = static_cast<uint32_t>(pde & 0xFFFFF000u) + ((lin >> 12) & 0x1FF) * 8;
    uint64_t pte = read_phys64(pte_addr);
    if (!(pte & kPresent)) fault(0);
    if (pte & kPaeReservedHigh) fault(kPfPresent | kPfReserved);
    bool u = (pde & kUser) && (pte & kUser);
    bool w = (pde & kWritable) && (pte & kWritable);
    check(u, w);
    if (!(pde & kAccessed)) write_phys32(pde_addr, static_cast<uint32_t>(pde) | kAccessed);
    uint32_t want = kAccessed | (write ? kDirty : 0);
    if ((pte & want) != want) write_phys32(pte_addr, static_cast<uint32_t>(pte) | want);
    return {static_cast<uint32_t>(pte) & 0xFFFFF000u, w || (!user && !wp), pge && (pte & kGlobal),
            false};
}

uint32_t Cpu::translate(uint32_t lin, Access access, bool user, bool fill_tlb) {
    Translation t{lin & ~0xFFFu, true, false, false};
    if (s.cr0 & cr0::PG) t = walk(lin, access, user);
    uint32_t phys_page = t.phys & a20_mask_;
    if (fill_tlb) {
        if (uint8_t* host = bus_.page_pointer(phys_page, false)) {
            TlbEntry& e = tlb_[tlb_index(lin)];
            uint32_t tag = (lin & ~0xFFFu) | (user ? 1u : 0u);
            if (e.tag_read != tag || e.phys_page != phys_page)
                e.tag_write = e.tag_watched = kTlbInvalidTag;
            e.tag_read = tag;
            e.addend = reinterpret_cast<uintptr_t>(host) - (lin & ~0xFFFu);
            e.phys_page = phys_page;
            e.global = t.global;
            e.large = t.large;
            if (access == Access::kWrite && t.writable) {
                uint32_t page = phys_page >> 12;
                bool code = page < write_watched_.size() && write_watched_[page];
                if (bus_.page_pointer(phys_page, true) == host)
                    (code ? e.tag_watched : e.tag_write) = tag;
            }
        }
    }
    return phys_page | (lin & 0xFFF);
}

void Cpu::flush_tlb(bool keep_global) {
    for (TlbEntry& e : tlb_) {
        if (keep_global && e.global) continue;
        e.tag_read = kTlbInvalidTag;
        e.tag_write = e.tag_watched = kTlbInvalidTag;
    }
}

void Cpu::invlpg(uint32_t lin) {
    // Entries are per 4 KiB even for large pages; drop every entry of the
    // page (any size) that could contain lin.
    uint32_t large_mask = (s.cr4 & cr4::PAE) ? ~0x1FFFFFu : ~0x3FFFFFu;
    for (TlbEntry& e : tlb_) {
        uint32_t page = e.tag_read & ~0xFFFu;
        if (page == (lin & ~0xFFFu) || (e.large && (page & large_mask) == (lin & large_mask))) {
            e.tag_read = kTlbInvalidTag;
            e.tag_write = e.tag_watched = kTlbInvalidTag;
        }
    }
}

}  // namespace sandpc
