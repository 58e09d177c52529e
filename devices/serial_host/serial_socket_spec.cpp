#include "devices/serial_host/serial_socket_spec.h"

#include <stdexcept>
#include <vector>

namespace sandpc {

namespace {

std::vector<std::string> split_commas(const std::string& s) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t comma; (comma = s.find(',', start)) != std::string::npos; start = comma + 1)
        parts.push_back(s.substr(start, comma - start));
    parts.push_back(s.substr(start));
    return parts;
}

void fail(const std::string& text, const std::string& why) {
    throw std::invalid_argument("serial '" + text + "': " + why);
}

}  // namespace

std::optional<SerialSocketSpec> parse_serial_socket_spec(const std::string& text) {
    SerialSocketSpec spec;
    spec.text = text;
    std::string rest;
    if (text.rfind("tcp:", 0) == 0) {
        spec.family = SerialSocketSpec::kTcp;
        rest = text.substr(4);
    } else if (text.rfind("unix:", 0) == 0) {
        spec.family = SerialSocketSpec::kUnix;
        rest = text.substr(5);
    } else {
        return std::nullopt;
    }
    std::vector<std::string> parts = split_commas(rest);
    bool nowait = false;
    for (size_t i = 1; i < parts.size(); ++i) {
        const std::string& o = parts[i];
        if (o == "server" || o == "server=on") {
            spec.server = true;
        } else if (o == "server=off") {
            spec.server = false;
        } else if (o == "nowait" || o == "wait=off") {
            nowait = true;
        } else if (o == "wait" || o == "wait=on") {
            nowait = false;
        } else {
            fail(text, "unknown option '" + o + "' (server, nowait)");
        }
    }
    if (nowait && !spec.server) fail(text, "nowait needs server");
    spec.wait = !nowait;
    const std::string& address = parts[0];
    if (spec.family == SerialSocketSpec::kUnix) {
        if (address.empty()) fail(text, "no socket path");
        spec.path = address;
        return spec;
    }
    size_t colon = address.rfind(':');
    if (colon == std::string::npos) fail(text, "expected HOST:PORT");
    spec.host = address.substr(0, colon);
    spec.port = address.substr(colon + 1);
    if (spec.port.empty() || spec.port.find_first_not_of("0123456789") != std::string::npos ||
        spec.port.size() > 5 || std::stoul(spec.port) > 65535)
        fail(text, "port must be a number 0-65535");
    if (!spec.server && std::stoul(spec.port) == 0) fail(text, "cannot connect to port 0");
    return spec;
}

}  // namespace sandpc
