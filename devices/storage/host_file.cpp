#include "devices/storage/host_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "devices/storage/block_backend.h"

namespace sandpc {

HostFile::HostFile(const std::string& path, Mode mode) : path_(path) {
    int flags = O_CLOEXEC;
    switch (mode) {
        case Mode::read_only: flags |= O_RDONLY; break;
        case Mode::read_write: flags |= O_RDWR; break;
        case Mode::create_new: flags |= O_RDWR | O_CREAT | O_EXCL; break;
        case Mode::create_or_truncate: flags |= O_RDWR | O_CREAT | O_TRUNC; break;
    }
    fd_ = ::open(path.c_str(), flags, 0644);
    if (fd_ < 0) fail("cannot open");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("cannot stat");
    if (S_ISDIR(st.st_mode)) {
        ::close(fd_);
        fd_ = -1;
        throw BlockError(path_ + ": is a directory");
    }
}

HostFile::HostFile(HostFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

HostFile& HostFile::operator=(HostFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

HostFile::~HostFile() {
    if (fd_ >= 0) ::close(fd_);
}

void HostFile::fail(const char* what) const {
    throw BlockError(path_ + ": " + what + ": " + std::strerror(errno));
}

void HostFile::read_at(uint64_t offset, std::span<uint8_t> out) const {
    size_t done = 0;
    while (done < out.size()) {
        ssize_t n =
            ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("read failed");
        }
        if (n == 0) {
            std::memset(out.data() + done, 0, out.size() - done);
            return;
        }
        done += static_cast<size_t>(n);
    }
}

void HostFile::write_at(uint64_t offset, std::span<const uint8_t> data) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                             static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write failed");
        }
        done += static_cast<size_t>(n);
    }
}

uint64_t HostFile::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("cannot stat");
    if (S_ISBLK(st.st_mode)) {
        off_t end = ::lseek(fd_, 0, SEEK_END);
        if (end < 0) fail("cannot seek");
        return static_cast<uint64_t>(end);
    }
    return static_cast<uint64_t>(st.st_size);
}

void HostFile::resize(uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("cannot resize");
}

void HostFile::sync() {
    if (::fdatasync(fd_) != 0) fail("flush to disk failed");
}

}  // namespace sandpc
