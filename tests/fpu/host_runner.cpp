#include "tests/fpu/host_runner.h"

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>

namespace sandpc::test {

HostRunner::HostRunner() : size_(1 << 20) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("mmap failed");
    code_ = static_cast<uint8_t*>(p);
}

HostRunner::~HostRunner() {
    munmap(code_, size_);
}

size_t HostRunner::add(const std::vector<uint8_t>& insn) {
    static const uint8_t kPrologue[] = {
        0x48, 0x8b, 0x02,  // mov rax, [rdx]
        0xff, 0x72, 0x08,  // push qword [rdx+8]
        0x9d,              // popfq
        0xdd, 0x27,        // frstor [rdi]
    };
    static const uint8_t kEpilogue[] = {
        0xdd, 0x37,        // fnsave [rdi]
        0x9c,              // pushfq
        0x8f, 0x42, 0x10,  // pop qword [rdx+16]
        0x48, 0x89, 0x02,  // mov [rdx], rax
        0xc3,              // ret
    };
    size_t need = sizeof kPrologue + insn.size() + sizeof kEpilogue + 16;
    if (used_ + need > size_) throw std::runtime_error("code buffer full");
    size_t start = used_;
    uint8_t* p = code_ + used_;
    std::memcpy(p, kPrologue, sizeof kPrologue);
    p += sizeof kPrologue;
    insn_offsets_.push_back(static_cast<size_t>(p - code_));
    std::memcpy(p, insn.data(), insn.size());
    p += insn.size();
    std::memcpy(p, kEpilogue, sizeof kEpilogue);
    p += sizeof kEpilogue;
    used_ = (static_cast<size_t>(p - code_) + 15) & ~size_t{15};
    starts_.push_back(start);
    return starts_.size() - 1;
}

void HostRunner::finalize() {
    if (mprotect(code_, size_, PROT_READ | PROT_EXEC) != 0)
        throw std::runtime_error("mprotect failed");
}

void HostRunner::run(size_t idx, uint8_t* img108, uint8_t* mem, HostCtx& ctx) const {
    using Fn = void (*)(uint8_t*, uint8_t*, HostCtx*);
    auto fn = reinterpret_cast<Fn>(code_ + starts_.at(idx));
    ctx.rflags_in = (ctx.rflags_in & 0x8d5) | 2;
    fn(img108, mem, &ctx);
}

uint64_t HostRunner::insn_address(size_t idx) const {
    return reinterpret_cast<uint64_t>(code_ + insn_offsets_.at(idx));
}

}  // namespace sandpc::test
