// What the small test tools (pl-tcp-probe, pl-short-conns,
// pl-register-endpoint) share: number parsing and a bound server socket,
// each reporting its own errors under the tool's name.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace podlane::tools {

// A whole decimal number within [lo, hi]; nothing else accepted.
inline bool parse_long(const char *s, long lo, long hi, long &out) {
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(s, &end, 10);
    if (errno || !end || end == s || *end || v < lo || v > hi) return false;
    out = v;
    return true;
}

// A socket of `type` bound to `port` on every address, listening (backlog)
// when it is a stream socket. -1 after saying why on stderr.
inline int bound_socket(const char *tool, int type, int port, int backlog) {
    int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (s < 0) {
        std::fprintf(stderr, "%s: socket: %s\n", tool, std::strerror(errno));
        return -1;
    }
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 ||
        (type == SOCK_STREAM && ::listen(s, backlog) < 0)) {
        std::fprintf(stderr, "%s: cannot %s on port %d: %s\n", tool, type == SOCK_STREAM ? "listen" : "bind", port,
                     std::strerror(errno));
        ::close(s);
        return -1;
    }
    return s;
}

}  // namespace podlane::tools
