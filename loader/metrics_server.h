// The /metrics endpoint of podlaned: a small HTTP/1.0 server on its own
// thread, answering GET and HEAD of /metrics with what render() returns.
// Scrapes never wait on the agent's loop, and a slow or hostile client
// holds the server for at most two seconds per connection.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "podlane/result.h"
#include "podlane/unique_fd.h"

namespace podlane {

using MetricsRender = std::function<std::string()>;
using MetricsLog = std::function<void(const std::string &)>;

// "host:port", ":port" (every address), "[v6]:port". Empty: metrics off.
struct ListenAddress {
    std::string host;  // empty: every address
    std::string port;
};
Result<ListenAddress> parse_listen_address(const std::string &text);

class MetricsServer {
public:
    // Binds now when it can; when the address is taken (an old podlaned
    // still stopping) the thread keeps trying every few seconds, logging
    // once: metrics never stop the dataplane from coming up.
    static Result<std::unique_ptr<MetricsServer>> start(const std::string &address, MetricsRender render,
                                                        MetricsLog log);
    ~MetricsServer();
    MetricsServer(const MetricsServer &) = delete;
    MetricsServer &operator=(const MetricsServer &) = delete;

    // The port bound (0 until bound): for tests that listen on port 0.
    int bound_port() const { return bound_port_.load(); }

private:
    MetricsServer(ListenAddress address, MetricsRender render, MetricsLog log, UniqueFd stop)
        : address_(std::move(address)), render_(std::move(render)), log_(std::move(log)), stop_(std::move(stop)) {}
    void serve();
    Result<UniqueFd> bind_listener();
    Result<UniqueFd> bind_family(int family);  // AF_INET6, AF_INET or AF_UNSPEC
    void answer(int client);

    ListenAddress address_;
    MetricsRender render_;
    MetricsLog log_;
    UniqueFd stop_;  // eventfd: written by the destructor
    std::atomic<int> bound_port_{0};
    std::thread thread_;
};

}  // namespace podlane
