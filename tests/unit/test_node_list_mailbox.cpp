#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

#include "node_list_mailbox.h"

namespace podlane {
namespace {

ClusterNode node(const char *name) {
    return {name, *Ipv4::parse("192.160.1.11"), *Cidr::parse("10.244.1.0/24"), {}, {}};
}

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 2000) == 1 && (p.revents & POLLIN);
}

TEST(NodeListMailbox, TheLoopWakesAndTakesOnlyTheNewestList) {
    NodeListMailbox mailbox;
    ASSERT_FALSE(mailbox.is_open());
    ASSERT_TRUE(mailbox.open().ok());
    auto publish = mailbox.callback();
    const auto before = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point between;
    std::thread source([&] {
        publish({node("a")});
        between = std::chrono::steady_clock::now();
        publish({node("a"), node("b")});
    });
    source.join();
    ASSERT_TRUE(readable(mailbox.fd()));
    auto got = mailbox.take();
    ASSERT_TRUE(got);
    ASSERT_EQ(got->nodes.size(), 2u) << "an older list must not be delivered after a newer one";
    EXPECT_EQ(got->nodes[1].name, "b");
    // Convergence is measured from the first change not yet taken.
    EXPECT_GE(got->published_at, before);
    EXPECT_LE(got->published_at, between);
    EXPECT_FALSE(mailbox.take()) << "taken once";
    pollfd p{mailbox.fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0) << "the eventfd is drained by take()";
}

}  // namespace
}  // namespace podlane
