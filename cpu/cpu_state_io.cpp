// Serialization of the CPU (section "cpu", then the x87 unit's section
// "x87"). Decoded code and the TLB are caches and are rebuilt after a load.
// Version 1 streams (no FPU) still load, with the FPU in its RESET state;
// version 2 streams (no performance-counter or machine-check MSRs) load
// with those MSRs at their reset values.
#include "cpu/cpu.h"
#include "snapshot/state_stream.h"

namespace sandpc {

namespace {
constexpr uint32_t kCpuStateVersion = 3;

void save_segment(StateWriter& w, const SegmentCache& sc) {
    w.u16(sc.selector);
    w.u16(sc.attr);
    w.u32(sc.base);
    w.u32(sc.limit);
    w.boolean(sc.usable);
}
void load_segment_cache(StateReader& r, SegmentCache& sc) {
    sc.selector = r.u16();
    sc.attr = r.u16();
    sc.base = r.u32();
    sc.limit = r.u32();
    sc.usable = r.boolean();
}
}  // namespace

void Cpu::save(StateWriter& w) const {
    Cpu& self = const_cast<Cpu&>(*this);
    w.begin_section("cpu", kCpuStateVersion);
    for (unsigned i = 0; i < 8; ++i) w.u32(s.gpr[i]);
    w.u32(s.eip);
    w.u32(self.get_eflags());
    for (const SegmentCache& sc : s.seg) save_segment(w, sc);
    save_segment(w, s.ldtr);
    save_segment(w, s.tr);
    w.u32(s.gdtr.base);
    w.u32(s.gdtr.limit);
    w.u32(s.idtr.base);
    w.u32(s.idtr.limit);
    w.u32(s.cr0);
    w.u32(s.cr2);
    w.u32(s.cr3);
    w.u32(s.cr4);
    for (uint32_t d : s.dr) w.u32(d);
    w.u8(s.cpl);
    w.boolean(s.halted);
    w.boolean(s.interrupt_shadow);
    w.boolean(s.nmi_blocked);
    w.u64(s.tsc_offset);
    w.u32(s.sysenter_cs);
    w.u32(s.sysenter_esp);
    w.u32(s.sysenter_eip);
    w.u64(s.apic_base);
    w.u64(s.mtrr_def_type);
    for (uint64_t v : s.mtrr_fixed) w.u64(v);
    for (uint64_t v : s.mtrr_var) w.u64(v);
    w.u64(s.pat);
    w.u64(s.misc_enable);
    w.u64(icount_);
    w.boolean(a20());
    w.boolean(intr_line_);
    w.boolean(nmi_pending_);
    w.boolean(shutdown_);
    for (uint64_t p : pdpte_) w.u64(p);
    w.u32(s.mxcsr);
    w.boolean(ferr_);
    w.boolean(ignne_);
    for (unsigned i = 0; i < 2; ++i) {
        w.u64(s.perf.event_select[i]);
        w.u64(s.perf.counter[i]);
    }
    w.u64(s.machine_check.global_status);
    w.u64(s.machine_check.global_ctl);
    for (uint64_t v : s.machine_check.bank_ctl) w.u64(v);
    w.end_section();
    fpu.save(w);
}

void Cpu::load(StateReader& r) {
    uint32_t version = r.begin_section("cpu", kCpuStateVersion);
    CpuState n;
    for (unsigned i = 0; i < 8; ++i) n.gpr[i] = r.u32();
    n.eip = r.u32();
    n.eflags = (r.u32() & (eflags::kValid | eflags::kFixed1)) | eflags::kFixed1;
    for (SegmentCache& sc : n.seg) load_segment_cache(r, sc);
    load_segment_cache(r, n.ldtr);
    load_segment_cache(r, n.tr);
    n.gdtr.base = r.u32();
    n.gdtr.limit = r.u32();
    n.idtr.base = r.u32();
    n.idtr.limit = r.u32();
    n.cr0 = r.u32();
    n.cr2 = r.u32();
    n.cr3 = r.u32();
    n.cr4 = r.u32();
    for (uint32_t& d : n.dr) d = r.u32();
    n.cpl = r.u8();
    if (n.cpl > 3) throw StateError("state: cpu section has CPL > 3");
    n.halted = r.boolean();
    n.interrupt_shadow = r.boolean();
    n.nmi_blocked = r.boolean();
    n.tsc_offset = r.u64();
    n.sysenter_cs = r.u32();
    n.sysenter_esp = r.u32();
    n.sysenter_eip = r.u32();
    n.apic_base = r.u64();
    n.mtrr_def_type = r.u64();
    for (uint64_t& v : n.mtrr_fixed) v = r.u64();
    for (uint64_t& v : n.mtrr_var) v = r.u64();
    n.pat = r.u64();
    n.misc_enable = r.u64();
    uint64_t count = r.u64();
    bool a20_on = r.boolean();
    bool intr = r.boolean();
    bool nmi = r.boolean();
    bool shut = r.boolean();
    uint64_t pdpte[4];
    for (uint64_t& p : pdpte) p = r.u64();
    bool ferr = false, ignne = false;
    if (version >= 2) {
        n.mxcsr = r.u32();
        if (n.mxcsr & ~0xFFBFu) throw StateError("state: cpu section has reserved MXCSR bits");
        ferr = r.boolean();
        ignne = r.boolean();
    }
    if (version >= 3) {
        for (unsigned i = 0; i < 2; ++i) {
            n.perf.event_select[i] = r.u64();
            n.perf.counter[i] = r.u64() & PerfCounters::kCounterMask;
        }
        n.machine_check.global_status = r.u64();
        n.machine_check.global_ctl = r.u64();
        for (uint64_t& v : n.machine_check.bank_ctl) v = r.u64();
    }
    r.end_section();
    X87 unit;
    if (version >= 2) unit.load(r);

    s = n;
    icount_ = count;
    intr_line_ = intr;
    nmi_pending_ = nmi;
    shutdown_ = shut;
    fpu = unit;
    ferr_ = ferr;
    ignne_ = ignne;
    for (unsigned i = 0; i < 4; ++i) pdpte_[i] = pdpte[i];
    set_a20(a20_on);
    for (unsigned i = 0; i < 6; ++i) update_segment_ranges(i);
    flush_tlb(false);
    update_user_bit();
    for (auto& g : page_generation_) ++g;
}

}  // namespace sandpc
