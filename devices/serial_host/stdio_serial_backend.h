// A serial port's host end on the process's standard streams: output to a
// stdio FILE (flushed per write), input from a file descriptor (stdin for
// -serial stdio), read only when poll() says bytes are there, so the machine
// never blocks. End of input (a pipe closed, a file read to its end) stops
// input; a terminal stays in its normal mode, so it delivers whole lines.
#pragma once
#include <cstdio>

#include "devices/serial_backend.h"

namespace sandpc {

class StdioSerialBackend final : public SerialBackend {
  public:
    // input_fd -1: output only (the descriptor is never read). The stream
    // and the descriptor are not closed.
    StdioSerialBackend(std::FILE* output, int input_fd);

    void write(std::span<const uint8_t> bytes) override;
    size_t read(std::span<uint8_t> out) override;
    bool input_open() const override { return input_fd_ >= 0; }

  private:
    std::FILE* output_;
    int input_fd_;
};

}  // namespace sandpc
