#include "devices/serial_host/socket_serial_backend.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sandpc {

namespace {

void set_nonblocking(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

sockaddr_un unix_address(const SerialSocketSpec& spec) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (spec.path.size() >= sizeof a.sun_path)
        throw std::runtime_error("serial " + spec.text + ": socket path too long");
    std::memcpy(a.sun_path, spec.path.c_str(), spec.path.size() + 1);
    return a;
}

struct AddrInfo {
    addrinfo* list = nullptr;
    ~AddrInfo() {
        if (list) freeaddrinfo(list);
    }
};

std::string numeric_address(const sockaddr* sa, socklen_t len) {
    char host[NI_MAXHOST], port[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof host, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return "?";
    return std::string(sa->sa_family == AF_INET6 ? "[" : "") + host +
           (sa->sa_family == AF_INET6 ? "]" : "") + ":" + port;
}

}  // namespace

SocketSerialBackend::SocketSerialBackend(SerialSocketSpec spec, SerialNotice notice)
    : spec_(std::move(spec)), notice_(std::move(notice)) {
    if (spec_.server) {
        listen_server();
        if (spec_.wait) {
            notify("waiting for a connection on " + spec_.text.substr(0, spec_.text.find(':')) +
                   ":" + listen_address_);
            while (!try_accept(-1)) {
            }
        }
    } else {
        connect_client();
    }
}

SocketSerialBackend::~SocketSerialBackend() {
    if (conn_ >= 0) close(conn_);
    if (listen_fd_ >= 0) close(listen_fd_);
    if (unlink_on_close_) unlink(spec_.path.c_str());
}

void SocketSerialBackend::notify(const std::string& what) const {
    if (notice_) notice_(what);
}

void SocketSerialBackend::connect_client() {
    std::string error = "no address";
    if (spec_.family == SerialSocketSpec::kUnix) {
        sockaddr_un a = unix_address(spec_);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
            conn_ = fd;
        } else {
            error = std::strerror(errno);
            if (fd >= 0) close(fd);
        }
    } else {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        AddrInfo ai;
        std::string host = spec_.host.empty() ? "localhost" : spec_.host;
        if (int rc = getaddrinfo(host.c_str(), spec_.port.c_str(), &hints, &ai.list); rc != 0)
            throw std::runtime_error("serial " + spec_.text + ": " + gai_strerror(rc));
        for (addrinfo* p = ai.list; p && conn_ < 0; p = p->ai_next) {
            int fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
            if (fd >= 0 && connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
                conn_ = fd;
            } else {
                error = std::strerror(errno);
                if (fd >= 0) close(fd);
            }
        }
        if (conn_ >= 0) {
            int one = 1;
            setsockopt(conn_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
    }
    if (conn_ < 0) throw std::runtime_error("serial " + spec_.text + ": cannot connect: " + error);
    set_nonblocking(conn_);
}

void SocketSerialBackend::listen_server() {
    std::string error = "no address";
    if (spec_.family == SerialSocketSpec::kUnix) {
        sockaddr_un a = unix_address(spec_);
        struct stat st {};
        // A socket file left by an earlier run would make bind() fail.
        if (lstat(spec_.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(spec_.path.c_str());
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            listen(fd, 1) == 0) {
            listen_fd_ = fd;
            unlink_on_close_ = true;
            listen_address_ = spec_.path;
        } else {
            error = std::strerror(errno);
            if (fd >= 0) close(fd);
        }
    } else {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        AddrInfo ai;
        const char* host = spec_.host.empty() ? nullptr : spec_.host.c_str();
        if (int rc = getaddrinfo(host, spec_.port.c_str(), &hints, &ai.list); rc != 0)
            throw std::runtime_error("serial " + spec_.text + ": " + gai_strerror(rc));
        for (addrinfo* p = ai.list; p && listen_fd_ < 0; p = p->ai_next) {
            int fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
            int one = 1;
            if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (fd >= 0 && bind(fd, p->ai_addr, p->ai_addrlen) == 0 && listen(fd, 1) == 0) {
                listen_fd_ = fd;
            } else {
                error = std::strerror(errno);
                if (fd >= 0) close(fd);
            }
        }
        if (listen_fd_ >= 0) {
            sockaddr_storage bound{};
            socklen_t len = sizeof bound;
            getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
            listen_address_ = numeric_address(reinterpret_cast<sockaddr*>(&bound), len);
        }
    }
    if (listen_fd_ < 0)
        throw std::runtime_error("serial " + spec_.text + ": cannot listen: " + error);
    set_nonblocking(listen_fd_);
}

bool SocketSerialBackend::try_accept(int timeout_ms) {
    if (conn_ >= 0) return true;
    if (listen_fd_ < 0) return false;
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return false;
    if (spec_.family == SerialSocketSpec::kTcp) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    conn_ = fd;
    told_output_dropped_ = false;
    return true;
}

void SocketSerialBackend::drop_connection(const std::string& why) {
    close(conn_);
    conn_ = -1;
    if (spec_.server) {
        notify("serial " + spec_.text + ": " + why + "; waiting for another connection");
    } else {
        notify("serial " + spec_.text + ": " + why + "; serial input stopped, output dropped");
    }
}

size_t SocketSerialBackend::read(std::span<uint8_t> out) {
    if (out.empty() || !try_accept(0)) return 0;
    ssize_t n = recv(conn_, out.data(), out.size(), MSG_DONTWAIT);
    if (n > 0) return size_t(n);
    if (n == 0) {
        drop_connection("peer closed the connection");
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        drop_connection(std::strerror(errno));
    }
    return 0;
}

void SocketSerialBackend::write(std::span<const uint8_t> bytes) {
    if (!try_accept(0)) return;
    while (!bytes.empty()) {
        ssize_t n = send(conn_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            bytes = bytes.subspan(size_t(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{conn_, POLLOUT, 0};
            if (poll(&p, 1, kWriteWaitMs) > 0) continue;
            if (!told_output_dropped_)
                notify("serial " + spec_.text + ": peer is not reading; output dropped");
            told_output_dropped_ = true;
            return;
        }
        drop_connection(n < 0 ? std::strerror(errno) : "connection lost");
        return;
    }
}

}  // namespace sandpc
