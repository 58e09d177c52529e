// One i686 CPU: the interpreter, its memory access paths and its system
// state. Handlers (exec_*.h) are free functions that operate on a Cpu; the
// members they use are public but not part of the embedding API, which is
// the block at the top of the class.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "cpu/block_compiler.h"
#include "cpu/cpu_bus.h"
#include "cpu/cpu_state.h"
#include "cpu/fault.h"
#include "cpu/fpu/x87.h"
#include "cpu/insn.h"
#include "cpu/tlb.h"

namespace sandpc {

class StateWriter;
class StateReader;

enum class StopReason : uint8_t {
    kBudget,     // executed the requested number of instructions
    kHalted,     // HLT with nothing to wake it (caller advances time)
    kShutdown,   // triple fault: the machine must reset or stop
    kException,  // stop_on_exception is set and an exception or INT was raised
};

struct CpuConfig {
    // Physical memory below this address is RAM whose decoded code is cached
    // and tracked for self-modifying writes.
    uint32_t ram_size = 0;
};

constexpr unsigned kMaxBlockInsns = 32;

struct DecodedBlock {
    uint32_t phys = 0xFFFFFFFF;
    uint32_t generation = 0;
    uint16_t bytes = 0;
    uint8_t count = 0;
    bool code32 = false;
    uint8_t heat = 0;  // executions counted towards compiling it
    uint32_t native_epoch = 0;
    NativeCode native = nullptr;  // valid while native_epoch is the CPU's
    Insn insns[kMaxBlockInsns];
};

// How blocks ran (for --stats and benchmarks).
struct BlockStats {
    uint64_t compiled = 0;          // blocks handed to the compiler
    uint64_t compiled_insns = 0;    // their instructions
    uint64_t native_runs = 0;       // block executions in native code
    uint64_t interpreted_runs = 0;  // block executions in the interpreter
    uint64_t flushes = 0;           // code space resets
};

class Cpu {
  public:
    // ---- embedding API ----
    Cpu(CpuBus& bus, const CpuConfig& config);
    ~Cpu();
    Cpu(const Cpu&) = delete;
    Cpu& operator=(const Cpu&) = delete;

    void reset();  // power-on / RESET# state
    StopReason run(uint64_t max_instructions);

    void set_intr(bool level) { intr_line_ = level; }
    // Ends run() after the current instruction (a device needs the host to
    // act now: an exit request, a timer armed earlier than the slice end).
    void request_stop() {
        stop_requested_ = true;
        stop_block_ = true;
    }
    void raise_nmi() { nmi_pending_ = true; }
    void set_a20(bool enabled);
    // IGNNE# input (CR0.NE = 0): while asserted, waiting FPU instructions
    // ignore a pending unmasked exception. A PC asserts it on a write to
    // port F0h while FERR# is active and releases it with FERR#.
    void set_ignne(bool asserted) { ignne_ = asserted; }
    bool ferr() const { return ferr_; }
    bool a20() const { return a20_mask_ == 0xFFFFFFFF; }
    // Physical memory changed behind the CPU's back (DMA, the host loading
    // data): drop decoded code for the range.
    void invalidate_physical(uint32_t paddr, uint32_t len);
    uint64_t instruction_count() const { return icount_; }
    // Runs hot blocks as native code from `compiler` (nullptr: interpreter
    // only). The compiler must outlive its use by this CPU.
    // A block is compiled on its `threshold`-th execution (1: at once).
    void set_block_compiler(BlockCompiler* compiler, unsigned threshold = 16);
    bool has_block_compiler() const { return compiler_ != nullptr; }
    const BlockStats& block_stats() const { return block_stats_; }
    void set_instruction_count(uint64_t n) { icount_ = n; }
    // Instead of delivering exceptions and software interrupts through the
    // IVT/IDT, stop and report them (test harnesses, fault reporting). EIP is
    // left at the faulting instruction for faults and after it for traps.
    void set_stop_on_exception(bool on) { stop_on_exception_ = on; }
    const CpuFault& stopped_exception() const { return stopped_exception_; }
    // The reason the CPU entered shutdown (for the host's report).
    const char* shutdown_reason() const { return shutdown_reason_; }

    void save(StateWriter& w) const;
    void load(StateReader& r);

    // ---- state and helpers used by instruction handlers ----
    CpuState s;
    uint32_t next_eip = 0;  // EIP after the executing instruction; branches set it

    CpuMode mode() const {
        if (!(s.cr0 & cr0::PE)) return CpuMode::kReal;
        return (s.eflags & eflags::VM) ? CpuMode::kVirtual8086 : CpuMode::kProtected;
    }
    bool protected_mode() const { return (s.cr0 & cr0::PE) && !(s.eflags & eflags::VM); }
    bool code32() const { return s.seg[CS].big(); }
    bool stack32() const { return s.seg[SS].big(); }
    // CR0.AM, EFLAGS.AC and CPL 3: misaligned data accesses raise #AC(0).
    bool alignment_check_active() const { return align_mask_ != 0; }
    unsigned iopl() const { return (s.eflags >> 12) & 3; }

    // Effective address of the instruction's memory operand (offset in seg).
    uint32_t ea(const Insn& in) const {
        uint32_t a = s.gpr[in.base] + (s.gpr[in.index] << in.scale) + in.disp;
        return in.addr32 ? a : (a & 0xFFFF);
    }

    // Segment-checked data access at seg:offset.
    template <class T>
    T read(unsigned seg, uint32_t off) {
        const SegmentCache& sc = s.seg[seg];
        if (off < sc.valid_lo || uint64_t(off) + sizeof(T) - 1 > sc.valid_hi || !sc.readable)
            segment_fault(seg);
        return read_linear<T>(sc.base + off);
    }
    template <class T>
    void write(unsigned seg, uint32_t off, T v) {
        const SegmentCache& sc = s.seg[seg];
        if (off < sc.valid_lo || uint64_t(off) + sizeof(T) - 1 > sc.valid_hi || !sc.writable)
            segment_fault(seg);
        write_linear<T>(sc.base + off, v);
    }
    // Checks that seg:off..off+len-1 is writable without writing (so a
    // multi-part store can fault before any part is written).
    void check_write(unsigned seg, uint32_t off, unsigned len);
    void check_read(unsigned seg, uint32_t off, unsigned len);

    template <class T>
    T read_linear(uint32_t lin) {
        const TlbEntry& e = tlb_[tlb_index(lin)];
        if ((lin & 0xFFF) <= 0x1000 - sizeof(T) && e.tag_read == ((lin & ~0xFFFu) | user_bit_) &&
            !(lin & align_mask_ & (sizeof(T) - 1))) {
            T v;
            std::memcpy(&v, reinterpret_cast<const void*>(lin + e.addend), sizeof(T));
            return v;
        }
        return static_cast<T>(read_linear_slow(lin, sizeof(T), user_bit_ != 0));
    }
    template <class T>
    void write_linear(uint32_t lin, T v) {
        const TlbEntry& e = tlb_[tlb_index(lin)];
        if ((lin & 0xFFF) <= 0x1000 - sizeof(T) && e.tag_write == ((lin & ~0xFFFu) | user_bit_) &&
            !(lin & align_mask_ & (sizeof(T) - 1))) {
            std::memcpy(reinterpret_cast<void*>(lin + e.addend), &v, sizeof(T));
            return;
        }
        write_linear_slow(lin, sizeof(T), v, user_bit_ != 0);
    }
    // Supervisor-privilege accesses (descriptor tables, TSS), whatever the CPL.
    uint32_t read_linear_sys(uint32_t lin, unsigned size) {
        return read_linear_slow(lin, size, false);
    }
    void write_linear_sys(uint32_t lin, unsigned size, uint32_t v) {
        write_linear_slow(lin, size, v, false);
    }

    // Stack.
    uint32_t stack_pointer_mask() const { return stack32() ? 0xFFFFFFFF : 0xFFFF; }
    template <class T>
    void push(T v) {
        uint32_t mask = stack_pointer_mask();
        uint32_t sp = (s.gpr[ESP] - sizeof(T)) & mask;
        write<T>(SS, sp, v);
        s.gpr[ESP] = (s.gpr[ESP] & ~mask) | sp;
    }
    template <class T>
    T pop() {
        uint32_t mask = stack_pointer_mask();
        uint32_t sp = s.gpr[ESP] & mask;
        T v = read<T>(SS, sp);
        s.gpr[ESP] = (s.gpr[ESP] & ~mask) | ((sp + sizeof(T)) & mask);
        return v;
    }

    // Registers by size.
    uint8_t reg8(unsigned r) const { return static_cast<uint8_t>(s.gpr[r & 3] >> ((r & 4) << 1)); }
    void set_reg8(unsigned r, uint8_t v) {
        unsigned shift = (r & 4) << 1;
        s.gpr[r & 3] = (s.gpr[r & 3] & ~(0xFFu << shift)) | (uint32_t(v) << shift);
    }
    uint16_t reg16(unsigned r) const { return static_cast<uint16_t>(s.gpr[r]); }
    void set_reg16(unsigned r, uint16_t v) { s.gpr[r] = (s.gpr[r] & 0xFFFF0000u) | v; }
    template <class T>
    T reg(unsigned r) const {
        if constexpr (sizeof(T) == 1)
            return reg8(r);
        else if constexpr (sizeof(T) == 2)
            return reg16(r);
        else
            return s.gpr[r];
    }
    template <class T>
    void set_reg(unsigned r, T v) {
        if constexpr (sizeof(T) == 1)
            set_reg8(r, v);
        else if constexpr (sizeof(T) == 2)
            set_reg16(r, v);
        else
            s.gpr[r] = v;
    }

    // Flags (lazy; see flags.cpp).
    uint32_t get_eflags();  // materialized
    void set_eflags(uint32_t value, uint32_t change_mask);
    void materialize_flags();
    bool cf() const;
    bool pf() const;
    bool af() const;
    bool zf() const;
    bool sf() const;
    bool of() const;
    bool condition(unsigned cc) const;  // Jcc/SETcc/CMOVcc condition 0-15
    // Sets OSZAPC eagerly from explicit values.
    void set_arith_flags(uint32_t flags) {
        s.lazy.op = FlagOp::kNone;
        s.eflags = (s.eflags & ~eflags::kArith) | (flags & eflags::kArith);
    }

    // Segments (segmentation.cpp).
    void load_segment(unsigned seg, uint16_t selector);  // MOV/POP/LxS semantics
    void load_segment_real(unsigned seg, uint16_t selector);
    void set_segment_cache(unsigned seg, uint16_t selector, uint32_t base, uint32_t limit,
                           uint16_t attr);
    void update_segment_ranges(unsigned seg);
    [[noreturn]] void segment_fault(unsigned seg);
    uint64_t read_descriptor(uint16_t selector, uint32_t error_code);  // #GP(err) outside table
    bool fetch_descriptor(uint16_t selector, uint64_t& desc);          // false if outside the table
    void set_descriptor_accessed(uint16_t selector);
    void load_code_segment(uint16_t selector, uint64_t desc, unsigned cpl);
    void load_ldtr(uint16_t selector);
    void load_tr(uint16_t selector);

    // Control transfers (control.cpp).
    void far_jump(uint16_t selector, uint32_t offset, bool op32);
    void far_call(uint16_t selector, uint32_t offset, bool op32);
    void far_return(bool op32, uint16_t pop_bytes);
    void interrupt_return(bool op32);
    void software_interrupt(uint8_t vector, unsigned kind);  // kind: InterruptKind
    void task_switch(uint16_t selector, uint64_t desc, unsigned reason, uint32_t return_eip);
    void sysenter();
    void sysexit();

    // Control registers, MSRs, I/O permission (system.cpp).
    void write_cr0(uint32_t v);
    void write_cr3(uint32_t v);
    void write_cr4(uint32_t v);
    void check_io_permission(uint16_t port, unsigned size);
    uint64_t read_msr(uint32_t index);
    void write_msr(uint32_t index, uint64_t value);
    void cpuid();
    uint64_t tsc() const { return icount_ + s.tsc_offset; }
    void set_cpl(unsigned cpl);
    void halt() {
        s.halted = true;
        stop_block_ = true;
    }
    void set_interrupt_shadow() {
        s.interrupt_shadow = true;
        stop_block_ = true;
    }
    // Ends the current block after this instruction (mode or code changed).
    void end_block() { stop_block_ = true; }

    // Paging (paging.cpp).
    void flush_tlb(bool keep_global);
    void invlpg(uint32_t lin);

    CpuBus& bus() { return bus_; }

    // The x87/MMX unit (cpu/fpu) and the FERR# output it drives (exec_fpu.cpp).
    X87 fpu;
    // Drives FERR# to `asserted`, telling the bus on a change.
    void set_ferr(bool asserted) {
        if (asserted != ferr_) {
            ferr_ = asserted;
            bus_.set_ferr(asserted);
        }
    }
    bool ignne() const { return ignne_; }

  private:
    friend class CpuTestAccess;
    struct Translation {
        uint32_t phys;
        bool writable;  // the mapping allows this privilege to write
        bool global;
        bool large;
    };
    enum class Access : uint8_t { kRead, kWrite, kExec };

    uint32_t read_linear_slow(uint32_t lin, unsigned size, bool user);
    void write_linear_slow(uint32_t lin, unsigned size, uint32_t v, bool user);
    uint32_t translate(uint32_t lin, Access access, bool user, bool fill_tlb);
    uint32_t translate_fetch(uint32_t lin);  // TLB hit, else translate()
    Translation walk(uint32_t lin, Access access, bool user);
    uint32_t read_phys32(uint32_t paddr);
    void write_phys32(uint32_t paddr, uint32_t v);
    uint64_t read_phys64(uint32_t paddr);
    void load_pdptes();
    uint32_t read_phys(uint32_t paddr, unsigned size);
    void write_phys(uint32_t paddr, unsigned size, uint32_t v);
    void note_code_write(uint32_t paddr, unsigned size);
    void drop_code_page(uint32_t page);
    // Bits of the 64-byte chunks that [offset, offset + len) touches in a page.
    static uint64_t chunk_bits(uint32_t offset, uint32_t len);
    void update_user_bit();

    // Execution (cpu.cpp).
    void execute_block(uint64_t end);
    bool run_native(DecodedBlock& b);
    NativeLayout native_layout() const;
    static uint32_t native_run_insn(Cpu* cpu, const Insn* in);
    void execute_one();
    DecodedBlock& lookup_block();
    void decode_block(DecodedBlock& b, uint32_t phys);
    void decode_uncached(Insn& in);
    void check_interrupts();

  public:
    // Exception and interrupt delivery (interrupts.cpp).
    void deliver_exception(const CpuFault& f);
    void deliver_interrupt(uint8_t vector, unsigned kind, bool has_error, uint32_t error,
                           uint32_t return_eip);
    void enter_shutdown(const char* why);

  private:
    CpuBus& bus_;
    CpuConfig config_;
    uint64_t icount_ = 0;
    TlbEntry tlb_[kTlbSize];
    uint32_t user_bit_ = 0;
    uint32_t align_mask_ = 0;  // ~0 when alignment checking is active
    uint32_t a20_mask_ = 0xFFFFFFFF;
    uint64_t pdpte_[4] = {};
    bool intr_line_ = false;
    bool nmi_pending_ = false;
    bool stop_block_ = false;
    bool stop_requested_ = false;
    bool shutdown_ = false;
    bool ferr_ = false;
    bool ignne_ = false;
    bool stop_on_exception_ = false;
    bool exception_stopped_ = false;
    CpuFault stopped_exception_{};
    const char* shutdown_reason_ = "";
    // Exception nesting for double/triple fault detection.
    int delivering_ = -1;

    // Decoded-code cache and self-modifying-code tracking.
    std::unique_ptr<DecodedBlock[]> blocks_;
    std::vector<uint32_t> page_generation_;
    // Which bytes of each RAM page hold decoded code: a 64-bit summary (one
    // bit per 64-byte chunk) and, for pages that have held code, a bitmap of
    // bytes. A write drops the page's blocks only when it touches a decoded
    // byte, so data next to code (common in real-mode programs) costs a
    // slow-path write, not a re-decode. A page that has held code stays
    // write-watched (no TLB write entry), so marking it again after an
    // invalidation needs no TLB sweep.
    struct CodeBytes {
        uint64_t bits[64];
    };
    void mark_code(uint32_t page, uint32_t offset, uint32_t len);
    bool touches_code(uint32_t page, uint32_t offset, uint32_t len) const;
    std::vector<uint64_t> code_chunks_;
    std::vector<std::unique_ptr<CodeBytes>> code_bytes_;
    std::vector<uint8_t> write_watched_;
    DecodedBlock scratch_block_;

    // Block compiler (jit/): hot blocks run as native code.
    BlockCompiler* compiler_ = nullptr;
    uint32_t native_epoch_ = 1;  // bumped when the compiler drops its code
    uint8_t compile_threshold_ = 16;
    CpuFault native_fault_{};
    BlockStats block_stats_;
};

// Kinds of interrupt delivery: they differ in privilege checks and EIP.
enum InterruptKind : unsigned {
    kIntException = 0,  // fault or trap raised by the CPU
    kIntHardware = 1,   // external INTR / NMI
    kIntSoftware = 2,   // INT n: gate DPL checked against CPL
    kIntIcebp = 3,      // INT1 / ICEBP
    kIntInt3 = 4,       // INT3: software, gate DPL checked
    kIntInto = 5,       // INTO
};

}  // namespace sandpc
