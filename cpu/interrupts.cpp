// Exception and interrupt delivery: real-mode IVT, protected-mode IDT gates
// (interrupt, trap, task) with privilege changes and virtual-8086 frames,
// and the double/triple fault rules.
#include "cpu/cpu.h"
#include "cpu/descriptor.h"

namespace sandpc {

namespace {

enum class FaultClass { kBenign, kContributory, kPageFault };

FaultClass classify(uint8_t v) {
    if (v == 0 || (v >= 10 && v <= 13)) return FaultClass::kContributory;
    if (v == kPageFault) return FaultClass::kPageFault;
    return FaultClass::kBenign;
}

bool causes_double_fault(uint8_t first, uint8_t second) {
    FaultClass a = classify(first), b = classify(second);
    if (a == FaultClass::kContributory) return b == FaultClass::kContributory;
    if (a == FaultClass::kPageFault) return b != FaultClass::kBenign;
    return false;
}

}  // namespace

void Cpu::enter_shutdown(const char* why) {
    shutdown_ = true;
    shutdown_reason_ = why;
    stop_block_ = true;
}

void Cpu::deliver_exception(const CpuFault& first) {
    CpuFault f = first;
    s.halted = false;
    s.interrupt_shadow = false;
    for (int depth = 0; depth < 4; ++depth) {
        int prev = delivering_;
        if (prev == kDoubleFault && classify(f.vector) != FaultClass::kBenign) {
            delivering_ = -1;
            enter_shutdown("triple fault");
            return;
        }
        if (prev >= 0 && causes_double_fault(static_cast<uint8_t>(prev), f.vector)) {
            f = CpuFault{kDoubleFault, true, 0};
        }
        delivering_ = f.vector;
        try {
            deliver_interrupt(f.vector, kIntException, f.has_error_code, f.error_code, s.eip);
            delivering_ = -1;
            return;
        } catch (const CpuFault& nested) {
            f = nested;
        }
    }
    delivering_ = -1;
    enter_shutdown("triple fault");
}

void Cpu::deliver_interrupt(uint8_t vector, unsigned kind, bool has_error, uint32_t error,
                            uint32_t return_eip) {
    s.halted = false;
    end_block();
    if (stop_on_exception_ && kind != kIntHardware) {
        stopped_exception_ = CpuFault{vector, has_error, error};
        exception_stopped_ = true;
        s.eip = next_eip = return_eip;
        return;
    }
    uint32_t flags = get_eflags();
    bool ext = kind == kIntException || kind == kIntHardware;
    bool software = kind == kIntSoftware || kind == kIntInt3 || kind == kIntInto;

    if (!(s.cr0 & cr0::PE)) {
        uint32_t entry = vector * 4u;
        if (entry + 3 > s.idtr.limit) raise_gp(0);
        uint16_t ip = static_cast<uint16_t>(read_linear_sys(s.idtr.base + entry, 2));
        uint16_t cs = static_cast<uint16_t>(read_linear_sys(s.idtr.base + entry + 2, 2));
        uint32_t sp = s.gpr[ESP] & 0xFFFF;
        check_write(SS, (sp - 6) & 0xFFFF, 2);
        check_write(SS, (sp - 2) & 0xFFFF, 2);
        push<uint16_t>(static_cast<uint16_t>(flags));
        push<uint16_t>(s.seg[CS].selector);
        push<uint16_t>(static_cast<uint16_t>(return_eip));
        s.eflags &= ~(eflags::IF | eflags::TF | eflags::AC | eflags::RF);
        load_segment_real(CS, cs);
        s.eip = next_eip = ip;
        return;
    }

    uint32_t ext_bit = ext ? 1 : 0;
    uint32_t gate_err = vector * 8u + 2 + ext_bit;
    if (vector * 8u + 7 > s.idtr.limit) raise_gp(gate_err);
    Descriptor gate{uint64_t(read_linear_sys(s.idtr.base + vector * 8u, 4)) |
                    (uint64_t(read_linear_sys(s.idtr.base + vector * 8u + 4, 4)) << 32)};
    unsigned type = gate.type();
    if (!gate.system() || !(type == kTaskGate || type == kIntGate16 || type == kTrapGate16 ||
                            type == kIntGate32 || type == kTrapGate32)) {
        raise_gp(gate_err);
    }
    if (software && gate.dpl() < s.cpl) raise_gp(gate_err);
    if (!gate.present()) raise_fault(kSegmentNotPresent, gate_err);

    if (type == kTaskGate) {
        // The TSS must be in the GDT; a nested switch like CALL (SDM INT n
        // pseudocode, TASK-GATE).
        uint16_t tss_sel = gate.gate_selector();
        uint32_t tss_err = (tss_sel & 0xFFFC) | ext_bit;
        uint64_t tss_desc;
        if ((tss_sel & 4) || !fetch_descriptor(tss_sel, tss_desc)) raise_gp(tss_err);
        task_switch(tss_sel, tss_desc, kTaskSwitchCall, return_eip);
        if (has_error) {
            // The error code is as wide as the new task's TSS.
            bool tss32 = (s.tr.attr & 8) != 0;
            if (tss32)
                push<uint32_t>(error);
            else
                push<uint16_t>(static_cast<uint16_t>(error));
        }
        return;
    }

    uint16_t cs_sel = gate.gate_selector();
    uint32_t offset = gate.gate_offset();
    bool gate32 = type & 8;
    if ((cs_sel & 0xFFFC) == 0) raise_gp(ext_bit);
    uint64_t raw_cs;
    if (!fetch_descriptor(cs_sel, raw_cs)) raise_gp((cs_sel & 0xFFFC) | ext_bit);
    Descriptor cs{raw_cs};
    if (!cs.code() || cs.dpl() > s.cpl) raise_gp((cs_sel & 0xFFFC) | ext_bit);
    if (!cs.present()) raise_fault(kSegmentNotPresent, (cs_sel & 0xFFFC) | ext_bit);
    if (offset > cs.limit()) raise_gp(ext_bit);

    bool v86 = (flags & eflags::VM) != 0;
    bool inner = !cs.conforming() && cs.dpl() < s.cpl;
    if (v86 && (!inner || cs.dpl() != 0)) raise_gp((cs_sel & 0xFFFC) | ext_bit);

    unsigned new_cpl = inner ? cs.dpl() : s.cpl;
    // The frame, in push order.
    uint32_t frame[11];
    unsigned n = 0;
    SegmentCache new_ss = s.seg[SS];
    uint16_t new_ss_sel = s.seg[SS].selector;
    uint32_t esp = s.gpr[ESP];
    if (inner) {
        // New stack from the TSS for the target privilege level.
        bool tss32 = (s.tr.attr & 0xF) == kTss32Busy || (s.tr.attr & 0xF) == kTss32Available;
        uint32_t slot = tss32 ? 4 + new_cpl * 8 : 2 + new_cpl * 4;
        uint32_t tr_err = (s.tr.selector & 0xFFFC) | ext_bit;
        if (slot + (tss32 ? 5 : 3) > s.tr.limit) raise_fault(kInvalidTss, tr_err);
        uint32_t new_esp =
            tss32 ? read_linear_sys(s.tr.base + slot, 4) : read_linear_sys(s.tr.base + slot, 2);
        new_ss_sel = static_cast<uint16_t>(read_linear_sys(s.tr.base + slot + (tss32 ? 4 : 2), 2));
        uint32_t ss_err = (new_ss_sel & 0xFFFC) | ext_bit;
        if ((new_ss_sel & 0xFFFC) == 0) raise_fault(kInvalidTss, ext_bit);
        if ((new_ss_sel & 3) != new_cpl) raise_fault(kInvalidTss, ss_err);
        uint64_t raw_ss;
        if (!fetch_descriptor(new_ss_sel, raw_ss)) raise_fault(kInvalidTss, ss_err);
        Descriptor ssd{raw_ss};
        if (!ssd.writable() || ssd.dpl() != new_cpl) raise_fault(kInvalidTss, ss_err);
        if (!ssd.present()) raise_fault(kStackFault, ss_err);
        new_ss.selector = new_ss_sel;
        new_ss.base = ssd.base();
        new_ss.limit = ssd.limit();
        new_ss.attr = ssd.attr();
        new_ss.usable = true;
        esp = new_esp;
        if (v86) {
            frame[n++] = s.seg[GS].selector;
            frame[n++] = s.seg[FS].selector;
            frame[n++] = s.seg[DS].selector;
            frame[n++] = s.seg[ES].selector;
        }
        frame[n++] = s.seg[SS].selector;
        frame[n++] = s.gpr[ESP];
    }
    frame[n++] = flags;
    frame[n++] = s.seg[CS].selector;
    frame[n++] = return_eip;
    if (has_error) frame[n++] = error;

    // Check the whole frame fits and is writable before pushing anything.
    unsigned word = gate32 ? 4 : 2;
    bool big = (new_ss.attr & seg_attr::kDefaultBig) != 0;
    uint32_t sp_mask = big ? 0xFFFFFFFF : 0xFFFF;
    uint32_t frame_bytes = n * word;
    uint32_t top = (esp - frame_bytes) & sp_mask;
    bool expand_down = new_ss.attr & seg_attr::kExpandDown;
    uint32_t hi = expand_down ? (big ? 0xFFFFFFFF : 0xFFFF) : new_ss.limit;
    uint32_t lo = expand_down ? new_ss.limit + 1 : 0;
    uint32_t ss_fault = inner ? ((new_ss_sel & 0xFFFC) | ext_bit) : 0;
    if (top < lo || uint64_t(top) + frame_bytes - 1 > hi) raise_fault(kStackFault, ss_fault);
    bool user_stack = new_cpl == 3;
    for (uint32_t off = 0; off < frame_bytes; off += word) {
        uint32_t lin = new_ss.base + ((top + off) & sp_mask);
        translate(lin, Access::kWrite, user_stack, false);
    }
    for (unsigned i = 0; i < n; ++i) {
        esp = (esp - word) & sp_mask;
        uint32_t lin = new_ss.base + esp;
        if (user_stack) {
            if (word == 4)
                write_linear<uint32_t>(lin, frame[i]);
            else
                write_linear<uint16_t>(lin, static_cast<uint16_t>(frame[i]));
        } else {
            write_linear_sys(lin, word, frame[i]);
        }
    }

    // Commit.
    if (inner) {
        if (v86) {
            for (unsigned seg : {ES, DS, FS, GS}) {
                s.seg[seg].selector = 0;
                s.seg[seg].usable = false;
            }
        }
        s.eflags &= ~(eflags::VM | eflags::TF | eflags::NT | eflags::RF);
        if (!(type & 1)) s.eflags &= ~eflags::IF;
        load_code_segment(cs_sel, raw_cs, new_cpl);
        s.seg[SS] = new_ss;
        update_segment_ranges(SS);
        for (unsigned seg : {ES, DS, FS, GS}) update_segment_ranges(seg);
        s.gpr[ESP] = big ? esp : ((s.gpr[ESP] & 0xFFFF0000u) | (esp & 0xFFFF));
    } else {
        s.eflags &= ~(eflags::VM | eflags::TF | eflags::NT | eflags::RF);
        if (!(type & 1)) s.eflags &= ~eflags::IF;
        load_code_segment(cs_sel, raw_cs, new_cpl);
        s.gpr[ESP] = big ? esp : ((s.gpr[ESP] & 0xFFFF0000u) | (esp & 0xFFFF));
    }
    if (!gate32) offset &= 0xFFFF;
    s.eip = next_eip = offset;
    update_user_bit();
}

}  // namespace sandpc
