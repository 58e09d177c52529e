// Hardware task switches (JMP/CALL to a TSS or task gate, interrupts through
// task gates, IRET with NT set), 16- and 32-bit TSS formats.
#include "cpu/cpu.h"
#include "cpu/descriptor.h"

namespace sandpc {

namespace {
// Offsets of the fields in the two TSS formats.
struct TssLayout {
    uint32_t eip, eflags, gpr, seg, ldt, min_limit;
    unsigned word;  // size of a register slot
    unsigned seg_stride;
    unsigned seg_count;
};
constexpr TssLayout kTss32{0x20, 0x24, 0x28, 0x48, 0x60, 0x67, 4, 4, 6};
constexpr TssLayout kTss16{0x0E, 0x10, 0x12, 0x22, 0x2A, 0x2B, 2, 2, 4};
}  // namespace

void Cpu::task_switch(uint16_t selector, uint64_t raw, unsigned reason, uint32_t return_eip) {
    Descriptor d{raw};
    uint32_t err = selector & 0xFFFC;
    unsigned type = d.type();
    bool new32 = type == kTss32Available || type == kTss32Busy;
    bool busy = type == kTss16Busy || type == kTss32Busy;
    if (!d.system() || !(type == kTss16Available || type == kTss32Available || busy)) raise_gp(err);
    if (reason == kTaskSwitchIret ? !busy : busy) raise_gp(err);
    if (!d.present()) raise_fault(kSegmentNotPresent, err);
    const TssLayout& nl = new32 ? kTss32 : kTss16;
    if (d.limit() < nl.min_limit) raise_fault(kInvalidTss, err);

    bool old32 = (s.tr.attr & 8) != 0;
    const TssLayout& ol = old32 ? kTss32 : kTss16;
    if (s.tr.limit < ol.min_limit) raise_fault(kInvalidTss, s.tr.selector & 0xFFFC);

    // Read the whole new state first, so a fault leaves the old task intact.
    uint32_t nb = d.base();
    uint32_t new_cr3 = (new32 && (s.cr0 & cr0::PG)) ? read_linear_sys(nb + 0x1C, 4) : s.cr3;
    uint32_t new_eip = read_linear_sys(nb + nl.eip, nl.word);
    uint32_t new_flags = read_linear_sys(nb + nl.eflags, nl.word);
    uint32_t new_gpr[8];
    for (unsigned i = 0; i < 8; ++i)
        new_gpr[i] = read_linear_sys(nb + nl.gpr + i * nl.word, nl.word);
    uint16_t new_seg[6] = {};
    for (unsigned i = 0; i < nl.seg_count; ++i)
        new_seg[i] = static_cast<uint16_t>(read_linear_sys(nb + nl.seg + i * nl.seg_stride, 2));
    uint16_t new_ldt = static_cast<uint16_t>(read_linear_sys(nb + nl.ldt, 2));

    // Save the outgoing task.
    uint32_t ob = s.tr.base;
    uint32_t flags = get_eflags();
    if (reason == kTaskSwitchIret) flags &= ~eflags::NT;
    write_linear_sys(ob + ol.eip, ol.word, return_eip);
    write_linear_sys(ob + ol.eflags, ol.word, flags);
    for (unsigned i = 0; i < 8; ++i) write_linear_sys(ob + ol.gpr + i * ol.word, ol.word, s.gpr[i]);
    for (unsigned i = 0; i < ol.seg_count; ++i)
        write_linear_sys(ob + ol.seg + i * ol.seg_stride, 2, s.seg[i].selector);

    auto set_busy = [&](uint16_t sel, bool on) {
        uint32_t addr = s.gdtr.base + (sel & ~7u) + 5;
        uint32_t access = read_linear_sys(addr, 1);
        write_linear_sys(addr, 1, on ? (access | 2) : (access & ~2u));
    };
    if (reason != kTaskSwitchCall) set_busy(s.tr.selector, false);
    if (reason == kTaskSwitchCall) {
        write_linear_sys(nb, 2, s.tr.selector);
        new_flags |= eflags::NT;
    }
    if (reason != kTaskSwitchIret) set_busy(selector, true);

    s.tr.selector = selector;
    s.tr.base = nb;
    s.tr.limit = d.limit();
    s.tr.attr = static_cast<uint16_t>(d.attr() | 2);
    s.tr.usable = true;
    s.cr0 |= cr0::TS;
    if (new32 && (s.cr0 & cr0::PG) && new_cr3 != s.cr3) write_cr3(new_cr3);

    for (unsigned i = 0; i < 8; ++i) {
        s.gpr[i] = new32 ? new_gpr[i] : ((s.gpr[i] & 0xFFFF0000u) | (new_gpr[i] & 0xFFFF));
    }
    s.lazy.op = FlagOp::kNone;
    s.eflags =
        (new32 ? new_flags : ((s.eflags & 0xFFFF0000u) | (new_flags & 0xFFFF))) | eflags::kFixed1;
    next_eip = new32 ? new_eip : (new_eip & 0xFFFF);
    end_block();

    // Load the selectors; faults from here on belong to the new task.
    if (s.eflags & eflags::VM) {
        set_cpl(3);
        for (unsigned i = 0; i < 6; ++i) load_segment_real(i, new_seg[i]);
        s.eip = next_eip;
        return;
    }
    for (unsigned i = 0; i < 6; ++i) {
        s.seg[i].selector = new_seg[i];
        s.seg[i].usable = false;
    }
    s.eip = next_eip;
    try {
        load_ldtr(new_ldt);
    } catch (const CpuFault&) {
        raise_fault(kInvalidTss, new_ldt & 0xFFFC);
    }
    uint16_t cs_sel = new_seg[CS];
    unsigned new_cpl = cs_sel & 3u;
    uint64_t cs_raw;
    if ((cs_sel & 0xFFFC) == 0 || !fetch_descriptor(cs_sel, cs_raw))
        raise_fault(kInvalidTss, cs_sel & 0xFFFC);
    Descriptor cs{cs_raw};
    if (!cs.code() || (cs.conforming() ? cs.dpl() > new_cpl : cs.dpl() != new_cpl))
        raise_fault(kInvalidTss, cs_sel & 0xFFFC);
    if (!cs.present()) raise_fault(kSegmentNotPresent, cs_sel & 0xFFFC);
    load_code_segment(cs_sel, cs_raw, new_cpl);
    for (unsigned seg : {SS, ES, DS, FS, GS}) {
        try {
            load_segment(seg, new_seg[seg]);
        } catch (const CpuFault& f) {
            if (f.vector == kGeneralProtection) raise_fault(kInvalidTss, new_seg[seg] & 0xFFFC);
            throw;
        }
    }
    s.interrupt_shadow = false;
}

}  // namespace sandpc
