// An open host file with positional I/O that either completes or throws.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sandpc {

class HostFile {
  public:
    enum class Mode { read_only, read_write, create_new, create_or_truncate };

    HostFile() = default;
    HostFile(const std::string& path, Mode mode);
    // Takes ownership of an already open descriptor (e.g. an unlinked temp file).
    HostFile(int fd, std::string name) : fd_(fd), path_(std::move(name)) {}
    HostFile(HostFile&& other) noexcept;
    HostFile& operator=(HostFile&& other) noexcept;
    HostFile(const HostFile&) = delete;
    HostFile& operator=(const HostFile&) = delete;
    ~HostFile();

    bool is_open() const { return fd_ >= 0; }
    const std::string& path() const { return path_; }
    int fd() const { return fd_; }

    // Reads exactly out.size() bytes; bytes past the end of the file read as zero.
    void read_at(uint64_t offset, std::span<uint8_t> out) const;
    void write_at(uint64_t offset, std::span<const uint8_t> data);
    uint64_t size() const;
    void resize(uint64_t size);
    void sync();  // fdatasync

  private:
    [[noreturn]] void fail(const char* what) const;

    int fd_ = -1;
    std::string path_;
};

}  // namespace sandpc
