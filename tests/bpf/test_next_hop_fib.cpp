// The bpf_fib_lookup next-hop variant (`podlaned --next-hop fib`): with a
// resolved neighbour it writes the MACs itself; without one it falls back
// to bpf_redirect_neigh. Either way the packet is forwarded.
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>

#include <cstdlib>

#include "bpf_node.h"
#include "packet.h"

namespace podlane::test {
namespace {

class NextHopFib : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        skip_reason_ = BpfTestNode::create(node_, "fib", {.netfilter = NetfilterMode::Bypass, .next_hop_fib = true});
    }
    static void TearDownTestSuite() { node_.reset(); }
    void SetUp() override {
        if (!node_) GTEST_SKIP() << skip_reason_;
        node_->seed_standard_node();
    }
    static std::unique_ptr<BpfTestNode> node_;
    static std::string skip_reason_;
};
std::unique_ptr<BpfTestNode> NextHopFib::node_;
std::string NextHopFib::skip_reason_;

TEST_F(NextHopFib, UnresolvedNeighbourFallsBackToRedirectNeigh) {
    auto frame = PacketBuilder{}.dst("10.244.2.20").build();
    auto r = node_->run(node_->datapath().from_pod_fd(), frame);
    EXPECT_EQ(r.retval, TC_ACT_REDIRECT);
    EXPECT_EQ(frame_dst_mac(r.out), frame_dst_mac(frame)) << "MACs left for the kernel to fill";
}

TEST_F(NextHopFib, ResolvedNeighbourGetsItsMacWritten) {
    // The test process lives in a private network namespace (BpfTestNode).
    // The veth needs its peer up for carrier, or the route is link-down.
    // bpf_fib_lookup also requires forwarding on (podlaned enables it).
    ASSERT_EQ(std::system("sysctl -qw net.ipv4.ip_forward=1 && ip link set tup1500p up && ip addr replace "
                          "192.160.1.11/24 dev tup1500 && "
                          "ip neigh replace 192.160.1.12 lladdr 02:00:00:00:01:12 dev tup1500 nud permanent"),
              0);
    auto frame = PacketBuilder{}.dst("10.244.2.20").build();
    auto r = node_->run(node_->datapath().from_pod_fd(), frame);
    EXPECT_EQ(r.retval, TC_ACT_REDIRECT);
    EXPECT_EQ(frame_dst_mac(r.out), (MacBytes{0x02, 0, 0, 0, 0x01, 0x12}));
    EXPECT_TRUE(ipv4_checksum_ok(r.out));
    EXPECT_EQ(r.out[kTtlOffset], frame[kTtlOffset] - 1);
}

}  // namespace
}  // namespace podlane::test
