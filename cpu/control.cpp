// Far control transfers: JMP/CALL/RET far, IRET, through code segments and
// call gates, with the privilege rules of protected mode.
#include "cpu/cpu.h"
#include "cpu/descriptor.h"

namespace sandpc {

namespace {
uint32_t sel_err(uint16_t sel) {
    return sel & 0xFFFC;
}
}  // namespace

void Cpu::far_jump(uint16_t selector, uint32_t offset, bool op32) {
    if (!op32) offset &= 0xFFFF;
    if (!protected_mode()) {
        if (offset > s.seg[CS].limit && mode() == CpuMode::kReal) raise_gp(0);
        load_segment_real(CS, selector);
        next_eip = offset;
        end_block();
        return;
    }
    if (sel_err(selector) == 0) raise_gp(0);
    Descriptor d{read_descriptor(selector, sel_err(selector))};
    if (d.code()) {
        if (d.conforming() ? d.dpl() > s.cpl : ((selector & 3u) > s.cpl || d.dpl() != s.cpl))
            raise_gp(sel_err(selector));
        if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
        if (offset > d.limit()) raise_gp(0);
        load_code_segment(selector, d.raw, s.cpl);
        next_eip = offset;
        return;
    }
    if (!d.system()) raise_gp(sel_err(selector));
    unsigned type = d.type();
    if (type == kCallGate16 || type == kCallGate32) {
        if (d.dpl() < s.cpl || d.dpl() < (selector & 3u)) raise_gp(sel_err(selector));
        if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
        uint16_t cs_sel = d.gate_selector();
        uint32_t target = d.gate_offset();
        if (sel_err(cs_sel) == 0) raise_gp(0);
        Descriptor cs{read_descriptor(cs_sel, sel_err(cs_sel))};
        if (!cs.code() || (cs.conforming() ? cs.dpl() > s.cpl : cs.dpl() != s.cpl))
            raise_gp(sel_err(cs_sel));
        if (!cs.present()) raise_fault(kSegmentNotPresent, sel_err(cs_sel));
        if (type == kCallGate16) target &= 0xFFFF;
        if (target > cs.limit()) raise_gp(0);
        load_code_segment(cs_sel, cs.raw, s.cpl);
        next_eip = target;
        return;
    }
    if (type == kTaskGate || type == kTss16Available || type == kTss32Available) {
        if (d.dpl() < s.cpl || d.dpl() < (selector & 3u)) raise_gp(sel_err(selector));
        if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
        uint16_t tss_sel = selector;
        uint64_t tss = d.raw;
        if (type == kTaskGate) {
            tss_sel = d.gate_selector();
            if (tss_sel & 4) raise_gp(sel_err(tss_sel));
            tss = read_descriptor(tss_sel, sel_err(tss_sel));
        }
        task_switch(tss_sel, tss, kTaskSwitchJmp, next_eip);
        return;
    }
    raise_gp(sel_err(selector));
}

void Cpu::far_call(uint16_t selector, uint32_t offset, bool op32) {
    if (!op32) offset &= 0xFFFF;
    if (!protected_mode()) {
        if (offset > s.seg[CS].limit && mode() == CpuMode::kReal) raise_gp(0);
        uint32_t mask = stack_pointer_mask();
        unsigned size = op32 ? 4 : 2;
        check_write(SS, (s.gpr[ESP] - 2 * size) & mask, 2 * size);
        if (op32) {
            push<uint32_t>(s.seg[CS].selector);
            push<uint32_t>(next_eip);
        } else {
            push<uint16_t>(s.seg[CS].selector);
            push<uint16_t>(static_cast<uint16_t>(next_eip));
        }
        load_segment_real(CS, selector);
        next_eip = offset;
        end_block();
        return;
    }
    if (sel_err(selector) == 0) raise_gp(0);
    Descriptor d{read_descriptor(selector, sel_err(selector))};
    unsigned size = op32 ? 4 : 2;
    uint32_t mask = stack_pointer_mask();
    if (d.code()) {
        if (d.conforming() ? d.dpl() > s.cpl : ((selector & 3u) > s.cpl || d.dpl() != s.cpl))
            raise_gp(sel_err(selector));
        if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
        check_write(SS, (s.gpr[ESP] - 2 * size) & mask, 2 * size);
        if (offset > d.limit()) raise_gp(0);
        uint16_t old_cs = s.seg[CS].selector;
        if (op32) {
            push<uint32_t>(old_cs);
            push<uint32_t>(next_eip);
        } else {
            push<uint16_t>(old_cs);
            push<uint16_t>(static_cast<uint16_t>(next_eip));
        }
        load_code_segment(selector, d.raw, s.cpl);
        next_eip = offset;
        return;
    }
    if (!d.system()) raise_gp(sel_err(selector));
    unsigned type = d.type();
    if (type == kTaskGate || type == kTss16Available || type == kTss32Available) {
        if (d.dpl() < s.cpl || d.dpl() < (selector & 3u)) raise_gp(sel_err(selector));
        if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
        uint16_t tss_sel = selector;
        uint64_t tss = d.raw;
        if (type == kTaskGate) {
            tss_sel = d.gate_selector();
            if (tss_sel & 4) raise_gp(sel_err(tss_sel));
            tss = read_descriptor(tss_sel, sel_err(tss_sel));
        }
        task_switch(tss_sel, tss, kTaskSwitchCall, next_eip);
        return;
    }
    if (type != kCallGate16 && type != kCallGate32) raise_gp(sel_err(selector));
    if (d.dpl() < s.cpl || d.dpl() < (selector & 3u)) raise_gp(sel_err(selector));
    if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
    uint16_t cs_sel = d.gate_selector();
    if (sel_err(cs_sel) == 0) raise_gp(0);
    Descriptor cs{read_descriptor(cs_sel, sel_err(cs_sel))};
    if (!cs.code() || cs.dpl() > s.cpl) raise_gp(sel_err(cs_sel));
    if (!cs.present()) raise_fault(kSegmentNotPresent, sel_err(cs_sel));
    bool gate32 = type == kCallGate32;
    unsigned gsize = gate32 ? 4 : 2;
    uint32_t target = gate32 ? d.gate_offset() : (d.gate_offset() & 0xFFFF);

    if (!cs.conforming() && cs.dpl() < s.cpl) {
        // Inner privilege: new stack from the TSS, parameters copied over.
        unsigned new_cpl = cs.dpl();
        bool tss32 = (s.tr.attr & 8) != 0;
        uint32_t slot = tss32 ? 4 + new_cpl * 8 : 2 + new_cpl * 4;
        if (slot + (tss32 ? 5 : 3) > s.tr.limit) raise_fault(kInvalidTss, sel_err(s.tr.selector));
        uint32_t new_esp = read_linear_sys(s.tr.base + slot, tss32 ? 4 : 2);
        uint16_t ss_sel =
            static_cast<uint16_t>(read_linear_sys(s.tr.base + slot + (tss32 ? 4 : 2), 2));
        if (sel_err(ss_sel) == 0) raise_fault(kInvalidTss, 0);
        uint64_t raw_ss;
        if (!fetch_descriptor(ss_sel, raw_ss)) raise_fault(kInvalidTss, sel_err(ss_sel));
        Descriptor ssd{raw_ss};
        if ((ss_sel & 3u) != new_cpl || ssd.dpl() != new_cpl || !ssd.writable())
            raise_fault(kInvalidTss, sel_err(ss_sel));
        if (!ssd.present()) raise_fault(kStackFault, sel_err(ss_sel));
        unsigned params = d.gate_param_count();
        uint32_t frame[4 + 31];
        unsigned n = 0;
        frame[n++] = s.seg[SS].selector;
        frame[n++] = s.gpr[ESP];
        uint32_t old_mask = stack_pointer_mask();
        for (unsigned i = params; i-- > 0;) {
            uint32_t off = (s.gpr[ESP] + i * gsize) & old_mask;
            frame[n++] = gsize == 4 ? read<uint32_t>(SS, off) : read<uint16_t>(SS, off);
        }
        frame[n++] = s.seg[CS].selector;
        frame[n++] = next_eip;
        if (target > cs.limit()) raise_gp(0);
        SegmentCache new_ss;
        new_ss.selector = ss_sel;
        new_ss.base = ssd.base();
        new_ss.limit = ssd.limit();
        new_ss.attr = ssd.attr();
        new_ss.usable = true;
        bool big = ssd.big();
        uint32_t smask = big ? 0xFFFFFFFF : 0xFFFF;
        uint32_t top = (new_esp - n * gsize) & smask;
        if (!(new_ss.attr & seg_attr::kExpandDown) && uint64_t(top) + n * gsize - 1 > new_ss.limit)
            raise_fault(kStackFault, sel_err(ss_sel));
        for (unsigned i = 0; i < n; ++i)
            translate(new_ss.base + ((top + i * gsize) & smask), Access::kWrite, new_cpl == 3,
                      false);
        uint32_t esp = new_esp;
        for (unsigned i = 0; i < n; ++i) {
            esp = (esp - gsize) & smask;
            write_linear_sys(new_ss.base + esp, gsize, frame[i]);
        }
        load_code_segment(cs_sel, cs.raw, new_cpl);
        s.seg[SS] = new_ss;
        update_segment_ranges(SS);
        s.gpr[ESP] = big ? esp : ((s.gpr[ESP] & 0xFFFF0000u) | esp);
        next_eip = target;
        return;
    }
    check_write(SS, (s.gpr[ESP] - 2 * gsize) & mask, 2 * gsize);
    if (target > cs.limit()) raise_gp(0);
    uint16_t old_cs = s.seg[CS].selector;
    if (gate32) {
        push<uint32_t>(old_cs);
        push<uint32_t>(next_eip);
    } else {
        push<uint16_t>(old_cs);
        push<uint16_t>(static_cast<uint16_t>(next_eip));
    }
    load_code_segment(cs_sel, cs.raw, s.cpl);
    next_eip = target;
}

namespace {
// After a return to an outer privilege level, data segment registers the
// new level may not use are nulled.
void null_inaccessible_segments(Cpu& c) {
    for (unsigned seg : {ES, DS, FS, GS}) {
        SegmentCache& sc = c.s.seg[seg];
        if (!sc.usable) continue;
        bool conforming_code = (sc.attr & seg_attr::kCode) && (sc.attr & seg_attr::kExpandDown);
        if (!conforming_code && sc.dpl() < c.s.cpl) {
            sc.selector = 0;
            sc.usable = false;
            c.update_segment_ranges(seg);
        }
    }
}
}  // namespace

void Cpu::far_return(bool op32, uint16_t pop_bytes) {
    unsigned size = op32 ? 4 : 2;
    uint32_t mask = stack_pointer_mask();
    uint32_t sp = s.gpr[ESP] & mask;
    uint32_t offset = op32 ? read<uint32_t>(SS, sp) : read<uint16_t>(SS, sp);
    uint16_t selector = read<uint16_t>(SS, (sp + size) & mask);
    if (!protected_mode()) {
        if (offset > s.seg[CS].limit && mode() == CpuMode::kReal) raise_gp(0);
        load_segment_real(CS, selector);
        s.gpr[ESP] = (s.gpr[ESP] & ~mask) | ((sp + 2 * size + pop_bytes) & mask);
        next_eip = offset;
        end_block();
        return;
    }
    if (sel_err(selector) == 0) raise_gp(0);
    unsigned rpl = selector & 3u;
    if (rpl < s.cpl) raise_gp(sel_err(selector));
    Descriptor d{read_descriptor(selector, sel_err(selector))};
    if (!d.code() || (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl)) raise_gp(sel_err(selector));
    if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(selector));
    if (rpl == s.cpl) {
        if (offset > d.limit()) raise_gp(0);
        load_code_segment(selector, d.raw, rpl);
        s.gpr[ESP] = (s.gpr[ESP] & ~mask) | ((sp + 2 * size + pop_bytes) & mask);
        next_eip = offset;
        return;
    }
    // Return to an outer level: the caller's SS:ESP follow the parameters.
    uint32_t outer = (sp + 2 * size + pop_bytes) & mask;
    uint32_t new_esp = op32 ? read<uint32_t>(SS, outer) : read<uint16_t>(SS, outer);
    uint16_t ss_sel = read<uint16_t>(SS, (outer + size) & mask);
    if (sel_err(ss_sel) == 0) raise_gp(0);
    Descriptor ssd{read_descriptor(ss_sel, sel_err(ss_sel))};
    if ((ss_sel & 3u) != rpl || ssd.dpl() != rpl || !ssd.writable()) raise_gp(sel_err(ss_sel));
    if (!ssd.present()) raise_fault(kStackFault, sel_err(ss_sel));
    if (offset > d.limit()) raise_gp(0);
    load_code_segment(selector, d.raw, rpl);
    set_segment_cache(SS, ss_sel, ssd.base(), ssd.limit(), ssd.attr());
    uint32_t new_mask = ssd.big() ? 0xFFFFFFFF : 0xFFFF;
    s.gpr[ESP] = (s.gpr[ESP] & ~new_mask) | ((new_esp + pop_bytes) & new_mask);
    null_inaccessible_segments(*this);
    next_eip = offset;
}

void Cpu::interrupt_return(bool op32) {
    unsigned size = op32 ? 4 : 2;
    uint32_t mask = stack_pointer_mask();
    uint32_t sp = s.gpr[ESP] & mask;
    auto stack_word = [&](unsigned i) -> uint32_t {
        uint32_t off = (sp + i * size) & mask;
        return op32 ? read<uint32_t>(SS, off) : read<uint16_t>(SS, off);
    };
    end_block();
    CpuMode m = mode();
    if (m == CpuMode::kVirtual8086 && iopl() < 3) raise_gp(0);
    if (m != CpuMode::kProtected) {
        uint32_t eip = stack_word(0);
        uint16_t cs = static_cast<uint16_t>(stack_word(1));
        uint32_t flags = stack_word(2);
        if (eip > s.seg[CS].limit && m == CpuMode::kReal) raise_gp(0);
        uint32_t change = eflags::kArith | eflags::TF | eflags::IF | eflags::DF | eflags::NT;
        if (m == CpuMode::kReal) change |= eflags::IOPL;
        if (op32)
            change |= eflags::AC | eflags::ID | eflags::RF;
        else
            change &= 0xFFFF;
        load_segment_real(CS, cs);
        set_eflags(flags, change);
        s.gpr[ESP] = (s.gpr[ESP] & ~mask) | ((sp + 3 * size) & mask);
        next_eip = eip;
        return;
    }
    if (s.eflags & eflags::NT) {
        uint16_t back = static_cast<uint16_t>(read_linear_sys(s.tr.base, 2));
        if (back & 4) raise_fault(kInvalidTss, sel_err(back));
        uint64_t raw;
        if (!fetch_descriptor(back, raw)) raise_fault(kInvalidTss, sel_err(back));
        Descriptor d{raw};
        if (!d.system() || (d.type() != kTss16Busy && d.type() != kTss32Busy))
            raise_fault(kInvalidTss, sel_err(back));
        if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(back));
        task_switch(back, raw, kTaskSwitchIret, next_eip);
        return;
    }
    uint32_t eip = stack_word(0);
    uint16_t cs_sel = static_cast<uint16_t>(stack_word(1));
    uint32_t flags = stack_word(2);
    if (op32 && (flags & eflags::VM) && s.cpl == 0) {
        // Return to virtual-8086 mode: the frame holds ESP, SS, ES, DS, FS, GS.
        uint32_t new_esp = stack_word(3);
        uint16_t regs[5];
        for (unsigned i = 0; i < 5; ++i) regs[i] = static_cast<uint16_t>(stack_word(4 + i));
        set_eflags(flags, eflags::kValid);
        set_cpl(3);
        load_segment_real(CS, cs_sel);
        load_segment_real(SS, regs[0]);
        load_segment_real(ES, regs[1]);
        load_segment_real(DS, regs[2]);
        load_segment_real(FS, regs[3]);
        load_segment_real(GS, regs[4]);
        s.interrupt_shadow = false;
        s.gpr[ESP] = new_esp;
        next_eip = eip & 0xFFFF;
        update_user_bit();
        return;
    }
    if (sel_err(cs_sel) == 0) raise_gp(0);
    unsigned rpl = cs_sel & 3u;
    if (rpl < s.cpl) raise_gp(sel_err(cs_sel));
    Descriptor d{read_descriptor(cs_sel, sel_err(cs_sel))};
    if (!d.code() || (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl)) raise_gp(sel_err(cs_sel));
    if (!d.present()) raise_fault(kSegmentNotPresent, sel_err(cs_sel));

    uint32_t change = eflags::kArith | eflags::TF | eflags::DF | eflags::NT | eflags::RF |
                      eflags::AC | eflags::ID;
    if (s.cpl <= iopl()) change |= eflags::IF;
    if (s.cpl == 0) change |= eflags::IOPL | eflags::VIF | eflags::VIP;
    if (!op32) change &= 0xFFFF;
    unsigned old_cpl = s.cpl;

    if (rpl == old_cpl) {
        if (eip > d.limit()) raise_gp(0);
        load_code_segment(cs_sel, d.raw, rpl);
        set_eflags(flags, change);
        s.gpr[ESP] = (s.gpr[ESP] & ~mask) | ((sp + 3 * size) & mask);
        next_eip = eip;
        return;
    }
    uint32_t new_esp = stack_word(3);
    uint16_t ss_sel = static_cast<uint16_t>(stack_word(4));
    if (sel_err(ss_sel) == 0) raise_gp(0);
    Descriptor ssd{read_descriptor(ss_sel, sel_err(ss_sel))};
    if ((ss_sel & 3u) != rpl || ssd.dpl() != rpl || !ssd.writable()) raise_gp(sel_err(ss_sel));
    if (!ssd.present()) raise_fault(kStackFault, sel_err(ss_sel));
    if (eip > d.limit()) raise_gp(0);
    load_code_segment(cs_sel, d.raw, rpl);
    // Flags are restored with the privilege of the IRET itself.
    s.cpl = static_cast<uint8_t>(old_cpl);
    set_eflags(flags, change);
    set_cpl(rpl);
    set_segment_cache(SS, ss_sel, ssd.base(), ssd.limit(), ssd.attr());
    s.gpr[ESP] = ssd.big() ? new_esp : ((s.gpr[ESP] & 0xFFFF0000u) | (new_esp & 0xFFFF));
    null_inaccessible_segments(*this);
    next_eip = eip;
}

void Cpu::sysenter() {
    if (!(s.cr0 & cr0::PE)) raise_gp(0);
    if ((s.sysenter_cs & 0xFFFC) == 0) raise_gp(0);
    s.eflags &= ~(eflags::VM | eflags::IF | eflags::RF);
    uint16_t cs = static_cast<uint16_t>(s.sysenter_cs & 0xFFFC);
    set_segment_cache(CS, cs, 0, 0xFFFFFFFF, 0xCF9B);
    set_segment_cache(SS, static_cast<uint16_t>(cs + 8), 0, 0xFFFFFFFF, 0xCF93);
    set_cpl(0);
    s.gpr[ESP] = s.sysenter_esp;
    next_eip = s.sysenter_eip;
    end_block();
}

void Cpu::sysexit() {
    if (!protected_mode() || s.cpl != 0 || (s.sysenter_cs & 0xFFFC) == 0) raise_gp(0);
    uint16_t cs = static_cast<uint16_t>((s.sysenter_cs + 16) | 3);
    set_segment_cache(CS, cs, 0, 0xFFFFFFFF, 0xCFFB);
    set_segment_cache(SS, static_cast<uint16_t>((s.sysenter_cs + 24) | 3), 0, 0xFFFFFFFF, 0xCFF3);
    set_cpl(3);
    s.gpr[ESP] = s.gpr[ECX];
    next_eip = s.gpr[EDX];
    end_block();
}

}  // namespace sandpc
