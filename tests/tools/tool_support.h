// What the small test and bench tools (pl-tcp-probe, pl-short-conns,
// pl-register-endpoint, pl-bench-rr) share: number parsing, IPv4/IPv6 socket
// addresses and a bound server socket, each reporting its own errors under
// the tool's name.
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
#include <optional>

namespace podlane::tools {

// An IPv4 or IPv6 address (by its text) and port, for connect().
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family() const { return storage.ss_family; }
    const sockaddr *get() const { return reinterpret_cast<const sockaddr *>(&storage); }
};

inline std::optional<SocketAddress> parse_socket_address(const char *ip, int port) {
    SocketAddress out;
    if (std::strchr(ip, ':')) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&out.storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(static_cast<uint16_t>(port));
        if (::inet_pton(AF_INET6, ip, &a->sin6_addr) != 1) return std::nullopt;
        out.length = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&out.storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(static_cast<uint16_t>(port));
        if (::inet_pton(AF_INET, ip, &a->sin_addr) != 1) return std::nullopt;
        out.length = sizeof *a;
    }
    return out;
}

// A whole decimal number within [lo, hi]; nothing else accepted.
inline bool parse_long(const char *s, long lo, long hi, long &out) {
    char *end = nullptr;
    errno = 0;
    long v = std::strtol(s, &end, 10);
    if (errno || !end || end == s || *end || v < lo || v > hi) return false;
    out = v;
    return true;
}

// A socket of `type` bound to `port` on every address of both families (an
// IPv6 socket that also takes IPv4; IPv4 only where the namespace has no
// IPv6), listening (backlog) when it is a stream socket. -1 after saying why
// on stderr.
inline int bound_socket(const char *tool, int type, int port, int backlog) {
    int s = ::socket(AF_INET6, type | SOCK_CLOEXEC, 0);
    const bool dual = s >= 0;
    if (!dual) s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (s < 0) {
        std::fprintf(stderr, "%s: socket: %s\n", tool, std::strerror(errno));
        return -1;
    }
    int one = 1, zero = 0;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage addr{};
    socklen_t length;
    if (dual) {
        ::setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        auto *a = reinterpret_cast<sockaddr_in6 *>(&addr);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(static_cast<uint16_t>(port));
        a->sin6_addr = in6addr_any;
        length = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&addr);
        a->sin_family = AF_INET;
        a->sin_port = htons(static_cast<uint16_t>(port));
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        length = sizeof *a;
    }
    if (::bind(s, reinterpret_cast<sockaddr *>(&addr), length) < 0 ||
        (type == SOCK_STREAM && ::listen(s, backlog) < 0)) {
        std::fprintf(stderr, "%s: cannot %s on port %d: %s\n", tool, type == SOCK_STREAM ? "listen" : "bind", port,
                     std::strerror(errno));
        ::close(s);
        return -1;
    }
    return s;
}

}  // namespace podlane::tools
