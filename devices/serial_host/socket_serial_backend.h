// A serial port's host end on a TCP or unix stream socket (QEMU's
// -serial tcp:/unix:, see serial_socket_spec.h). All socket I/O after
// construction is non-blocking except a write into a full send buffer, which
// waits up to kWriteWaitMs for the peer to read (as a line would stall) and
// then drops the bytes. A client whose peer closes stops delivering input and
// drops output; a server goes back to accepting the next client. Bytes the
// guest writes while no client is connected are dropped.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "devices/serial_backend.h"
#include "devices/serial_host/serial_socket_spec.h"

namespace sandpc {

// Connection events worth telling the user ("peer closed ..."); one line,
// without a trailing newline.
using SerialNotice = std::function<void(const std::string&)>;

class SocketSerialBackend final : public SerialBackend {
  public:
    static constexpr int kWriteWaitMs = 1000;

    // Connects (client) or listens (server; with spec.wait, blocks until the
    // first client connects). Throws std::runtime_error with a message
    // naming the spec and the system error (connection refused, address in
    // use, ...).
    explicit SocketSerialBackend(SerialSocketSpec spec, SerialNotice notice = {});
    ~SocketSerialBackend() override;
    SocketSerialBackend(const SocketSerialBackend&) = delete;
    SocketSerialBackend& operator=(const SocketSerialBackend&) = delete;

    void write(std::span<const uint8_t> bytes) override;
    size_t read(std::span<uint8_t> out) override;
    bool input_open() const override { return conn_ >= 0 || listen_fd_ >= 0; }

    bool connected() const { return conn_ >= 0; }
    // Where a server listens: "HOST:PORT" with the port the kernel chose for
    // port 0, or the unix path.
    const std::string& listen_address() const { return listen_address_; }

  private:
    void connect_client();
    void listen_server();
    bool try_accept(int timeout_ms);
    void drop_connection(const std::string& why);
    void notify(const std::string& what) const;

    SerialSocketSpec spec_;
    SerialNotice notice_;
    int listen_fd_ = -1;
    int conn_ = -1;
    bool unlink_on_close_ = false;
    bool told_output_dropped_ = false;
    std::string listen_address_;
};

}  // namespace sandpc
