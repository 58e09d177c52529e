// COM1 input from the host end to end: the serial_echo guest (interrupt
// driven, FIFO trigger level 14) echoes a line back uppercased over a real
// unix or TCP socket attached as COM1's backend. The test thread runs the
// machine and talks to the socket between slices, as a frontend does.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "devices/serial_host/socket_serial_backend.h"
#include "tests/bios/bios_guest.h"

namespace sandpc {
namespace {

// Runs the machine and collects what the guest sends on the socket.
class GuestLink {
  public:
    GuestLink(Machine& m, int fd) : m_(m), fd_(fd) {}
    ~GuestLink() { close(fd_); }

    // The next line (with its '\n') the guest sent; "" if none within 20 s
    // of host time or the guest stopped first.
    std::string line() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (bool running = true;; running = step()) {
            if (size_t nl = received_.find('\n'); nl != std::string::npos) {
                std::string l = received_.substr(0, nl + 1);
                received_.erase(0, nl + 1);
                return l;
            }
            if (!running || std::chrono::steady_clock::now() > deadline) return "";
        }
    }
    void send(const std::string& s) {
        ASSERT_EQ(::write(fd_, s.data(), s.size()), ssize_t(s.size()));
    }
    // The value the guest wrote to isa-debug-exit, or -1.
    int exit_value() {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (step() && std::chrono::steady_clock::now() < deadline) {
        }
        return event_ == MachineEvent::kDebugExit ? int(*m_.exit_status() >> 1) : -1;
    }

  private:
    // One slice of the machine, then whatever arrived on the socket. False
    // once the guest has stopped (its output is still read).
    bool step() {
        if (event_ == MachineEvent::kNone) event_ = m_.run(100'000);
        char buf[256];
        for (ssize_t n; (n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) > 0;)
            received_.append(buf, size_t(n));
        return event_ == MachineEvent::kNone;
    }

    Machine& m_;
    int fd_;
    MachineEvent event_ = MachineEvent::kNone;
    std::string received_;
};

TEST(SerialEcho, UnixServerSocketLongLineThroughTheTriggerLevel) {
    std::string dir_template =
        (std::filesystem::temp_directory_path() / "sandpc-echo-XXXXXX").string();
    std::string dir = mkdtemp(dir_template.data());
    std::string path = dir + "/com1";
    {
        SocketSerialBackend com1(*parse_serial_socket_spec("unix:" + path + ",server,nowait"));
        MachineConfig config = test::guest_config("serial_echo");
        config.serial[0] = &com1;
        Machine m(std::move(config));

        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        GuestLink link(m, fd);
        ASSERT_EQ(link.line(), "READY\n");
        link.send("Hello from a unix socket, line 1!\n");
        EXPECT_EQ(link.line(), "HELLO FROM A UNIX SOCKET, LINE 1!\n");
        int value = link.exit_value();
        ASSERT_EQ(value & ~3, 0x40) << value;
        EXPECT_EQ(value & 1, 1) << "no receive-data interrupt for 34 bytes at trigger level 14";
    }
    std::filesystem::remove_all(dir);
}

TEST(SerialEcho, TcpClientShortLineThroughTheCharacterTimeout) {
    int server = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(server, 1), 0);
    socklen_t len = sizeof a;
    getsockname(server, reinterpret_cast<sockaddr*>(&a), &len);
    SocketSerialBackend com1(
        *parse_serial_socket_spec("tcp:127.0.0.1:" + std::to_string(ntohs(a.sin_port))));
    int fd = accept(server, nullptr, nullptr);
    close(server);
    ASSERT_GE(fd, 0);
    MachineConfig config = test::guest_config("serial_echo");
    config.serial[0] = &com1;
    Machine m(std::move(config));
    GuestLink link(m, fd);
    ASSERT_EQ(link.line(), "READY\n");
    link.send("tcp ok\n");
    EXPECT_EQ(link.line(), "TCP OK\n");
    // 7 bytes never reach trigger level 14: only the timeout can report them.
    EXPECT_EQ(link.exit_value(), 0x42);
}

}  // namespace
}  // namespace sandpc
