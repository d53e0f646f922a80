// podlaned's /metrics server, over real TCP in a private namespace: what a
// Prometheus scrape, a curl and a stuck client each get.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "metrics_server.h"
#include "podlane/netlink.h"
#include "podlane/unique_fd.h"
#include "privileges.h"

namespace podlane {
namespace {

UniqueFd connect_to(int port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&sa), sizeof sa) < 0) return UniqueFd{};
    return fd;
}

std::string exchange(int port, const std::string &request) {
    UniqueFd fd = connect_to(port);
    if (!fd.valid()) return "connect failed";
    ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd.get(), buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
}

int wait_bound(const MetricsServer &s) {
    for (int i = 0; i < 200 && s.bound_port() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return s.bound_port();
}

class MetricsServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        PODLANE_REQUIRE_ROOT();
        if (auto why = test::enter_private_netns(); !why.empty()) GTEST_SKIP() << why;
        auto nl = Netlink::open();
        ASSERT_TRUE(nl);
        auto lo = nl->find_link("lo");
        ASSERT_TRUE(lo && *lo);
        ASSERT_TRUE(nl->set_up((*lo)->index));
    }
};

TEST_F(MetricsServerTest, GetHeadAndWrongRequests) {
    std::atomic<int> renders{0};
    auto server = MetricsServer::start("127.0.0.1:0",
                                       [&] {
                                           ++renders;
                                           return std::string("# TYPE podlane_test gauge\npodlane_test 1\n");
                                       },
                                       {});
    ASSERT_TRUE(server) << server.error().message;
    const int port = wait_bound(**server);
    ASSERT_NE(port, 0);

    auto get = exchange(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n");
    EXPECT_EQ(get.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << get;
    EXPECT_NE(get.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << get;
    EXPECT_NE(get.find("Content-Length: 41\r\n"), std::string::npos) << get;
    EXPECT_NE(get.find("\r\n\r\n# TYPE podlane_test gauge\npodlane_test 1\n"), std::string::npos) << get;

    auto query = exchange(port, "GET /metrics?name[]=x HTTP/1.1\r\n\r\n");
    EXPECT_EQ(query.rfind("HTTP/1.0 200 OK", 0), 0u) << query;

    auto head = exchange(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
    EXPECT_EQ(head.rfind("HTTP/1.0 200 OK", 0), 0u) << head;
    EXPECT_EQ(head.find("podlane_test"), std::string::npos) << "HEAD has no body: " << head;

    EXPECT_EQ(exchange(port, "GET /other HTTP/1.1\r\n\r\n").rfind("HTTP/1.0 404", 0), 0u);
    EXPECT_EQ(exchange(port, "POST /metrics HTTP/1.1\r\n\r\n").rfind("HTTP/1.0 405", 0), 0u);
    EXPECT_EQ(exchange(port, "garbage\r\n\r\n").rfind("HTTP/1.0 400", 0), 0u);
    EXPECT_EQ(renders.load(), 3) << "rendered for the two GETs and the HEAD only";
}

TEST_F(MetricsServerTest, ASilentClientDoesNotHoldOthersUpLong) {
    auto server = MetricsServer::start("127.0.0.1:0", [] { return std::string("ok 1\n"); }, {});
    ASSERT_TRUE(server) << server.error().message;
    const int port = wait_bound(**server);
    ASSERT_NE(port, 0);
    UniqueFd silent = connect_to(port);  // connects, never sends
    ASSERT_TRUE(silent.valid());
    const auto t0 = std::chrono::steady_clock::now();
    auto got = exchange(port, "GET /metrics HTTP/1.0\r\n\r\n");
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(got.rfind("HTTP/1.0 200 OK", 0), 0u) << got;
    EXPECT_LT(took, std::chrono::seconds(3)) << "the silent client is dropped after its one second";
}

TEST_F(MetricsServerTest, ATricklingClientIsCutAtTheDeadline) {
    auto server = MetricsServer::start("127.0.0.1:0", [] { return std::string("ok 1\n"); }, {});
    ASSERT_TRUE(server) << server.error().message;
    const int port = wait_bound(**server);
    ASSERT_NE(port, 0);
    UniqueFd slow = connect_to(port);
    ASSERT_TRUE(slow.valid());
    std::atomic<bool> done{false};
    std::thread trickle([&] {  // one byte every 300 ms, never a whole request
        while (!done && ::send(slow.get(), "G", 1, MSG_NOSIGNAL) == 1)
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto t0 = std::chrono::steady_clock::now();
    auto got = exchange(port, "GET /metrics HTTP/1.0\r\n\r\n");
    const auto took = std::chrono::steady_clock::now() - t0;
    done = true;
    trickle.join();
    EXPECT_EQ(got.rfind("HTTP/1.0 200 OK", 0), 0u) << got;
    EXPECT_LT(took, std::chrono::seconds(4)) << "the trickling client holds the server for its 2 s deadline at most";
}

TEST_F(MetricsServerTest, APortInUseIsRetriedNotFatal) {
    auto first = MetricsServer::start("127.0.0.1:0", [] { return std::string("first 1\n"); }, {});
    ASSERT_TRUE(first) << first.error().message;
    const int port = wait_bound(**first);
    ASSERT_NE(port, 0);
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    auto second = MetricsServer::start(
        "127.0.0.1:" + std::to_string(port), [] { return std::string("second 1\n"); },
        [&](const std::string &l) {
            std::lock_guard lock(lines_mutex);
            lines.push_back(l);
        });
    ASSERT_TRUE(second) << "a port in use must not fail start: " << second.error().message;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    {
        std::lock_guard lock(lines_mutex);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_NE(lines[0].find("retrying every 5 s"), std::string::npos) << lines[0];
    }
    EXPECT_EQ((*second)->bound_port(), 0);
    first->reset();  // the old agent goes away: the new one takes the port
    for (int i = 0; i < 80 && (*second)->bound_port() == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ((*second)->bound_port(), port);
    EXPECT_NE(exchange(port, "GET /metrics HTTP/1.0\r\n\r\n").find("second 1"), std::string::npos);
}

TEST(MetricsServerStart, AnUnresolvableHostIsAnErrorAtOnce) {
    auto bad = MetricsServer::start("no-such-host.invalid:9965", [] { return std::string(); }, {});
    EXPECT_FALSE(bad);
    auto malformed = MetricsServer::start("9965", [] { return std::string(); }, {});
    ASSERT_FALSE(malformed);
    EXPECT_NE(malformed.error().message.find("HOST:PORT"), std::string::npos) << malformed.error().message;
}

}  // namespace
}  // namespace podlane
