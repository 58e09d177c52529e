// The host ends of serial ports: QEMU-style socket specs, socket backends on
// real TCP and unix sockets, and the stdio backend on a pipe.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/serial_host/serial_socket_spec.h"
#include "devices/serial_host/socket_serial_backend.h"
#include "devices/serial_host/stdio_serial_backend.h"

namespace sandpc {
namespace {

TEST(SerialSocketSpec, ParsesQemuSyntax) {
    EXPECT_FALSE(parse_serial_socket_spec("stdio"));
    auto t = parse_serial_socket_spec("tcp:localhost:4444");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->family, SerialSocketSpec::kTcp);
    EXPECT_EQ(t->host, "localhost");
    EXPECT_EQ(t->port, "4444");
    EXPECT_FALSE(t->server);
    auto s = parse_serial_socket_spec("tcp::5555,server,nowait");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->host, "");
    EXPECT_EQ(s->port, "5555");
    EXPECT_TRUE(s->server);
    EXPECT_FALSE(s->wait);
    auto w = parse_serial_socket_spec("tcp:127.0.0.1:0,server=on");
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->server);
    EXPECT_TRUE(w->wait);
    auto u = parse_serial_socket_spec("unix:/tmp/com1.sock,server,wait=off");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->family, SerialSocketSpec::kUnix);
    EXPECT_EQ(u->path, "/tmp/com1.sock");
    EXPECT_TRUE(u->server);
    EXPECT_FALSE(u->wait);
}

TEST(SerialSocketSpec, RejectsMalformedSpecs) {
    for (const char* bad : {"tcp:4444", "tcp:host:", "tcp:host:port", "tcp:host:70000",
                            "tcp:host:0", "tcp:host:1,nowait", "unix:", "unix:/x,serverr"}) {
        EXPECT_THROW(parse_serial_socket_spec(bad), std::invalid_argument) << bad;
    }
}

// A scratch directory for unix sockets, removed at the end.
struct TempDir {
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sandpc-serial-XXXXXX");
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string path;
};

std::string read_some(int fd, size_t want) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buf[256];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, size_t(n));
    }
    return got;
}

// Polls the backend (as the machine does) until `want` bytes came in or
// `stop` holds.
std::string backend_read(SerialBackend& b, size_t want, const std::function<bool()>& stop = {}) {
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (got.size() < want && !(stop && stop()) && std::chrono::steady_clock::now() < deadline) {
        uint8_t buf[64];
        size_t n = b.read(buf);
        got.append(reinterpret_cast<char*>(buf), n);
        if (n == 0) usleep(1000);
    }
    return got;
}

void send_all(int fd, const std::string& s) {
    ASSERT_EQ(::write(fd, s.data(), s.size()), ssize_t(s.size()));
}

int connect_unix(const std::string& path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << path;
    return fd;
}

// A TCP listener on 127.0.0.1 at a port the kernel picks.
struct TcpListener {
    TcpListener() {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(listen(fd, 1), 0);
        socklen_t len = sizeof a;
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
        port = ntohs(a.sin_port);
    }
    ~TcpListener() {
        if (fd >= 0) close(fd);
    }
    int fd = -1;
    unsigned port = 0;
};

TEST(SocketSerialBackend, UnixServerCarriesBothWaysAndAcceptsTheNextClient) {
    TempDir dir;
    std::string path = dir.path + "/com1";
    std::vector<std::string> notices;
    SocketSerialBackend b(*parse_serial_socket_spec("unix:" + path + ",server,nowait"),
                          [&](const std::string& n) { notices.push_back(n); });
    EXPECT_FALSE(b.connected());
    EXPECT_TRUE(b.input_open());
    b.write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("lost"), 4));

    int c = connect_unix(path);
    send_all(c, "to guest");
    EXPECT_EQ(backend_read(b, 8), "to guest");
    EXPECT_TRUE(b.connected());
    std::string reply = "from guest";
    b.write(std::span(reinterpret_cast<const uint8_t*>(reply.data()), reply.size()));
    EXPECT_EQ(read_some(c, reply.size()), reply);  // "lost" was written before anyone listened
    close(c);
    EXPECT_EQ(backend_read(b, 1, [&] { return !notices.empty(); }), "");
    EXPECT_FALSE(b.connected());
    EXPECT_TRUE(b.input_open());
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_NE(notices[0].find("peer closed the connection"), std::string::npos) << notices[0];

    int c2 = connect_unix(path);
    send_all(c2, "again");
    EXPECT_EQ(backend_read(b, 5), "again");
    close(c2);
}

TEST(SocketSerialBackend, TcpClientStopsInputWhenThePeerCloses) {
    TcpListener server;
    std::vector<std::string> notices;
    SocketSerialBackend b(*parse_serial_socket_spec("tcp:127.0.0.1:" + std::to_string(server.port)),
                          [&](const std::string& n) { notices.push_back(n); });
    int peer = accept(server.fd, nullptr, nullptr);
    ASSERT_GE(peer, 0);
    send_all(peer, "ping");
    EXPECT_EQ(backend_read(b, 4), "ping");
    b.write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("pong"), 4));
    EXPECT_EQ(read_some(peer, 4), "pong");
    close(peer);
    EXPECT_EQ(backend_read(b, 1, [&] { return !b.input_open(); }), "");
    EXPECT_FALSE(b.input_open());
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_NE(notices[0].find("serial input stopped"), std::string::npos) << notices[0];
    // Writing after the peer left is dropped, not a crash (and no SIGPIPE).
    b.write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("late"), 4));
}

TEST(SocketSerialBackend, RefusedConnectionIsAClearError) {
    unsigned port;
    {
        TcpListener gone;  // a port that was free a moment ago, now closed
        port = gone.port;
    }
    try {
        SocketSerialBackend b(*parse_serial_socket_spec("tcp:127.0.0.1:" + std::to_string(port)));
        FAIL() << "connected to a closed port";
    } catch (const std::runtime_error& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
        EXPECT_NE(what.find("tcp:127.0.0.1:"), std::string::npos) << what;
    }
    TempDir dir;
    EXPECT_THROW(SocketSerialBackend(*parse_serial_socket_spec("unix:" + dir.path + "/none")),
                 std::runtime_error);
}

TEST(SocketSerialBackend, TcpServerOnPortZeroReportsItsPort) {
    SocketSerialBackend b(*parse_serial_socket_spec("tcp:127.0.0.1:0,server,nowait"));
    const std::string& addr = b.listen_address();
    ASSERT_EQ(addr.rfind("127.0.0.1:", 0), 0u) << addr;
    unsigned port = unsigned(std::stoul(addr.substr(10)));
    EXPECT_NE(port, 0u);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    send_all(c, "x");
    EXPECT_EQ(backend_read(b, 1), "x");
    close(c);
}

TEST(StdioSerialBackend, ReadsAPipeWithoutBlockingUntilItsEnd) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    std::FILE* sink = std::tmpfile();
    StdioSerialBackend b(sink, fds[0]);
    uint8_t buf[16];
    EXPECT_EQ(b.read(buf), 0u);  // nothing yet: returns at once
    send_all(fds[1], "line\n");
    EXPECT_EQ(backend_read(b, 5), "line\n");
    EXPECT_TRUE(b.input_open());
    close(fds[1]);
    EXPECT_EQ(backend_read(b, 1, [&] { return !b.input_open(); }), "");
    EXPECT_FALSE(b.input_open());
    b.write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("out"), 3));
    std::rewind(sink);
    char got[4] = {};
    EXPECT_EQ(std::fread(got, 1, 3, sink), 3u);
    EXPECT_STREQ(got, "out");
    std::fclose(sink);
    close(fds[0]);

    StdioSerialBackend output_only(stdout, -1);
    EXPECT_FALSE(output_only.input_open());
    EXPECT_EQ(output_only.read(buf), 0u);
}

}  // namespace
}  // namespace sandpc
