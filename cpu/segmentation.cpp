// Segment register loads with their protection checks, and the derived
// per-segment access ranges the hot path uses.
#include "cpu/cpu.h"
#include "cpu/descriptor.h"

namespace sandpc {

void Cpu::set_segment_cache(unsigned seg, uint16_t selector, uint32_t base, uint32_t limit,
                            uint16_t attr) {
    SegmentCache& sc = s.seg[seg];
    sc.selector = selector;
    sc.base = base;
    sc.limit = limit;
    sc.attr = attr;
    sc.usable = true;
    update_segment_ranges(seg);
}

void Cpu::update_segment_ranges(unsigned seg) {
    SegmentCache& sc = s.seg[seg];
    if (!protected_mode()) {
        sc.readable = sc.writable = true;
        sc.valid_lo = 0;
        sc.valid_hi = sc.limit;
        if (seg == CS) end_block();
        return;
    }
    if (!sc.usable) {
        sc.readable = sc.writable = false;
        sc.valid_lo = 1;
        sc.valid_hi = 0;
        return;
    }
    bool code = sc.attr & seg_attr::kCode;
    if (code) {
        sc.readable = sc.attr & seg_attr::kWritable;
        sc.writable = false;
    } else {
        sc.readable = true;
        sc.writable = sc.attr & seg_attr::kWritable;
    }
    if (!code && (sc.attr & seg_attr::kExpandDown)) {
        sc.valid_lo = sc.limit + 1;
        sc.valid_hi = sc.big() ? 0xFFFFFFFFu : 0xFFFFu;
        if (sc.limit == 0xFFFFFFFFu) sc.valid_lo = 1, sc.valid_hi = 0;  // empty
    } else {
        sc.valid_lo = 0;
        sc.valid_hi = sc.limit;
    }
}

void Cpu::segment_fault(unsigned seg) {
    if (seg == SS) raise_fault(kStackFault, 0);
    raise_gp(0);
}

bool Cpu::fetch_descriptor(uint16_t selector, uint64_t& desc) {
    uint32_t base, limit;
    if (selector & 4) {
        if (!s.ldtr.usable || s.ldtr.selector == 0) return false;
        base = s.ldtr.base;
        limit = s.ldtr.limit;
    } else {
        base = s.gdtr.base;
        limit = s.gdtr.limit;
    }
    uint32_t off = selector & ~7u;
    if (off + 7 > limit) return false;
    uint32_t lo = read_linear_sys(base + off, 4);
    uint32_t hi = read_linear_sys(base + off + 4, 4);
    desc = lo | (uint64_t(hi) << 32);
    return true;
}

uint64_t Cpu::read_descriptor(uint16_t selector, uint32_t error_code) {
    uint64_t d;
    if (!fetch_descriptor(selector, d)) raise_gp(error_code);
    return d;
}

void Cpu::set_descriptor_accessed(uint16_t selector) {
    uint32_t base = (selector & 4) ? s.ldtr.base : s.gdtr.base;
    uint32_t addr = base + (selector & ~7u) + 5;
    uint32_t access = read_linear_sys(addr, 1);
    if (!(access & 1)) write_linear_sys(addr, 1, access | 1);
}

void Cpu::load_segment_real(unsigned seg, uint16_t selector) {
    SegmentCache& sc = s.seg[seg];
    sc.selector = selector;
    sc.base = uint32_t(selector) << 4;
    if (s.eflags & eflags::VM) {
        sc.limit = 0xFFFF;
        sc.attr = (seg == CS ? 0xFB : 0xF3);
    }
    sc.usable = true;
    update_segment_ranges(seg);
}

void Cpu::load_segment(unsigned seg, uint16_t selector) {
    if (!protected_mode()) {
        load_segment_real(seg, selector);
        if (seg == SS) set_interrupt_shadow();
        return;
    }
    uint16_t err = selector & 0xFFFC;
    unsigned rpl = selector & 3;
    if (seg == SS) {
        if (err == 0) raise_gp(0);
        Descriptor d{read_descriptor(selector, err)};
        if (rpl != s.cpl || !d.writable() || d.dpl() != s.cpl) raise_gp(err);
        if (!d.present()) raise_fault(kStackFault, err);
        set_descriptor_accessed(selector);
        set_segment_cache(SS, selector, d.base(), d.limit(), d.attr() | seg_attr::kAccessed);
        set_interrupt_shadow();
        return;
    }
    if (err == 0) {
        SegmentCache& sc = s.seg[seg];
        sc.selector = selector;
        sc.usable = false;
        update_segment_ranges(seg);
        return;
    }
    Descriptor d{read_descriptor(selector, err)};
    if (!d.readable() || d.system()) raise_gp(err);
    if (!d.conforming() && (d.dpl() < s.cpl || d.dpl() < rpl)) raise_gp(err);
    if (!d.present()) raise_fault(kSegmentNotPresent, err);
    set_descriptor_accessed(selector);
    set_segment_cache(seg, selector, d.base(), d.limit(), d.attr() | seg_attr::kAccessed);
}

void Cpu::load_code_segment(uint16_t selector, uint64_t desc, unsigned cpl) {
    Descriptor d{desc};
    set_descriptor_accessed(selector);
    set_segment_cache(CS, static_cast<uint16_t>((selector & ~3u) | cpl), d.base(), d.limit(),
                      d.attr() | seg_attr::kAccessed);
    set_cpl(cpl);
    end_block();
}

void Cpu::load_ldtr(uint16_t selector) {
    uint16_t err = selector & 0xFFFC;
    if (err == 0) {
        s.ldtr.selector = selector;
        s.ldtr.usable = false;
        return;
    }
    if (selector & 4) raise_gp(err);
    Descriptor d{read_descriptor(selector, err)};
    if (!d.system() || d.type() != kLdt) raise_gp(err);
    if (!d.present()) raise_fault(kSegmentNotPresent, err);
    s.ldtr.selector = selector;
    s.ldtr.base = d.base();
    s.ldtr.limit = d.limit();
    s.ldtr.attr = d.attr();
    s.ldtr.usable = true;
}

void Cpu::load_tr(uint16_t selector) {
    uint16_t err = selector & 0xFFFC;
    if (err == 0 || (selector & 4)) raise_gp(err);
    Descriptor d{read_descriptor(selector, err)};
    if (!d.system() || (d.type() != kTss16Available && d.type() != kTss32Available)) raise_gp(err);
    if (!d.present()) raise_fault(kSegmentNotPresent, err);
    uint32_t addr = s.gdtr.base + (selector & ~7u) + 5;
    write_linear_sys(addr, 1, read_linear_sys(addr, 1) | 2);  // busy
    s.tr.selector = selector;
    s.tr.base = d.base();
    s.tr.limit = d.limit();
    s.tr.attr = static_cast<uint16_t>(d.attr() | 2);
    s.tr.usable = true;
}

}  // namespace sandpc
