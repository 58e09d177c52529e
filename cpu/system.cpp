// Control registers, model-specific registers, CPUID and I/O permission.
#include "cpu/cpu.h"
#include "cpu/cpuid.h"

namespace sandpc {

void Cpu::write_cr0(uint32_t v) {
    // PG without PE, or NW without CD, is a #GP(0).
    if ((v & cr0::PG) && !(v & cr0::PE)) raise_gp(0);
    if ((v & cr0::NW) && !(v & cr0::CD)) raise_gp(0);
    v |= cr0::ET;
    uint32_t changed = s.cr0 ^ v;
    if ((v & cr0::PG) && (changed & cr0::PG) && (s.cr4 & cr4::PAE)) {
        uint32_t old = s.cr0;
        s.cr0 = v;
        try {
            load_pdptes();
        } catch (...) {
            s.cr0 = old;
            throw;
        }
    }
    s.cr0 = v;
    if (changed & (cr0::PG | cr0::WP | cr0::PE)) flush_tlb(false);
    if (changed & (cr0::PE | cr0::AM)) update_user_bit();
    if (changed & cr0::PE) {
        for (unsigned i = 0; i < 6; ++i) update_segment_ranges(i);
    }
    end_block();
}

void Cpu::write_cr3(uint32_t v) {
    if ((s.cr0 & cr0::PG) && (s.cr4 & cr4::PAE)) {
        uint32_t old = s.cr3;
        s.cr3 = v;
        try {
            load_pdptes();
        } catch (...) {
            s.cr3 = old;
            throw;
        }
    }
    s.cr3 = v;
    flush_tlb((s.cr4 & cr4::PGE) != 0);
}

void Cpu::write_cr4(uint32_t v) {
    constexpr uint32_t kSupported = cr4::VME | cr4::PVI | cr4::TSD | cr4::DE | cr4::PSE | cr4::PAE |
                                    cr4::MCE | cr4::PGE | cr4::PCE | cr4::OSFXSR | cr4::OSXMMEXCPT;
    if (v & ~kSupported) raise_gp(0);
    // VME and PVI are not reported by CPUID; they stay writable but inert.
    uint32_t changed = s.cr4 ^ v;
    if ((changed & cr4::PAE) && (s.cr0 & cr0::PG) && (v & cr4::PAE)) {
        uint32_t old = s.cr4;
        s.cr4 = v;
        try {
            load_pdptes();
        } catch (...) {
            s.cr4 = old;
            throw;
        }
    }
    s.cr4 = v;
    if (changed & (cr4::PSE | cr4::PAE | cr4::PGE)) flush_tlb(false);
    end_block();
}

void Cpu::check_io_permission(uint16_t port, unsigned size) {
    CpuMode m = mode();
    if (m == CpuMode::kReal) return;
    if (m == CpuMode::kProtected && s.cpl <= iopl()) return;
    // Consult the TSS I/O permission bitmap (32-bit TSS only).
    bool tss32 = (s.tr.attr & 0xF) == 9 || (s.tr.attr & 0xF) == 11;
    if (!tss32 || s.tr.limit < 0x67) raise_gp(0);
    uint32_t map = read_linear_sys(s.tr.base + 0x66, 2);
    uint32_t byte = map + port / 8;
    if (byte + 1 > s.tr.limit) raise_gp(0);
    uint32_t bits = read_linear_sys(s.tr.base + byte, 2);
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    if (bits & mask) raise_gp(0);
}

void Cpu::cpuid() {
    CpuidResult r = cpuid_leaf(s.gpr[EAX]);
    s.gpr[EAX] = r.eax;
    s.gpr[EBX] = r.ebx;
    s.gpr[ECX] = r.ecx;
    s.gpr[EDX] = r.edx;
}

uint64_t Cpu::read_msr(uint32_t index) {
    switch (index) {
        case 0x10: return tsc();
        case 0x1B: return s.apic_base;
        case 0x174: return s.sysenter_cs;
        case 0x175: return s.sysenter_esp;
        case 0x176: return s.sysenter_eip;
        case 0xFE: return 0x508;  // MTRRcap: 8 variable ranges, fixed ranges, WC
        case 0x2FF: return s.mtrr_def_type;
        case 0x277: return s.pat;
        case 0x250: return s.mtrr_fixed[0];
        case 0x258: return s.mtrr_fixed[1];
        case 0x259: return s.mtrr_fixed[2];
        case 0x17: return 0;  // platform ID
        case 0x8B: return 0;  // microcode signature
        case 0x1A0: return s.misc_enable;
        default: break;
    }
    if (index >= 0x200 && index < 0x210) return s.mtrr_var[index - 0x200];
    if (index >= 0x268 && index < 0x270) return s.mtrr_fixed[3 + index - 0x268];
    uint64_t v;
    if (s.perf.read(index, v) || s.machine_check.read(index, v)) return v;
    raise_gp(0);
}

void Cpu::write_msr(uint32_t index, uint64_t v) {
    switch (index) {
        case 0x10: s.tsc_offset = v - icount_; return;
        case 0x1B: s.apic_base = v & 0xFFFFF900ull; return;
        case 0x174: s.sysenter_cs = static_cast<uint32_t>(v); return;
        case 0x175: s.sysenter_esp = static_cast<uint32_t>(v); return;
        case 0x176: s.sysenter_eip = static_cast<uint32_t>(v); return;
        case 0x2FF: s.mtrr_def_type = v & 0xCFF; return;
        case 0x277: s.pat = v; return;
        case 0x250: s.mtrr_fixed[0] = v; return;
        case 0x258: s.mtrr_fixed[1] = v; return;
        case 0x259: s.mtrr_fixed[2] = v; return;
        case 0x8B: return;
        case 0x1A0: s.misc_enable = v; return;
        default: break;
    }
    if (index >= 0x200 && index < 0x210) {
        s.mtrr_var[index - 0x200] = v;
        return;
    }
    if (index >= 0x268 && index < 0x270) {
        s.mtrr_fixed[3 + index - 0x268] = v;
        return;
    }
    if (s.perf.write(index, v) || s.machine_check.write(index, v)) return;
    raise_gp(0);
}

}  // namespace sandpc
