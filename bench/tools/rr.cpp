// pl-bench-rr: request/response over TCP, the two netperf patterns the
// benchmark needs, with one JSON line of results on stdout.
//
//   pl-bench-rr serve --port P
//       echo server (one epoll thread): every byte read is written back; a
//       peer's close closes the connection. Serves RR and CRR clients alike.
//   pl-bench-rr rr  --host IP --port P [--seconds S]
//       TCP_RR: one connection, 1-byte request, 1-byte response, repeated.
//       Prints transactions/s and the p50/p99/max round-trip latency (us).
//   pl-bench-rr crr --host IP --port P [--seconds S]
//       TCP_CRR: connect, 1-byte request, 1-byte response, close, repeated.
//       Prints connections/s and the p50/p99 time of one whole cycle (us).
//
// Why a tool of our own: sockperf covers ping-pong but not the CRR pattern,
// and netperf is not in Debian main; both patterns from one binary keep the
// figures comparable between paths.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "tool_support.h"

namespace {

using Clock = std::chrono::steady_clock;

int usage() {
    std::fprintf(stderr,
                 "usage: pl-bench-rr serve --port P\n"
                 "       pl-bench-rr rr  --host IP --port P [--seconds S]\n"
                 "       pl-bench-rr crr --host IP --port P [--seconds S]\n");
    return 2;
}

struct Args {
    std::string mode, host;
    int port = 0;
    double seconds = 5;
};

bool parse(int argc, char **argv, Args &a) {
    if (argc < 2) return false;
    a.mode = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string_view k = argv[i];
        if (k == "--port")
            a.port = std::atoi(argv[i + 1]);
        else if (k == "--host")
            a.host = argv[i + 1];
        else if (k == "--seconds")
            a.seconds = std::atof(argv[i + 1]);
        else
            return false;
    }
    if ((argc - 2) % 2 != 0) return false;
    if (a.port < 1 || a.port > 65535 || a.seconds <= 0) return false;
    if (a.mode != "serve" && a.host.empty()) return false;
    return a.mode == "serve" || a.mode == "rr" || a.mode == "crr";
}

[[noreturn]] void die(const char *what) {
    std::fprintf(stderr, "pl-bench-rr: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

void set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// --- server -----------------------------------------------------------------
int serve(int port) {
    std::signal(SIGPIPE, SIG_IGN);
    // Both families: the IPv6 paths are measured against the same server.
    int lfd = podlane::tools::bound_socket("pl-bench-rr", SOCK_STREAM, port, 4096);
    if (lfd < 0) std::exit(1);
    if (fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) < 0) die("fcntl");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    std::fprintf(stderr, "pl-bench-rr: serving on port %d\n", port);
    std::vector<epoll_event> events(256);
    char buf[4096];
    for (;;) {
        int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == lfd) {
                for (;;) {
                    int c = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (c < 0) break;
                    set_nodelay(c);
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0) {
                // 1-byte messages: the write never blocks in practice.
                if (write(fd, buf, static_cast<size_t>(r)) < 0 && errno != EAGAIN) r = 0;
            }
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) close(fd);  // also leaves epoll
        }
    }
}

// --- clients ----------------------------------------------------------------
podlane::tools::SocketAddress target(const Args &a) {
    auto addr = podlane::tools::parse_socket_address(a.host.c_str(), a.port);
    if (!addr) {
        std::fprintf(stderr, "pl-bench-rr: bad host '%s' (an IPv4 or IPv6 address)\n", a.host.c_str());
        std::exit(2);
    }
    return *addr;
}

bool exchange(int fd) {
    char c = 'x';
    if (write(fd, &c, 1) != 1) return false;
    for (;;) {
        ssize_t r = read(fd, &c, 1);
        if (r == 1) return true;
        if (r < 0 && errno == EINTR) continue;
        return false;
    }
}

double pct(std::vector<float> &v, double p) {
    if (v.empty()) return 0;
    size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

void report(const char *mode, const char *rate_name, size_t count, double elapsed, std::vector<float> &lat_us,
            size_t errors) {
    double mx = lat_us.empty() ? 0 : *std::max_element(lat_us.begin(), lat_us.end());
    double p50 = pct(lat_us, 0.50), p99 = pct(lat_us, 0.99);
    std::printf(
        "{\"mode\":\"%s\",\"%s\":%.1f,\"count\":%zu,\"seconds\":%.3f,\"p50_us\":%.2f,\"p99_us\":%.2f,"
        "\"max_us\":%.2f,\"errors\":%zu}\n",
        mode, rate_name, static_cast<double>(count) / elapsed, count, elapsed, p50, p99, mx, errors);
}

int client_rr(const Args &a) {
    auto addr = target(a);
    int fd = socket(addr.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    set_nodelay(fd);
    if (connect(fd, addr.get(), addr.length) < 0) die("connect");
    // Warm-up: neighbour resolution and the first slow-path packets.
    for (int i = 0; i < 200; i++)
        if (!exchange(fd)) die("warm-up exchange");
    std::vector<float> lat;
    lat.reserve(1 << 20);
    auto start = Clock::now();
    auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
    auto t = start;
    while (t < end) {
        if (!exchange(fd)) die("exchange");
        auto now = Clock::now();
        lat.push_back(std::chrono::duration<float, std::micro>(now - t).count());
        t = now;
    }
    double elapsed = std::chrono::duration<double>(t - start).count();
    close(fd);
    report("rr", "tps", lat.size(), elapsed, lat, 0);
    return 0;
}

int client_crr(const Args &a) {
    auto addr = target(a);
    std::vector<float> lat;
    lat.reserve(1 << 20);
    size_t errors = 0;
    auto cycle = [&]() {
        int fd = socket(addr.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        set_nodelay(fd);
        bool ok = connect(fd, addr.get(), addr.length) == 0 && exchange(fd);
        close(fd);
        return ok;
    };
    for (int i = 0; i < 50; i++) cycle();  // warm-up
    auto start = Clock::now();
    auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a.seconds));
    auto t = start;
    while (t < end) {
        bool ok = cycle();
        auto now = Clock::now();
        if (ok)
            lat.push_back(std::chrono::duration<float, std::micro>(now - t).count());
        else if (++errors > 1000)
            die("connect/exchange keeps failing");
        t = now;
    }
    double elapsed = std::chrono::duration<double>(t - start).count();
    report("crr", "cps", lat.size(), elapsed, lat, errors);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    Args a;
    if (!parse(argc, argv, a)) return usage();
    if (a.mode == "serve") return serve(a.port);
    if (a.mode == "rr") return client_rr(a);
    return client_crr(a);
}
