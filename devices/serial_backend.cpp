#include "devices/serial_backend.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sandpc {

void OstreamSerialBackend::write(std::span<const uint8_t> bytes) {
    out_.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    out_.flush();
}

FileSerialBackend::FileSerialBackend(const std::string& path, bool append)
    : file_(std::fopen(path.c_str(), append ? "ab" : "wb")) {
    if (!file_) {
        throw std::runtime_error("serial: cannot open '" + path + "': " + std::strerror(errno));
    }
}

FileSerialBackend::~FileSerialBackend() {
    std::fclose(file_);
}

void FileSerialBackend::write(std::span<const uint8_t> bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), file_);
    std::fflush(file_);
}

}  // namespace sandpc
