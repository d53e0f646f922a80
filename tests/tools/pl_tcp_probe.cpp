// pl-tcp-probe: the lab's TCP reachability probe.
//
//   pl-tcp-probe serve --port P [--udp-port U] [--name LABEL]
//       accept connections forever; answer each with "LABEL\n" and close.
//       With --udp-port, also answer every datagram on UDP port U with
//       "LABEL\n" (to the sender: a DNS-like request/response).
//   pl-tcp-probe connect IP P [--udp] [--timeout-ms MS]
//       connect, read the server's line, print it; exit 0 on success,
//       1 when the peer is unreachable or silent, 2 on bad usage.
//       --udp: send one datagram, wait for the answer, print it.
//
// Why a tool of our own: the lab needs a bounded, scriptable TCP handshake +
// one exchange (and one UDP request/answer) from inside namespaces, with a
// clear exit code, and nothing in Debian's base image does that without extra
// packages.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "tool_support.h"

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: pl-tcp-probe serve --port P [--udp-port U] [--name LABEL]\n"
                 "       pl-tcp-probe connect IP PORT [--udp] [--timeout-ms MS]\n");
    return 2;
}

bool parse_port(const char *s, int &port) {
    long v = 0;
    if (!podlane::tools::parse_long(s, 1, 65535, v)) return false;
    port = static_cast<int>(v);
    return true;
}

// Wait for fd to become ready for `events`, within the remaining budget.
bool wait_fd(int fd, short events, int timeout_ms) {
    pollfd p{fd, events, 0};
    int r;
    do {
        r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

int bound_socket(int type, int port) {
    return podlane::tools::bound_socket("pl-tcp-probe", type, port, 64);
}

int serve(int port, int udp_port, const std::string &name) {
    std::signal(SIGPIPE, SIG_IGN);
    int s = bound_socket(SOCK_STREAM, port);
    if (s < 0) return 1;
    int u = -1;
    if (udp_port && (u = bound_socket(SOCK_DGRAM, udp_port)) < 0) return 1;
    const std::string reply = name + "\n";
    pollfd fds[2] = {{s, POLLIN, 0}, {u, POLLIN, 0}};
    for (;;) {
        int r = ::poll(fds, u < 0 ? 1 : 2, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            std::perror("pl-tcp-probe: poll");
            return 1;
        }
        if (u >= 0 && (fds[1].revents & POLLIN)) {
            // Answer to the sender's address: through a Service, conntrack
            // turns the reply's source back into the ClusterIP.
            char buf[512];
            sockaddr_storage peer{};
            socklen_t len = sizeof peer;
            ssize_t n = ::recvfrom(u, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&peer), &len);
            if (n >= 0)
                (void)::sendto(u, reply.data(), reply.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr *>(&peer), len);
        }
        if (!(fds[0].revents & POLLIN)) continue;
        int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
            std::perror("pl-tcp-probe: accept");
            return 1;
        }
        // The client speaks no protocol: answer at once and close.
        ssize_t n = ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        (void)n;
        ::close(c);
    }
}

// One datagram out, one answer back within the budget.
int udp_probe(const podlane::tools::SocketAddress &addr, const char *ip, int port, int timeout_ms) {
    int s = ::socket(addr.family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        std::perror("pl-tcp-probe: socket");
        return 1;
    }
    // connect(): only the peer's answers are received, and an ICMP
    // unreachable shows up as an error instead of a timeout.
    if (::connect(s, addr.get(), addr.length) < 0 || ::send(s, "probe\n", 6, 0) < 0) {
        std::fprintf(stderr, "pl-tcp-probe: udp %s:%d: %s\n", ip, port, std::strerror(errno));
        ::close(s);
        return 1;
    }
    if (!wait_fd(s, POLLIN, timeout_ms)) {
        std::fprintf(stderr, "pl-tcp-probe: udp %s:%d: no answer within %d ms\n", ip, port, timeout_ms);
        ::close(s);
        return 1;
    }
    char buf[256];
    ssize_t n = ::recv(s, buf, sizeof buf - 1, 0);
    int err = errno;
    ::close(s);
    if (n <= 0) {
        std::fprintf(stderr, "pl-tcp-probe: udp %s:%d: %s\n", ip, port, n < 0 ? std::strerror(err) : "empty answer");
        return 1;
    }
    buf[n] = '\0';
    std::fputs(buf, stdout);
    return 0;
}

int connect_probe(const char *ip, int port, bool udp, int timeout_ms) {
    auto addr = podlane::tools::parse_socket_address(ip, port);
    if (!addr) {
        std::fprintf(stderr, "pl-tcp-probe: '%s' is not an IPv4 or IPv6 address\n", ip);
        return 2;
    }
    if (udp) return udp_probe(*addr, ip, port, timeout_ms);
    int s = ::socket(addr->family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) {
        std::perror("pl-tcp-probe: socket");
        return 1;
    }
    int r = ::connect(s, addr->get(), addr->length);
    if (r < 0 && errno != EINPROGRESS) {
        std::fprintf(stderr, "pl-tcp-probe: connect %s:%d: %s\n", ip, port, std::strerror(errno));
        return 1;
    }
    if (r < 0) {
        if (!wait_fd(s, POLLOUT, timeout_ms)) {
            std::fprintf(stderr, "pl-tcp-probe: connect %s:%d: timed out after %d ms\n", ip, port, timeout_ms);
            return 1;
        }
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            std::fprintf(stderr, "pl-tcp-probe: connect %s:%d: %s\n", ip, port, std::strerror(err));
            return 1;
        }
    }
    if (!wait_fd(s, POLLIN, timeout_ms)) {
        std::fprintf(stderr, "pl-tcp-probe: %s:%d connected but sent nothing within %d ms\n", ip, port, timeout_ms);
        return 1;
    }
    char buf[256];
    ssize_t n = ::recv(s, buf, sizeof buf - 1, 0);
    ::close(s);
    if (n <= 0) {
        std::fprintf(stderr, "pl-tcp-probe: %s:%d closed without an answer\n", ip, port);
        return 1;
    }
    buf[n] = '\0';
    std::fputs(buf, stdout);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    std::string_view cmd = argv[1];
    if (cmd == "serve") {
        int port = 0, udp_port = 0;
        std::string name = "pl-tcp-probe";
        for (int i = 2; i < argc; ++i) {
            std::string_view a = argv[i];
            if (a == "--port" && i + 1 < argc) {
                if (!parse_port(argv[++i], port)) return usage();
            } else if (a == "--udp-port" && i + 1 < argc) {
                if (!parse_port(argv[++i], udp_port)) return usage();
            } else if (a == "--name" && i + 1 < argc) {
                name = argv[++i];
            } else {
                return usage();
            }
        }
        if (!port) return usage();
        return serve(port, udp_port, name);
    }
    if (cmd == "connect") {
        if (argc < 4) return usage();
        int port = 0;
        if (!parse_port(argv[3], port)) return usage();
        int timeout_ms = 1000;
        bool udp = false;
        for (int i = 4; i < argc; ++i) {
            std::string_view a = argv[i];
            if (a == "--timeout-ms" && i + 1 < argc) {
                timeout_ms = std::atoi(argv[++i]);
                if (timeout_ms <= 0) return usage();
            } else if (a == "--udp") {
                udp = true;
            } else {
                return usage();
            }
        }
        return connect_probe(argv[2], port, udp, timeout_ms);
    }
    return usage();
}
