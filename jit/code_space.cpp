#include "jit/code_space.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sandpc {

CodeSpace::CodeSpace(size_t bytes) : size_(bytes) {
    int fd = memfd_create("sandpc-jit", MFD_CLOEXEC);
    if (fd < 0) {
        error_ = std::string("memfd_create: ") + std::strerror(errno);
        return;
    }
    if (ftruncate(fd, static_cast<off_t>(bytes)) != 0) {
        error_ = std::string("ftruncate: ") + std::strerror(errno);
        close(fd);
        return;
    }
    void* w = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void* x = w == MAP_FAILED ? MAP_FAILED
                              : mmap(nullptr, bytes, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    int saved = errno;
    close(fd);
    if (w == MAP_FAILED || x == MAP_FAILED) {
        if (w != MAP_FAILED) munmap(w, bytes);
        error_ = std::string("mapping code memory: ") + std::strerror(saved);
        return;
    }
    write_ = static_cast<uint8_t*>(w);
    exec_ = static_cast<uint8_t*>(x);
}

CodeSpace::~CodeSpace() {
    if (write_) munmap(write_, size_);
    if (exec_) munmap(exec_, size_);
}

void CodeSpace::commit(size_t bytes) {
    used_ = std::min(size_, (used_ + bytes + 15) & ~size_t(15));
}

}  // namespace sandpc
