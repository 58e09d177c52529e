// The execution loop: decoded-block cache, interrupt checks, and the slow
// paths of memory access (TLB misses, page crossings, MMIO, code writes).
#include "cpu/cpu.h"
#include "cpu/cpuid.h"

#include <algorithm>

#include "cpu/decoder.h"
#include "cpu/instruction_table.h"

namespace sandpc {

namespace {
// 8192 blocks (12.8 MB): a Linux boot re-decodes (and the JIT recompiles)
// 40% fewer blocks than with 4096.
constexpr unsigned kBlockCacheSize = 8192;
constexpr unsigned block_index(uint32_t phys) {
    return ((phys >> 2) ^ (phys >> 12)) & (kBlockCacheSize - 1);
}
}  // namespace

uint64_t Cpu::chunk_bits(uint32_t offset, uint32_t len) {
    if (len == 0) return 0;
    uint32_t first = offset >> 6;
    uint32_t last = std::min<uint32_t>(offset + len - 1, 0xFFF) >> 6;
    uint64_t upto_last = last == 63 ? ~0ull : ((1ull << (last + 1)) - 1);
    return upto_last & ~((1ull << first) - 1);
}

Cpu::Cpu(CpuBus& bus, const CpuConfig& config)
    : bus_(bus), config_(config), blocks_(new DecodedBlock[kBlockCacheSize]) {
    size_t pages = (static_cast<size_t>(config.ram_size) + 0xFFF) >> 12;
    page_generation_.assign(pages, 0);
    code_chunks_.assign(pages, 0);
    code_bytes_.resize(pages);
    write_watched_.assign(pages, 0);
    reset();
}

Cpu::~Cpu() = default;

void Cpu::reset() {
    s = CpuState{};
    s.eip = 0xFFF0;
    s.gpr[EDX] = cpuid_leaf(1).eax;  // the processor signature
    for (unsigned i = 0; i < 6; ++i) set_segment_cache(i, 0, 0, 0xFFFF, 0x93);
    set_segment_cache(CS, 0xF000, 0xFFFF0000, 0xFFFF, 0x9B);
    s.gdtr = {0, 0xFFFF};
    s.idtr = {0, 0xFFFF};
    s.ldtr = SegmentCache{};
    s.ldtr.attr = 0x82;
    s.ldtr.limit = 0xFFFF;
    s.tr = SegmentCache{};
    s.tr.attr = 0x8B;
    s.tr.limit = 0xFFFF;
    shutdown_ = false;
    nmi_pending_ = false;
    fpu.reset();
    set_ferr(false);
    ignne_ = false;
    delivering_ = -1;
    a20_mask_ = 0xFFFFFFFF;
    flush_tlb(false);
    update_user_bit();
    for (auto& g : page_generation_) ++g;
}

void Cpu::set_a20(bool enabled) {
    uint32_t mask = enabled ? 0xFFFFFFFF : ~(1u << 20);
    if (mask != a20_mask_) {
        a20_mask_ = mask;
        flush_tlb(false);
        for (auto& g : page_generation_) ++g;
    }
}

void Cpu::update_user_bit() {
    user_bit_ = (s.cpl == 3) ? 1 : 0;
    bool ac = (s.cr0 & cr0::AM) && (s.eflags & eflags::AC) && s.cpl == 3;
    align_mask_ = ac ? 0xFFFFFFFF : 0;
}

void Cpu::set_cpl(unsigned cpl) {
    s.cpl = static_cast<uint8_t>(cpl);
    update_user_bit();
}

// ---- execution ----

StopReason Cpu::run(uint64_t max_instructions) {
    uint64_t end = icount_ + max_instructions;
    exception_stopped_ = false;
    stop_requested_ = false;
    while (icount_ < end) {
        if (stop_requested_) break;
        if (shutdown_) return StopReason::kShutdown;
        if (exception_stopped_) return StopReason::kException;
        check_interrupts();
        if (shutdown_) return StopReason::kShutdown;
        if (s.halted) return StopReason::kHalted;
        try {
            if (s.interrupt_shadow || (s.eflags & eflags::TF)) {
                execute_one();
            } else {
                execute_block(end);
            }
        } catch (const CpuFault& f) {
            deliver_exception(f);
        }
    }
    if (exception_stopped_) return StopReason::kException;
    return shutdown_ ? StopReason::kShutdown : StopReason::kBudget;
}

void Cpu::check_interrupts() {
    if (s.interrupt_shadow) return;
    if (nmi_pending_ && !s.nmi_blocked) {
        nmi_pending_ = false;
        s.halted = false;
        s.nmi_blocked = true;
        try {
            deliver_interrupt(kNmi, kIntHardware, false, 0, s.eip);
        } catch (const CpuFault& f) {
            deliver_exception(f);
        }
        return;
    }
    if (intr_line_ && (s.eflags & eflags::IF)) {
        s.halted = false;
        uint8_t vector = bus_.interrupt_acknowledge();
        try {
            deliver_interrupt(vector, kIntHardware, false, 0, s.eip);
        } catch (const CpuFault& f) {
            deliver_exception(f);
        }
    }
}

void Cpu::execute_one() {
    bool single_step = (s.eflags & eflags::TF) != 0;
    s.interrupt_shadow = false;
    Insn in;
    decode_uncached(in);
    next_eip = code32() ? s.eip + in.len : ((s.eip + in.len) & 0xFFFF);
    stop_block_ = false;
    in.handler(*this, in);
    s.eip = next_eip;
    ++icount_;
    if (single_step && !s.interrupt_shadow && !exception_stopped_) {
        s.dr[6] |= 1u << 14;  // BS
        deliver_interrupt(kDebug, kIntException, false, 0, s.eip);
    }
}

void Cpu::execute_block(uint64_t end) {
    DecodedBlock& b = lookup_block();
    stop_block_ = false;
    // Native code runs whole blocks, so only when the budget allows one.
    if (compiler_ && &b != &scratch_block_ && icount_ + b.count <= end && run_native(b)) return;
    ++block_stats_.interpreted_runs;
    const Insn* in = b.insns;
    const Insn* last = b.insns + b.count;
    uint32_t ip_mask = b.code32 ? 0xFFFFFFFF : 0xFFFF;
    while (in < last) {
        next_eip = (s.eip + in->len) & ip_mask;
        in->handler(*this, *in);
        s.eip = next_eip;
        ++icount_;
        if (stop_block_ || icount_ >= end) break;
        ++in;
    }
}

DecodedBlock& Cpu::lookup_block() {
    const SegmentCache& cs = s.seg[CS];
    uint32_t phys = translate_fetch(cs.base + s.eip);
    bool big = cs.big();
    if (phys < config_.ram_size) {
        DecodedBlock& b = blocks_[block_index(phys)];
        uint32_t page = phys >> 12;
        if (b.phys == phys && b.code32 == big && b.generation == page_generation_[page] &&
            uint64_t(s.eip) + b.bytes - 1 <= cs.limit) {
            return b;
        }
        decode_block(b, phys);
        if (b.count > 0) {
            b.phys = phys;
            b.generation = page_generation_[page];
            b.native = nullptr;
            b.heat = 0;
            mark_code(page, phys & 0xFFF, b.bytes);
            if (!write_watched_[page]) {
                write_watched_[page] = 1;
                // Writes to this page must now take the slow path.
                for (TlbEntry& e : tlb_)
                    if (e.phys_page == (phys & ~0xFFFu) && e.tag_write != kTlbInvalidTag) {
                        e.tag_watched = e.tag_write;
                        e.tag_write = kTlbInvalidTag;
                    }
            }
            return b;
        }
    }
    // Uncached: code outside RAM, or an instruction crossing a page or the
    // segment limit.
    DecodedBlock& b = scratch_block_;
    decode_block(b, phys);
    if (b.count == 0) {
        decode_uncached(b.insns[0]);
        b.count = 1;
        b.bytes = b.insns[0].len;
    }
    b.phys = 0xFFFFFFFF;
    return b;
}

void Cpu::set_block_compiler(BlockCompiler* compiler, unsigned threshold) {
    compiler_ = compiler;
    compile_threshold_ = static_cast<uint8_t>(std::clamp(threshold, 1u, 255u));
    ++native_epoch_;
}

NativeLayout Cpu::native_layout() const {
    auto offset = [this](const void* field) {
        return static_cast<int32_t>(static_cast<const char*>(field) -
                                    reinterpret_cast<const char*>(this));
    };
    NativeLayout l;
    l.gpr = offset(&s.gpr[0]);
    l.eip = offset(&s.eip);
    l.next_eip = offset(&next_eip);
    l.lazy = offset(&s.lazy);
    l.icount = offset(&icount_);
    l.stop_block = offset(&stop_block_);
    l.seg = offset(&s.seg[0]);
    l.tlb = offset(&tlb_[0]);
    l.user_bit = offset(&user_bit_);
    l.align_mask = offset(&align_mask_);
    l.run_insn = &Cpu::native_run_insn;
    l.condition = [](const Cpu* c, unsigned cc) { return c->condition(cc); };
    l.carry = [](const Cpu* c) { return c->cf(); };
    return l;
}

uint32_t Cpu::native_run_insn(Cpu* cpu, const Insn* in) {
    try {
        in->handler(*cpu, *in);
    } catch (const CpuFault& f) {
        cpu->native_fault_ = f;
        return kNativeFault;
    }
    return kNativeDone;
}

// Runs the block as native code if it has (or now gets) some; false leaves
// it to the interpreter.
bool Cpu::run_native(DecodedBlock& b) {
    if (b.native_epoch != native_epoch_ || !b.native) {
        if (b.native_epoch != native_epoch_) {
            b.native_epoch = native_epoch_;
            b.native = nullptr;
            b.heat = 0;
        }
        if (++b.heat < compile_threshold_) return false;
        b.heat = 0;
        NativeLayout layout = native_layout();
        b.native = compiler_->compile(b, layout);
        if (!b.native) {
            compiler_->flush();
            ++block_stats_.flushes;
            b.native_epoch = ++native_epoch_;
            b.native = compiler_->compile(b, layout);
            if (!b.native) return false;
        }
        ++block_stats_.compiled;
        block_stats_.compiled_insns += b.count;
    }
    ++block_stats_.native_runs;
    if (b.native(this) == kNativeFault) throw native_fault_;
    return true;
}

// Decodes instructions that lie wholly inside the page and the CS limit.
void Cpu::decode_block(DecodedBlock& b, uint32_t phys) {
    b.count = 0;
    b.bytes = 0;
    b.code32 = code32();
    b.phys = 0xFFFFFFFF;
    const uint8_t* page = bus_.page_pointer(phys & ~0xFFFu, false);
    if (!page) return;
    const SegmentCache& cs = s.seg[CS];
    uint32_t offset = phys & 0xFFF;
    uint32_t eip = s.eip;
    while (b.count < kMaxBlockInsns) {
        uint64_t limit_room = uint64_t(cs.limit) - eip + 1;
        if (eip > cs.limit) break;
        unsigned avail = static_cast<unsigned>(std::min<uint64_t>(0x1000 - offset, limit_room));
        Insn& in = b.insns[b.count];
        unsigned len = decode_instruction(page + offset, avail, b.code32, in);
        if (len == 0) break;
        ++b.count;
        b.bytes = static_cast<uint16_t>(b.bytes + len);
        offset += len;
        eip += len;
        if (!b.code32 && eip > 0xFFFF) break;
        if (offset >= 0x1000) break;
        if (in.info->has(attr::kBranch | attr::kEndsBlock | attr::kInvalid)) break;
    }
}

// Decodes one instruction byte by byte through the fetch path, so a fault on
// the second page or past the CS limit happens exactly where the bytes are.
void Cpu::decode_uncached(Insn& in) {
    uint8_t buf[kMaxInsnLength];
    unsigned have = 0;
    const SegmentCache& cs = s.seg[CS];
    for (;;) {
        unsigned len = decode_instruction(buf, have, code32(), in);
        if (len != 0) return;
        uint32_t eip = code32() ? s.eip + have : ((s.eip + have) & 0xFFFF);
        if (eip > cs.limit) raise_gp(0);
        uint32_t phys = translate_fetch(cs.base + eip);
        buf[have++] = static_cast<uint8_t>(read_phys(phys, 1));
    }
}

// ---- memory slow paths ----

uint32_t Cpu::translate_fetch(uint32_t lin) {
    // Any TLB entry for this privilege serves a fetch: a P6 has no execute
    // permission separate from read.
    const TlbEntry& e = tlb_[tlb_index(lin)];
    if (e.tag_read == ((lin & ~0xFFFu) | user_bit_)) return e.phys_page | (lin & 0xFFF);
    return translate(lin, Access::kExec, user_bit_ != 0, true);
}

namespace {
// Physical address of byte i of an access at lin that crosses into the next
// page; p0 translates lin, p1 the start of the next page.
uint32_t crossing_byte(uint32_t lin, uint32_t p0, uint32_t p1, unsigned i) {
    unsigned first = 0x1000 - (lin & 0xFFF);
    return i < first ? p0 + i : p1 + (i - first);
}
}  // namespace

uint32_t Cpu::read_phys(uint32_t paddr, unsigned size) {
    paddr &= a20_mask_;
    if (const uint8_t* page = bus_.page_pointer(paddr & ~0xFFFu, false)) {
        uint32_t v = 0;
        std::memcpy(&v, page + (paddr & 0xFFF), size);
        return v;
    }
    return bus_.mmio_read(paddr, size);
}

void Cpu::write_phys(uint32_t paddr, unsigned size, uint32_t v) {
    paddr &= a20_mask_;
    note_code_write(paddr, size);
    if (uint8_t* page = bus_.page_pointer(paddr & ~0xFFFu, true)) {
        std::memcpy(page + (paddr & 0xFFF), &v, size);
        return;
    }
    bus_.mmio_write(paddr, size, v);
}

void Cpu::mark_code(uint32_t page, uint32_t offset, uint32_t len) {
    code_chunks_[page] |= chunk_bits(offset, len);
    auto& bytes = code_bytes_[page];
    if (!bytes) bytes = std::make_unique<CodeBytes>();
    for (uint32_t i = offset; i < offset + len && i < 0x1000; ++i)
        bytes->bits[i >> 6] |= 1ull << (i & 63);
}

bool Cpu::touches_code(uint32_t page, uint32_t offset, uint32_t len) const {
    if (!(code_chunks_[page] & chunk_bits(offset, len))) return false;
    const CodeBytes& bytes = *code_bytes_[page];
    for (uint32_t i = offset; i < offset + len && i < 0x1000; ++i)
        if (bytes.bits[i >> 6] & (1ull << (i & 63))) return true;
    return false;
}

void Cpu::note_code_write(uint32_t paddr, unsigned size) {
    uint32_t page = paddr >> 12;
    if (page < code_chunks_.size() && touches_code(page, paddr & 0xFFF, size)) drop_code_page(page);
}

void Cpu::drop_code_page(uint32_t page) {
    code_chunks_[page] = 0;
    if (code_bytes_[page]) *code_bytes_[page] = CodeBytes{};
    ++page_generation_[page];
    stop_block_ = true;  // the running block may be the one written
}

void Cpu::invalidate_physical(uint32_t paddr, uint32_t len) {
    if (len == 0) return;
    uint64_t end = uint64_t(paddr) + len;
    for (uint64_t p = paddr >> 12; (p << 12) < end && p < code_chunks_.size(); ++p) {
        uint64_t from = std::max<uint64_t>(paddr, p << 12);
        uint64_t to = std::min<uint64_t>(end, (p + 1) << 12);
        if (touches_code(uint32_t(p), uint32_t(from & 0xFFF), uint32_t(to - from)))
            drop_code_page(uint32_t(p));
    }
}

uint32_t Cpu::read_linear_slow(uint32_t lin, unsigned size, bool user) {
    if (align_mask_ && user && (lin & (size - 1))) raise_fault(kAlignmentCheck, 0);
    if ((lin & 0xFFF) + size > 0x1000) {
        // Crosses a page: translate both pages before reading either.
        uint32_t p0 = translate(lin, Access::kRead, user, false);
        uint32_t p1 = translate((lin | 0xFFF) + 1, Access::kRead, user, false);
        uint32_t v = 0;
        for (unsigned i = 0; i < size; ++i)
            v |= read_phys(crossing_byte(lin, p0, p1, i), 1) << (8 * i);
        return v;
    }
    uint32_t phys = translate(lin, Access::kRead, user, true);
    return read_phys(phys, size);
}

void Cpu::write_linear_slow(uint32_t lin, unsigned size, uint32_t v, bool user) {
    if (align_mask_ && user && (lin & (size - 1))) raise_fault(kAlignmentCheck, 0);
    if ((lin & 0xFFF) + size > 0x1000) {
        uint32_t p0 = translate(lin, Access::kWrite, user, false);
        uint32_t p1 = translate((lin | 0xFFF) + 1, Access::kWrite, user, false);
        for (unsigned i = 0; i < size; ++i)
            write_phys(crossing_byte(lin, p0, p1, i), 1, (v >> (8 * i)) & 0xFF);
        return;
    }
    const TlbEntry& e = tlb_[tlb_index(lin)];
    if (e.tag_watched == ((lin & ~0xFFFu) | (user ? 1u : 0u))) {
        note_code_write(e.phys_page | (lin & 0xFFF), size);
        std::memcpy(reinterpret_cast<void*>(lin + e.addend), &v, size);
        return;
    }
    uint32_t phys = translate(lin, Access::kWrite, user, true);
    write_phys(phys, size, v);
}

void Cpu::check_write(unsigned seg, uint32_t off, unsigned len) {
    const SegmentCache& sc = s.seg[seg];
    if (off < sc.valid_lo || uint64_t(off) + len - 1 > sc.valid_hi || !sc.writable)
        segment_fault(seg);
    uint32_t lin = sc.base + off;
    translate(lin, Access::kWrite, user_bit_ != 0, false);
    translate(lin + len - 1, Access::kWrite, user_bit_ != 0, false);
}

void Cpu::check_read(unsigned seg, uint32_t off, unsigned len) {
    const SegmentCache& sc = s.seg[seg];
    if (off < sc.valid_lo || uint64_t(off) + len - 1 > sc.valid_hi || !sc.readable)
        segment_fault(seg);
    uint32_t lin = sc.base + off;
    translate(lin, Access::kRead, user_bit_ != 0, false);
    translate(lin + len - 1, Access::kRead, user_bit_ != 0, false);
}

}  // namespace sandpc
