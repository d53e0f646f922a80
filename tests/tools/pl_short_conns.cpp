// pl-short-conns: many short TCP connections, each closed cleanly both ways,
// for the netfilter long-flow test (tests/netns/netfilter_long_flows.sh).
//
//   pl-short-conns serve --port P
//       accept connections one after another: read the request, send it
//       back, close the sending side (FIN), wait for the client's FIN, close.
//       Runs until SIGTERM/SIGINT, then prints one summary line:
//       "served=N ok=N reset=N timeout=N other=N" (exit 0 only if every
//       connection was ok).
//   pl-short-conns connect IP PORT [--count N] [--timeout-ms MS] [--bytes B]
//       N connections in sequence. Each: connect, send B bytes, read them back
//       and the server's FIN, send our FIN, and wait until the server has
//       acknowledged it (the socket reaches CLOSE): a clean close both ways.
//       Every step is bounded by MS (per connection). Prints
//       "connections=N ok=N reset=N timeout=N refused=N other=N retrans=N"
//       and exits 0 only if all N were ok; 1 otherwise, 2 on bad usage.
//
// Why not iperf3 or a shell loop: the test needs to tell a reset from a
// timeout from a bad reply, per connection, with a bounded wait and a clean
// FIN exchange, a thousand times in about a second.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "tool_support.h"

namespace {

using Clock = std::chrono::steady_clock;

int usage() {
    std::fprintf(stderr,
                 "usage: pl-short-conns serve --port P\n"
                 "       pl-short-conns connect IP PORT [--count N] [--timeout-ms MS] [--bytes B]\n");
    return 2;
}

using podlane::tools::parse_long;

enum class Outcome { Ok, Reset, Timeout, Refused, Other };

Outcome from_errno(int err) {
    switch (err) {
        case ECONNRESET:
        case EPIPE:
            return Outcome::Reset;
        case ETIMEDOUT:
            return Outcome::Timeout;
        case ECONNREFUSED:
            return Outcome::Refused;
        default:
            return Outcome::Other;
    }
}

const char *outcome_name(Outcome o) {
    switch (o) {
        case Outcome::Ok:
            return "ok";
        case Outcome::Reset:
            return "reset";
        case Outcome::Timeout:
            return "timeout";
        case Outcome::Refused:
            return "refused";
        case Outcome::Other:
            return "other";
    }
    return "?";
}

int ms_left(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on fd until the deadline. Returns 0, or the errno-like
// reason it did not come (ETIMEDOUT, or the socket's pending error).
int wait_fd(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errno;
        if (r == 0) return ETIMEDOUT;
        if (p.revents & (events | POLLHUP | POLLERR)) return 0;
    }
}

int socket_error(int fd) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    return err;
}

// Sends all of buf before the deadline: 0 or an errno.
int send_all(int fd, const char *buf, size_t len, Clock::time_point deadline) {
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = ::send(fd, buf + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return errno;
        if (int err = wait_fd(fd, POLLOUT, deadline)) return err;
    }
    return 0;
}

// Reads until EOF (appending to out) before the deadline: 0 or an errno.
int read_to_eof(int fd, std::string &out, size_t limit, Clock::time_point deadline) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0) return 0;
        if (n > 0) {
            out.append(buf, static_cast<size_t>(n));
            if (out.size() > limit) return EMSGSIZE;
            continue;
        }
        if (errno != EAGAIN && errno != EINTR) return errno;
        if (int err = wait_fd(fd, POLLIN, deadline)) return err;
    }
}

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
    g_stop = 1;
}

int serve(int port) {
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_signal;  // no SA_RESTART: accept() returns EINTR
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);

    int s = podlane::tools::bound_socket("pl-short-conns", SOCK_STREAM, port, 128);
    if (s < 0) return 1;
    std::printf("listening on %d\n", port);
    std::fflush(stdout);

    unsigned long counts[5] = {};
    unsigned long served = 0;
    while (!g_stop) {
        int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            std::perror("pl-short-conns: accept");
            return 1;
        }
        ++served;
        // The client sends its request and then waits for the echo: read
        // what is there (the request is small), echo it, FIN, wait for the
        // client's FIN.
        const auto deadline = Clock::now() + std::chrono::seconds(2);
        std::string req;
        int err = wait_fd(c, POLLIN, deadline);
        char buf[4096];
        if (!err) {
            ssize_t n = ::recv(c, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0)
                req.assign(buf, static_cast<size_t>(n));
            else
                err = n == 0 ? EPROTO : errno;
        }
        if (!err) err = send_all(c, req.data(), req.size(), deadline);
        if (!err && ::shutdown(c, SHUT_WR) < 0) err = errno;
        std::string rest;
        if (!err) err = read_to_eof(c, rest, 0, deadline);
        Outcome o = err ? from_errno(err) : Outcome::Ok;
        ++counts[static_cast<int>(o)];
        if (o != Outcome::Ok)
            std::fprintf(stderr, "pl-short-conns: connection %lu: %s (%s)\n", served, outcome_name(o),
                         std::strerror(err));
        ::close(c);
    }
    std::printf("served=%lu ok=%lu reset=%lu timeout=%lu other=%lu\n", served, counts[0], counts[1], counts[2],
                counts[3] + counts[4]);
    return served == counts[0] ? 0 : 1;
}

struct Result {
    Outcome outcome;
    int err;
    unsigned retrans;
};

Result one_connection(const sockaddr_in &addr, const std::string &request, int timeout_ms) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (s < 0) return {Outcome::Other, errno, 0};
    auto done = [&](int err) {
        tcp_info ti{};
        socklen_t len = sizeof ti;
        unsigned retrans = ::getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 ? ti.tcpi_total_retrans : 0;
        ::close(s);
        return Result{err ? from_errno(err) : Outcome::Ok, err, retrans};
    };

    int err = 0;
    if (::connect(s, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) < 0) {
        if (errno != EINPROGRESS) return done(errno);
        if ((err = wait_fd(s, POLLOUT, deadline))) return done(err);
        if ((err = socket_error(s))) return done(err);
    }
    if ((err = send_all(s, request.data(), request.size(), deadline))) return done(err);
    std::string reply;
    if ((err = read_to_eof(s, reply, request.size(), deadline))) return done(err);
    if (reply != request) return done(EBADMSG);
    if (::shutdown(s, SHUT_WR) < 0) return done(errno);
    // Our FIN is acknowledged when the socket leaves LAST_ACK for CLOSE.
    // No poll() event marks that, so look every 50 µs until the deadline.
    for (;;) {
        tcp_info ti{};
        socklen_t len = sizeof ti;
        if (::getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) return done(errno);
        if (ti.tcpi_state == TCP_CLOSE) break;
        if (Clock::now() >= deadline) return done(ETIMEDOUT);
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if ((err = socket_error(s))) return done(err);
    return done(0);
}

int connect_many(const char *ip, int port, long count, int timeout_ms, long bytes) {
    std::signal(SIGPIPE, SIG_IGN);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
        std::fprintf(stderr, "pl-short-conns: '%s' is not an IPv4 address\n", ip);
        return 2;
    }
    unsigned long counts[5] = {};
    unsigned long retrans = 0;
    for (long i = 0; i < count; ++i) {
        std::string request = "request " + std::to_string(i) + " ";
        request.resize(static_cast<size_t>(bytes), 'x');
        Result r = one_connection(addr, request, timeout_ms);
        ++counts[static_cast<int>(r.outcome)];
        retrans += r.retrans;
        if (r.outcome != Outcome::Ok)
            std::fprintf(stderr, "pl-short-conns: connection %ld: %s (%s)\n", i, outcome_name(r.outcome),
                         std::strerror(r.err));
    }
    std::printf("connections=%ld ok=%lu reset=%lu timeout=%lu refused=%lu other=%lu retrans=%lu\n", count, counts[0],
                counts[1], counts[2], counts[3], counts[4], retrans);
    return counts[0] == static_cast<unsigned long>(count) ? 0 : 1;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) return usage();
    std::string cmd = argv[1];
    long v = 0;
    if (cmd == "serve") {
        if (argc != 4 || std::strcmp(argv[2], "--port") != 0 || !parse_long(argv[3], 1, 65535, v)) return usage();
        return serve(static_cast<int>(v));
    }
    if (cmd == "connect") {
        if (argc < 4) return usage();
        long port = 0, count = 1, timeout_ms = 2000, bytes = 64;
        if (!parse_long(argv[3], 1, 65535, port)) return usage();
        for (int i = 4; i < argc; i += 2) {
            if (i + 1 >= argc) return usage();
            std::string opt = argv[i];
            if (opt == "--count" && parse_long(argv[i + 1], 1, 1000000, count)) continue;
            if (opt == "--timeout-ms" && parse_long(argv[i + 1], 1, 600000, timeout_ms)) continue;
            if (opt == "--bytes" && parse_long(argv[i + 1], 16, 65536, bytes)) continue;
            return usage();
        }
        return connect_many(argv[2], static_cast<int>(port), count, static_cast<int>(timeout_ms), bytes);
    }
    return usage();
}
