// The host side of a serial port (or the debug port): where the guest's
// output bytes go and where its input comes from. The device talks to the
// host only through this interface; the machine owns the timing: it asks the
// device to poll for input at slice boundaries, on its own thread, so no
// device state is touched from elsewhere. Input arrives whenever the host
// delivers it, so a run that takes serial input is not deterministic.
// Output-only implementations here: callback, ostream, file, null; stdio and
// socket backends (with input) live in devices/serial_host/.
#pragma once

#include <cstddef>
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

    // Copies bytes that have already arrived from the host into `out`
    // without blocking; returns how many (0: nothing yet).
    virtual size_t read(std::span<uint8_t> out) {
        (void)out;
        return 0;
    }
    // False once read() can never return bytes again (output-only backend,
    // end of input, a closed client connection); the device stops polling.
    virtual bool input_open() const { return false; }
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
