// pl-tcp-probe: the lab's TCP reachability probe.
//
//   pl-tcp-probe serve --port P [--name LABEL]
//       accept connections forever; answer each with "LABEL\n" and close.
//   pl-tcp-probe connect IP P [--timeout-ms MS]
//       connect, read the server's line, print it; exit 0 on success,
//       1 when the peer is unreachable or silent, 2 on bad usage.
//
// Why a tool of our own: the lab needs a bounded, scriptable TCP handshake +
// one exchange from inside namespaces, with a clear exit code, and nothing in
// Debian's base image does that without extra packages.
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

namespace {

int usage()
{
    std::fprintf(stderr,
                 "usage: pl-tcp-probe serve --port P [--name LABEL]\n"
                 "       pl-tcp-probe connect IP PORT [--timeout-ms MS]\n");
    return 2;
}

bool parse_port(const char *s, int &port)
{
    char *end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (!end || *end || v < 1 || v > 65535) return false;
    port = static_cast<int>(v);
    return true;
}

// Wait for fd to become ready for `events`, within the remaining budget.
bool wait_fd(int fd, short events, int timeout_ms)
{
    pollfd p{fd, events, 0};
    int r;
    do {
        r = ::poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

int serve(int port, const std::string &name)
{
    std::signal(SIGPIPE, SIG_IGN);
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        std::perror("pl-tcp-probe: socket");
        return 1;
    }
    int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || ::listen(s, 64) < 0) {
        std::fprintf(stderr, "pl-tcp-probe: cannot listen on port %d: %s\n", port, std::strerror(errno));
        return 1;
    }
    const std::string reply = name + "\n";
    for (;;) {
        int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            std::perror("pl-tcp-probe: accept");
            return 1;
        }
        // The client speaks no protocol: answer at once and close.
        ssize_t n = ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        (void)n;
        ::close(c);
    }
}

int connect_probe(const char *ip, int port, int timeout_ms)
{
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
        std::fprintf(stderr, "pl-tcp-probe: '%s' is not an IPv4 address\n", ip);
        return 2;
    }
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) {
        std::perror("pl-tcp-probe: socket");
        return 1;
    }
    int r = ::connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
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

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    std::string_view cmd = argv[1];
    if (cmd == "serve") {
        int port = 0;
        std::string name = "pl-tcp-probe";
        for (int i = 2; i < argc; ++i) {
            std::string_view a = argv[i];
            if (a == "--port" && i + 1 < argc) {
                if (!parse_port(argv[++i], port)) return usage();
            } else if (a == "--name" && i + 1 < argc) {
                name = argv[++i];
            } else {
                return usage();
            }
        }
        if (!port) return usage();
        return serve(port, name);
    }
    if (cmd == "connect") {
        if (argc < 4) return usage();
        int port = 0;
        if (!parse_port(argv[3], port)) return usage();
        int timeout_ms = 1000;
        for (int i = 4; i < argc; ++i) {
            std::string_view a = argv[i];
            if (a == "--timeout-ms" && i + 1 < argc) {
                timeout_ms = std::atoi(argv[++i]);
                if (timeout_ms <= 0) return usage();
            } else {
                return usage();
            }
        }
        return connect_probe(argv[2], port, timeout_ms);
    }
    return usage();
}
