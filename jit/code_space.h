// Memory for generated code, never writable and executable at once: one
// shared memory object mapped twice, a writable view where code is emitted
// and an executable view where it runs (W^X). Hosts that refuse the second
// mapping get no code space, and the CPU stays on the interpreter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sandpc {

class CodeSpace {
  public:
    explicit CodeSpace(size_t bytes);
    ~CodeSpace();
    CodeSpace(const CodeSpace&) = delete;
    CodeSpace& operator=(const CodeSpace&) = delete;

    bool ok() const { return exec_ != nullptr; }
    // Why there is no code space (when !ok()).
    const std::string& error() const { return error_; }

    size_t size() const { return size_; }
    size_t used() const { return used_; }
    size_t free_bytes() const { return size_ - used_; }
    // Where the next code goes: write through write_ptr(), run at exec_ptr().
    uint8_t* write_ptr() { return write_ + used_; }
    const uint8_t* exec_ptr() const { return exec_ + used_; }
    // Claims `bytes` just written at write_ptr() (16-byte aligned next start).
    void commit(size_t bytes);
    void reset() { used_ = 0; }

  private:
    uint8_t* write_ = nullptr;
    uint8_t* exec_ = nullptr;
    size_t size_ = 0;
    size_t used_ = 0;
    std::string error_;
};

}  // namespace sandpc
