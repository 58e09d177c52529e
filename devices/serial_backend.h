// Where a serial port's (or debug port's) output bytes go. Input travels the
// other way: the host pushes bytes into the device (Uart16550::receive), on
// the machine's thread. Implementations here: callback, ostream, file, null.
// A socket backend is not written yet.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <ostream>
#include <span>
#include <string>

namespace sandpc {

class SerialBackend {
  public:
    virtual ~SerialBackend() = default;
    virtual void write(std::span<const uint8_t> bytes) = 0;
    void write_byte(uint8_t b) { write(std::span<const uint8_t>(&b, 1)); }
};

class NullSerialBackend final : public SerialBackend {
  public:
    void write(std::span<const uint8_t>) override {}
};

class CallbackSerialBackend final : public SerialBackend {
  public:
    explicit CallbackSerialBackend(std::function<void(std::span<const uint8_t>)> fn)
        : fn_(std::move(fn)) {}
    void write(std::span<const uint8_t> bytes) override { fn_(bytes); }

  private:
    std::function<void(std::span<const uint8_t>)> fn_;
};

class OstreamSerialBackend final : public SerialBackend {
  public:
    explicit OstreamSerialBackend(std::ostream& out) : out_(out) {}
    void write(std::span<const uint8_t> bytes) override;

  private:
    std::ostream& out_;
};

// Appends to (or truncates) a host file; throws std::runtime_error if it
// cannot be opened. Each write is flushed so a crash loses nothing.
class FileSerialBackend final : public SerialBackend {
  public:
    FileSerialBackend(const std::string& path, bool append);
    ~FileSerialBackend() override;
    FileSerialBackend(const FileSerialBackend&) = delete;
    FileSerialBackend& operator=(const FileSerialBackend&) = delete;
    void write(std::span<const uint8_t> bytes) override;

  private:
    std::FILE* file_;
};

}  // namespace sandpc
