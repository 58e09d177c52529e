#include "devices/serial_host/stdio_serial_backend.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace sandpc {

StdioSerialBackend::StdioSerialBackend(std::FILE* output, int input_fd)
    : output_(output), input_fd_(input_fd) {}

void StdioSerialBackend::write(std::span<const uint8_t> bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), output_);
    std::fflush(output_);
}

size_t StdioSerialBackend::read(std::span<uint8_t> out) {
    if (input_fd_ < 0 || out.empty()) return 0;
    pollfd p{input_fd_, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return 0;
    ssize_t n = ::read(input_fd_, out.data(), out.size());
    if (n > 0) return size_t(n);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    input_fd_ = -1;  // end of input, or an error that will not go away
    return 0;
}

}  // namespace sandpc
