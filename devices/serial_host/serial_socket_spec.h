// QEMU's -serial socket syntax: tcp:[HOST]:PORT[,server][,nowait] and
// unix:PATH[,server][,nowait] (server=on and wait=off are accepted too).
// A client connects to HOST:PORT (empty HOST: localhost) or PATH; a server
// listens there (empty HOST: every address; PORT 0: the kernel picks one)
// and, unless nowait, waits for the first client before the guest starts.
#pragma once
#include <optional>
#include <string>

namespace sandpc {

struct SerialSocketSpec {
    enum Family { kTcp, kUnix } family = kTcp;
    std::string host;  // tcp
    std::string port;  // tcp, as written (a number)
    std::string path;  // unix
    bool server = false;
    bool wait = true;  // server only
    std::string text;  // the spec as written, for messages
};

// std::nullopt when `text` is not a tcp: or unix: spec; throws
// std::invalid_argument naming the problem when it is one but malformed.
std::optional<SerialSocketSpec> parse_serial_socket_spec(const std::string& text);

}  // namespace sandpc
