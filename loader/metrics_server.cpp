#include "metrics_server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>

namespace podlane {
namespace {

constexpr size_t kMaxRequest = 8192;
constexpr int kBindRetryMs = 5000;

// A whole exchange (request in, answer out) gets this long: a client that
// trickles bytes or reads slowly cannot hold the one server thread longer.
constexpr auto kConnectionDeadline = std::chrono::seconds(2);

using Clock = std::chrono::steady_clock;

// Waits until fd is ready for `events`, the deadline passes or stop_fd is
// written; true only in the first case.
bool wait_for(int fd, short events, Clock::time_point deadline, int stop_fd) {
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
        int n = ::poll(fds, 2, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || (fds[1].revents & POLLIN)) return false;
        return (fds[0].revents & (events | POLLHUP | POLLERR)) != 0;
    }
}

void send_all(int fd, std::string_view data, Clock::time_point deadline, int stop_fd) {
    while (!data.empty()) {
        if (!wait_for(fd, POLLOUT, deadline, stop_fd)) return;  // stalled past the deadline: its loss
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return;  // the client left
        data.remove_prefix(static_cast<size_t>(n));
    }
}

std::string response(std::string_view status, std::string_view type, const std::string &body, bool with_body) {
    std::string out = "HTTP/1.0 ";
    out += status;
    out += "\r\nContent-Type: ";
    out += type;
    out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    if (with_body) out += body;
    return out;
}

}  // namespace

Result<ListenAddress> parse_listen_address(const std::string &text) {
    const std::string what = "metrics address '" + text + "'";
    ListenAddress out;
    std::string_view rest = text;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) return Error{what + ": no ']' after the IPv6 address"};
        out.host = std::string(rest.substr(1, close - 1));
        rest.remove_prefix(close + 1);
        if (rest.empty() || rest.front() != ':') return Error{what + ": expected ':PORT' after ']'"};
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) return Error{what + ": expected HOST:PORT or :PORT (e.g. :9965)"};
        out.host = std::string(rest.substr(0, colon));
        rest.remove_prefix(colon);
    }
    rest.remove_prefix(1);
    if (rest.empty() || rest.size() > 5 || rest.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(rest)) > 65535)
        return Error{what + ": the port must be a number from 0 to 65535"};
    out.port = std::string(rest);
    return out;
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const std::string &address, MetricsRender render,
                                                            MetricsLog log) {
    auto parsed = parse_listen_address(address);
    if (!parsed) return parsed.error();
    // A host that does not resolve is a typo: said now, not retried forever.
    addrinfo hints{};
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (int rc =
            ::getaddrinfo(parsed->host.empty() ? nullptr : parsed->host.c_str(), parsed->port.c_str(), &hints, &found);
        rc != 0)
        return Error{"metrics address '" + address + "': " + gai_strerror(rc)};
    ::freeaddrinfo(found);
    UniqueFd stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop.valid()) return errno_error("eventfd", errno);
    std::unique_ptr<MetricsServer> server(
        new MetricsServer(std::move(*parsed), std::move(render), std::move(log), std::move(stop)));
    server->thread_ = std::thread([s = server.get()] { s->serve(); });
    return server;
}

MetricsServer::~MetricsServer() {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(stop_.get(), &one, sizeof one);
    if (thread_.joinable()) thread_.join();
}

Result<UniqueFd> MetricsServer::bind_listener() {
    // Every address: "::" first (a dual-stack socket serves both families),
    // then 0.0.0.0 for a node booted with IPv6 disabled.
    if (address_.host.empty()) {
        auto any6 = bind_family(AF_INET6);
        return any6 ? std::move(any6) : bind_family(AF_INET);
    }
    return bind_family(AF_UNSPEC);
}

Result<UniqueFd> MetricsServer::bind_family(int family) {
    addrinfo hints{};
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = family;
    addrinfo *found = nullptr;
    int rc =
        ::getaddrinfo(address_.host.empty() ? nullptr : address_.host.c_str(), address_.port.c_str(), &hints, &found);
    if (rc != 0) return Error{std::string("resolve: ") + gai_strerror(rc)};
    Error last{"no address to listen on"};
    for (addrinfo *ai = found; ai; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (!fd.valid()) {
            last = errno_error("socket", errno);
            continue;
        }
        int on = 1, off = 0;
        // A restarted podlaned binds at once, past the old one's TIME_WAITs.
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (ai->ai_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) < 0 || ::listen(fd.get(), 16) < 0) {
            last = errno_error("listen", errno);
            continue;
        }
        sockaddr_storage bound{};
        socklen_t len = sizeof bound;
        ::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&bound), &len);
        bound_port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port
                                                        : reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
        ::freeaddrinfo(found);
        return fd;
    }
    ::freeaddrinfo(found);
    return last;
}

void MetricsServer::serve() {
    const std::string where = (address_.host.empty() ? "" : address_.host) + ":" + address_.port;
    UniqueFd listener;
    bool failure_logged = false;
    for (;;) {
        if (!listener.valid()) {
            auto bound = bind_listener();
            if (bound) {
                listener = std::move(*bound);
                if (log_)
                    log_("metrics: serving /metrics on " + (address_.host.empty() ? "*" : address_.host) + ":" +
                         std::to_string(bound_port_.load()));
            } else if (!failure_logged) {
                if (log_)
                    log_("warning: metrics on " + where + ": " + bound.error().message + " (retrying every " +
                         std::to_string(kBindRetryMs / 1000) + " s; the dataplane is not affected)");
                failure_logged = true;
            }
        }
        pollfd fds[2] = {{stop_.get(), POLLIN, 0}, {listener.valid() ? listener.get() : -1, POLLIN, 0}};
        if (::poll(fds, 2, listener.valid() ? -1 : kBindRetryMs) < 0 && errno != EINTR) return;
        if (fds[0].revents & POLLIN) return;
        if (!(fds[1].revents & POLLIN)) continue;
        UniqueFd client(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
        if (client.valid()) answer(client.get());
    }
}

void MetricsServer::answer(int client) {
    const auto deadline = Clock::now() + kConnectionDeadline;
    auto reply = [&](std::string_view status, std::string_view type, const std::string &body, bool with_body) {
        send_all(client, response(status, type, body, with_body), deadline, stop_.get());
    };
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos && request.find("\n\n") == std::string::npos) {
        if (request.size() >= kMaxRequest)
            return reply("431 Request Header Fields Too Large", "text/plain", "too large\n", true);
        if (!wait_for(client, POLLIN, deadline, stop_.get())) return;  // too slow, or stopping
        ssize_t n = ::recv(client, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) return;  // closed
        request.append(buf, static_cast<size_t>(n));
    }
    std::string_view line(request);
    line = line.substr(0, line.find_first_of("\r\n"));
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) return reply("400 Bad Request", "text/plain", "bad request line\n", true);
    std::string_view method = line.substr(0, sp1);
    std::string_view path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    path = path.substr(0, path.find('?'));
    const bool head = method == "HEAD";
    if (method != "GET" && !head) return reply("405 Method Not Allowed", "text/plain", "GET or HEAD only\n", true);
    if (path == "/")
        return reply("200 OK", "text/html; charset=utf-8",
                     "<html><body><a href=\"/metrics\">/metrics</a></body></html>\n", !head);
    if (path != "/metrics") return reply("404 Not Found", "text/plain", "only /metrics is served here\n", !head);
    reply("200 OK", "text/plain; version=0.0.4; charset=utf-8", render_(), !head);
}

}  // namespace podlane
