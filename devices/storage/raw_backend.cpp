#include "devices/storage/raw_backend.h"

namespace sandpc {

RawBackend::RawBackend(HostFile file, bool writable)
    : file_(std::move(file)), writable_(writable), size_(file_.size()) {}

std::unique_ptr<RawBackend> RawBackend::open(const std::string& path, bool writable) {
    HostFile file(path, writable ? HostFile::Mode::read_write : HostFile::Mode::read_only);
    return std::unique_ptr<RawBackend>(new RawBackend(std::move(file), writable));
}

std::unique_ptr<RawBackend> RawBackend::create(const std::string& path, uint64_t size) {
    HostFile file(path, HostFile::Mode::create_new);
    file.resize(size);
    return std::unique_ptr<RawBackend>(new RawBackend(std::move(file), true));
}

std::string RawBackend::describe() const {
    return "raw " + file_.path() + (writable_ ? "" : " (read-only)");
}

void RawBackend::read(uint64_t offset, std::span<uint8_t> out) {
    check_range(offset, out.size());
    file_.read_at(offset, out);
}

void RawBackend::write(uint64_t offset, std::span<const uint8_t> data) {
    check_writable();
    check_range(offset, data.size());
    file_.write_at(offset, data);
}

void RawBackend::flush() {
    if (writable_) file_.sync();
}

}  // namespace sandpc
