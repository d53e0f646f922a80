// The node programs over crafted IPv6 frames: the same decisions as IPv4
// (tests/bpf/test_programs.cpp), the hop limit in place of the TTL, and the
// IPv6-only cases: scope (neighbour discovery), extension headers, and
// malformed headers.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cstring>
#include <functional>

#include "bpf_node.h"
#include "packet.h"

namespace podlane::test {
namespace {

enum class Prog { FromPod, UplinkTc, UplinkXdp };

struct Case {
    const char *name;
    Prog prog;
    Packet6Builder packet;
    int verdict;
    podlane_reason reason;
    std::function<void(const std::vector<uint8_t> &in, const std::vector<uint8_t> &out)> check = nullptr;
    uint32_t ingress = kStdPodHostIfindex;
};

constexpr uint32_t kSecondPodHostIfindex = 43;
constexpr uint8_t kHopByHop = 0, kRouting = 43, kDestOpts = 60, kAuth = 51, kIcmp6 = 58;

MacBytes mac(const uint8_t (&m)[6]) {
    MacBytes out;
    std::memcpy(out.data(), m, 6);
    return out;
}

void hop_limit_decremented(const std::vector<uint8_t> &in, const std::vector<uint8_t> &out) {
    EXPECT_EQ(out[kHopLimitOffset], in[kHopLimitOffset] - 1) << "a router decrements the hop limit once per node";
    EXPECT_TRUE(std::equal(in.begin() + kIpOffset + 8, in.end(), out.begin() + kIpOffset + 8))
        << "only the hop limit (and MACs) change";
}

void untouched(const std::vector<uint8_t> &in, const std::vector<uint8_t> &out) {
    EXPECT_EQ(in, out) << "pass must not modify the packet";
}

void delivered_to_pod_from_uplink(const std::vector<uint8_t> &in, const std::vector<uint8_t> &out) {
    hop_limit_decremented(in, out);
    EXPECT_EQ(frame_dst_mac(out), mac(kStdPodMac));
    EXPECT_EQ(frame_src_mac(out), mac(kStdGatewayMac));
}

Packet6Builder pkt() {
    return Packet6Builder{};
}

// What another node's pod sends to a local pod.
Packet6Builder up() {
    return Packet6Builder{}.src("fd00:10:244:2::14").dst("fd00:10:244:1::a");
}

const Case kCases[] = {
    // --- pod side
    {"remote pod is redirected toward its node", Prog::FromPod, pkt(), TC_ACT_REDIRECT, PODLANE_FWD_REMOTE,
     hop_limit_decremented},
    {"TCP to a remote pod is redirected", Prog::FromPod, pkt().tcp(40000, 80, 0x10), TC_ACT_REDIRECT,
     PODLANE_FWD_REMOTE, hop_limit_decremented},
    {"ICMPv6 echo to a remote pod is redirected", Prog::FromPod, pkt().protocol(kIcmp6), TC_ACT_REDIRECT,
     PODLANE_FWD_REMOTE, hop_limit_decremented},
    {"remote pod behind a jumbo uplink takes a 3000-byte packet", Prog::FromPod,
     pkt().dst("fd00:10:244:3::14").payload_size(3000), TC_ACT_REDIRECT, PODLANE_FWD_REMOTE, hop_limit_decremented},
    {"packet over the route's uplink MTU goes to the kernel for packet-too-big", Prog::FromPod,
     pkt().payload_size(3000), TC_ACT_OK, PODLANE_PASS_FRAG_NEEDED, untouched},
    {"hop limit 1 goes to the kernel for time-exceeded", Prog::FromPod, pkt().hop_limit(1), TC_ACT_OK,
     PODLANE_PASS_TTL_EXPIRED, untouched},
    {"hop limit 0 goes to the kernel", Prog::FromPod, pkt().hop_limit(0), TC_ACT_OK, PODLANE_PASS_TTL_EXPIRED,
     untouched},
    {"local pod is delivered into its namespace", Prog::FromPod, pkt().src("fd00:10:244:1::b").dst("fd00:10:244:1::a"),
     TC_ACT_REDIRECT, PODLANE_FWD_LOCAL,
     [](auto &in, auto &out) {
         EXPECT_EQ(out[kHopLimitOffset], in[kHopLimitOffset]) << "same subnet: an L2 hop";
         EXPECT_EQ(frame_dst_mac(out), mac(kStdPodMac));
     },
     kSecondPodHostIfindex},
    {"unregistered local pod is left to the bridge", Prog::FromPod, pkt().dst("fd00:10:244:1::99"), TC_ACT_OK,
     PODLANE_PASS_NO_ENDPOINT, untouched},
    {"the gateway address is the node's", Prog::FromPod, pkt().dst("fd00:10:244:1::1"), TC_ACT_OK, PODLANE_PASS_TO_NODE,
     untouched},
    {"the node's own IPv6 address is the node's", Prog::FromPod, pkt().dst("fd00:192:160:1::11"), TC_ACT_OK,
     PODLANE_PASS_TO_NODE, untouched},
    {"outside world goes to the kernel", Prog::FromPod, pkt().dst("2001:db8::7"), TC_ACT_OK, PODLANE_PASS_NO_ROUTE,
     untouched},
    {"multicast goes to the kernel", Prog::FromPod, pkt().dst("ff02::fb"), TC_ACT_OK, PODLANE_PASS_BROADCAST,
     untouched},
    {"neighbour solicitation for the gateway (solicited-node multicast)", Prog::FromPod,
     pkt().dst("ff02::1:ff00:1").protocol(kIcmp6).hop_limit(255), TC_ACT_OK, PODLANE_PASS_BROADCAST, untouched},
    {"DAD from the unspecified address passes before the source check", Prog::FromPod,
     pkt().src("::").dst("ff02::1:ff00:a").protocol(kIcmp6).hop_limit(255), TC_ACT_OK, PODLANE_PASS_IPV6_SCOPE,
     untouched},
    {"link-local source passes before the source check", Prog::FromPod,
     pkt().src("fe80::858:aff:fef4:10a").dst("fd00:10:244:2::14"), TC_ACT_OK, PODLANE_PASS_IPV6_SCOPE, untouched},
    {"link-local destination (the gateway's) passes", Prog::FromPod, pkt().dst("fe80::1").protocol(kIcmp6), TC_ACT_OK,
     PODLANE_PASS_IPV6_SCOPE, untouched},

    // --- extension headers
    {"hop-by-hop options go to the kernel", Prog::FromPod, pkt().ext(kHopByHop), TC_ACT_OK, PODLANE_PASS_IPV6_EXTHDR,
     untouched},
    {"destination options and routing header are walked and forwarded", Prog::FromPod,
     pkt().ext(kDestOpts).ext(kRouting, 1).tcp(40000, 80, 0x10), TC_ACT_REDIRECT, PODLANE_FWD_REMOTE,
     hop_limit_decremented},
    {"an authentication header is walked and forwarded", Prog::FromPod, pkt().ext(kAuth, 4), TC_ACT_REDIRECT,
     PODLANE_FWD_REMOTE, hop_limit_decremented},
    {"four extension headers are walked", Prog::FromPod,
     pkt().ext(kDestOpts).ext(kRouting).ext(kAuth, 2).ext(kDestOpts, 3), TC_ACT_REDIRECT, PODLANE_FWD_REMOTE,
     hop_limit_decremented},
    {"a fifth extension header goes to the kernel", Prog::FromPod,
     pkt().ext(kDestOpts).ext(kRouting).ext(kDestOpts).ext(kDestOpts).ext(kDestOpts), TC_ACT_OK,
     PODLANE_PASS_IPV6_EXTHDR, untouched},
    {"hop-by-hop after another header goes to the kernel", Prog::FromPod, pkt().ext(kDestOpts).ext(kHopByHop),
     TC_ACT_OK, PODLANE_PASS_IPV6_EXTHDR, untouched},
    {"an extension header running past the payload is dropped as truncated", Prog::FromPod,
     pkt().ext(kDestOpts, 40).truncate(14 + 40 + 100), TC_ACT_SHOT, PODLANE_DROP_TRUNCATED_IPV6},
    {"a first fragment is forwarded like a whole packet", Prog::FromPod, pkt().fragment(0, true).tcp(1, 2, 0x10),
     TC_ACT_REDIRECT, PODLANE_FWD_REMOTE, hop_limit_decremented},
    {"a later fragment is forwarded like a whole packet", Prog::FromPod, pkt().fragment(185, false), TC_ACT_REDIRECT,
     PODLANE_FWD_REMOTE, hop_limit_decremented},

    // --- malformed: ip6_rcv's checks before a forward
    {"payload length beyond the frame is dropped", Prog::FromPod, pkt().payload_len(500), TC_ACT_SHOT,
     PODLANE_DROP_TRUNCATED_IPV6},
    {"version 4 in an IPv6 frame is dropped", Prog::FromPod, pkt().version(4), TC_ACT_SHOT,
     PODLANE_DROP_BAD_IPV6_HEADER},
    {"a frame for another host's MAC is not routed", Prog::FromPod, pkt().eth_dst({0x02, 0, 0, 0, 0, 0x99}), TC_ACT_OK,
     PODLANE_PASS_NOT_FOR_HOST, untouched},

    // --- anti-spoofing, per-veth mode
    {"spoof: another local pod's address", Prog::FromPod, pkt().src("fd00:10:244:1::b"), TC_ACT_SHOT,
     PODLANE_DROP_SPOOFED_SOURCE},
    {"spoof: the right address from the wrong veth", Prog::FromPod, pkt(), TC_ACT_SHOT, PODLANE_DROP_SPOOFED_SOURCE,
     nullptr, kSecondPodHostIfindex},
    {"spoof: another node's pod", Prog::FromPod, pkt().src("fd00:10:244:2::14").dst("fd00:10:244:3::14"), TC_ACT_SHOT,
     PODLANE_DROP_SPOOFED_SOURCE},
    {"spoof: loopback", Prog::FromPod, pkt().src("::1"), TC_ACT_SHOT, PODLANE_DROP_SPOOFED_SOURCE},
    {"spoof: checked before the destination: even to the node", Prog::FromPod,
     pkt().src("fd00:10:244:2::14").dst("fd00:192:160:1::11"), TC_ACT_SHOT, PODLANE_DROP_SPOOFED_SOURCE},

    // --- uplink receive, TC
    {"uplink: local pod is routed into its namespace", Prog::UplinkTc, up(), TC_ACT_REDIRECT, PODLANE_FWD_LOCAL,
     delivered_to_pod_from_uplink},
    {"uplink: with extension headers", Prog::UplinkTc, up().ext(kDestOpts).ext(kRouting, 2), TC_ACT_REDIRECT,
     PODLANE_FWD_LOCAL, delivered_to_pod_from_uplink},
    {"uplink: unregistered pod in the local CIDR goes to the kernel", Prog::UplinkTc, up().dst("fd00:10:244:1::99"),
     TC_ACT_OK, PODLANE_PASS_NO_ENDPOINT, untouched},
    {"uplink: node traffic passes untouched", Prog::UplinkTc, up().src("fd00:192:160:1::12").dst("fd00:192:160:1::11"),
     TC_ACT_OK, PODLANE_PASS_TO_NODE, untouched},
    {"uplink: another node's pods are not ours", Prog::UplinkTc, up().dst("fd00:10:244:3::14"), TC_ACT_OK,
     PODLANE_PASS_NO_ROUTE, untouched},
    {"uplink: hop limit 1 goes to the kernel", Prog::UplinkTc, up().hop_limit(1), TC_ACT_OK, PODLANE_PASS_TTL_EXPIRED,
     untouched},
    {"uplink: neighbour solicitation from a link-local address passes", Prog::UplinkTc,
     up().src("fe80::12").dst("ff02::1:ff00:11").protocol(kIcmp6).hop_limit(255), TC_ACT_OK, PODLANE_PASS_IPV6_SCOPE,
     untouched},
    {"uplink: multicast source is dropped", Prog::UplinkTc, up().src("ff05::1"), TC_ACT_SHOT,
     PODLANE_DROP_MARTIAN_SOURCE},
    {"uplink: loopback source is dropped", Prog::UplinkTc, up().src("::1"), TC_ACT_SHOT, PODLANE_DROP_MARTIAN_SOURCE},
    {"uplink: IPv4-mapped source is dropped", Prog::UplinkTc, up().src("::ffff:10.244.2.20"), TC_ACT_SHOT,
     PODLANE_DROP_MARTIAN_SOURCE},
    {"uplink: this node's own pod address from outside is dropped", Prog::UplinkTc, up().src("fd00:10:244:1::b"),
     TC_ACT_SHOT, PODLANE_DROP_LOCAL_SOURCE_ON_UPLINK},
    {"uplink: payload length beyond the frame is dropped", Prog::UplinkTc, up().payload_len(400), TC_ACT_SHOT,
     PODLANE_DROP_TRUNCATED_IPV6},
    {"uplink: a frame for another host's MAC is not routed", Prog::UplinkTc, up().eth_dst({0x02, 0, 0, 0, 0, 0x99}),
     TC_ACT_OK, PODLANE_PASS_NOT_FOR_HOST, untouched},
    {"uplink: hop-by-hop options go to the kernel", Prog::UplinkTc, up().ext(kHopByHop), TC_ACT_OK,
     PODLANE_PASS_IPV6_EXTHDR, untouched},

    // --- uplink receive, XDP
    {"xdp: local pod is redirected to its veth", Prog::UplinkXdp, up(), XDP_REDIRECT, PODLANE_FWD_LOCAL,
     delivered_to_pod_from_uplink},
    {"xdp: with a fragment header", Prog::UplinkXdp, up().fragment(0, true), XDP_REDIRECT, PODLANE_FWD_LOCAL,
     delivered_to_pod_from_uplink},
    {"xdp: hop limit 1 goes to the kernel", Prog::UplinkXdp, up().hop_limit(1), XDP_PASS, PODLANE_PASS_TTL_EXPIRED,
     untouched},
    {"xdp: node traffic passes untouched", Prog::UplinkXdp, up().dst("fd00:192:160:1::11"), XDP_PASS,
     PODLANE_PASS_TO_NODE, untouched},
    {"xdp: truncated IPv6 header is dropped", Prog::UplinkXdp, up().truncate(14 + 30), XDP_DROP,
     PODLANE_DROP_TRUNCATED_IPV6},
    {"xdp: version 4 in an IPv6 frame is dropped", Prog::UplinkXdp, up().version(4), XDP_DROP,
     PODLANE_DROP_BAD_IPV6_HEADER},
    {"xdp: payload length beyond the frame is dropped", Prog::UplinkXdp, up().payload_len(400), XDP_DROP,
     PODLANE_DROP_TRUNCATED_IPV6},
    {"xdp: an extension header cut off mid-way goes to the kernel (which drops it)", Prog::UplinkXdp,
     up().ext(kRouting).truncate(14 + 40 + 4), XDP_PASS, PODLANE_PASS_IPV6_EXTHDR, untouched},
    {"xdp: loopback source is dropped", Prog::UplinkXdp, up().src("::1"), XDP_DROP, PODLANE_DROP_MARTIAN_SOURCE},
    {"xdp: this node's own pod address from outside is dropped", Prog::UplinkXdp, up().src("fd00:10:244:1::b"),
     XDP_DROP, PODLANE_DROP_LOCAL_SOURCE_ON_UPLINK},
    {"xdp: a multicast frame is not routed", Prog::UplinkXdp, up().eth_dst({0x33, 0x33, 0, 0, 0, 0x0a}), XDP_PASS,
     PODLANE_PASS_NOT_FOR_HOST, untouched},
};

void PrintTo(const Case &c, std::ostream *os) {
    *os << c.name;
}

class NodePrograms6 : public ::testing::TestWithParam<Case> {
protected:
    static void SetUpTestSuite() {
        skip_reason_ = BpfTestNode::create(node_, "programs6", {.netfilter = NetfilterMode::Bypass});
    }
    static void TearDownTestSuite() { node_.reset(); }
    void SetUp() override {
        if (!node_) GTEST_SKIP() << skip_reason_;
        node_->seed_standard_node();
        node_->seed_standard_node6();
        podlane_endpoint_value second{};
        second.host_ifindex = kSecondPodHostIfindex;
        ASSERT_TRUE(node_->maps().put_endpoint6(*Ipv6::parse("fd00:10:244:1::b"), second));
    }
    int prog_fd(Prog p) {
        switch (p) {
            case Prog::FromPod:
                return node_->datapath().from_pod_fd();
            case Prog::UplinkTc:
                return node_->datapath().uplink_tc_fd();
            case Prog::UplinkXdp:
                return node_->datapath().uplink_xdp_fd();
        }
        return -1;
    }
    void expect_one(int prog_fd, const std::vector<uint8_t> &frame, int verdict, podlane_reason reason,
                    uint32_t ingress = kStdPodHostIfindex) {
        auto before = node_->stats();
        auto r = node_->run(prog_fd, frame, 1, ingress);
        auto after = node_->stats();
        EXPECT_EQ(r.retval, verdict);
        EXPECT_EQ(after[reason].packets - before[reason].packets, 1u) << "expected reason " << reason;
        EXPECT_EQ(packets_counted(before, after), 1u);
    }
    static std::unique_ptr<BpfTestNode> node_;
    static std::string skip_reason_;
};
std::unique_ptr<BpfTestNode> NodePrograms6::node_;
std::string NodePrograms6::skip_reason_;

TEST_P(NodePrograms6, VerdictReasonAndPacket) {
    const Case &c = GetParam();
    auto frame = c.packet.build();
    auto before = node_->stats();
    auto result = node_->run(prog_fd(c.prog), frame, 1, c.ingress);
    auto after = node_->stats();

    ASSERT_GE(result.retval, 0) << "BPF_PROG_TEST_RUN failed";
    EXPECT_EQ(result.retval, c.verdict);
    EXPECT_EQ(after[c.reason].packets - before[c.reason].packets, 1u) << "expected reason " << c.reason;
    EXPECT_EQ(packets_counted(before, after), 1u) << "every verdict lands in exactly one reason";
    EXPECT_EQ(after[c.reason].bytes - before[c.reason].bytes, frame.size());
    if (c.check && !result.out.empty()) c.check(frame, result.out);
}

std::string case_name(const ::testing::TestParamInfo<Case> &info) {
    std::string name;
    for (const char *p = info.param.name; *p; p++) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Table, NodePrograms6, ::testing::ValuesIn(kCases), case_name);

class NodePrograms6Edge : public NodePrograms6 {};

// A node without an IPv6 pod CIDR leaves all IPv6 to the kernel, malformed
// frames included: it is the kernel's business there, as before IPv6.
TEST_F(NodePrograms6Edge, WithoutIpv6ConfigIpv6IsTheKernels) {
    ASSERT_TRUE(node_->maps().set_config6(podlane_node_config6{}));
    expect_one(node_->datapath().from_pod_fd(), pkt().build(), TC_ACT_OK, PODLANE_PASS_NOT_IPV4);
    expect_one(node_->datapath().from_pod_fd(), pkt().version(4).build(), TC_ACT_OK, PODLANE_PASS_NOT_IPV4);
    expect_one(node_->datapath().uplink_tc_fd(), up().build(), TC_ACT_OK, PODLANE_PASS_NOT_IPV4);
    expect_one(node_->datapath().uplink_xdp_fd(), up().build(), XDP_PASS, PODLANE_PASS_NOT_IPV4);
    // ...and IPv4 is unaffected.
    expect_one(node_->datapath().from_pod_fd(), PacketBuilder{}.build(), TC_ACT_REDIRECT, PODLANE_FWD_REMOTE);
}

// An IPv6-only node: the shared config carries no IPv4 address.
TEST_F(NodePrograms6Edge, Ipv6OnlyNodeForwardsIpv6) {
    auto cfg = node_->maps().config();
    ASSERT_TRUE(cfg);
    cfg->node_ip = cfg->gateway_ip = cfg->pod_cidr = 0;
    cfg->pod_prefixlen = 0;
    ASSERT_TRUE(node_->maps().set_config(*cfg));
    expect_one(node_->datapath().from_pod_fd(), pkt().build(), TC_ACT_REDIRECT, PODLANE_FWD_REMOTE);
    expect_one(node_->datapath().uplink_xdp_fd(), up().build(), XDP_REDIRECT, PODLANE_FWD_LOCAL);
    expect_one(node_->datapath().from_pod_fd(), PacketBuilder{}.build(), TC_ACT_OK, PODLANE_PASS_NO_CONFIG);
}

// The node's own packets at the host device's egress keep their hop limit
// and are not source-checked.
TEST_F(NodePrograms6Edge, NodeOwnPacketsKeepTheirHopLimit) {
    for (uint8_t hops : {uint8_t{64}, uint8_t{1}}) {
        auto in = pkt().src("fd00:192:160:1::11").hop_limit(hops).build();
        auto r = node_->run(node_->datapath().from_host_fd(), in, 1, 0);
        EXPECT_EQ(r.retval, TC_ACT_REDIRECT) << "hop limit " << int(hops);
        ASSERT_GT(r.out.size(), kHopLimitOffset);
        EXPECT_EQ(r.out[kHopLimitOffset], hops) << "the sender does not decrement";
    }
}

TEST_F(NodePrograms6Edge, LongestPrefixWins) {
    podlane_route6_value v{};
    v.node_ip = to_in6(*Ipv6::parse("fd00:192:160:1::14"));
    v.uplink_ifindex = 999999;
    ASSERT_TRUE(node_->maps().put_route6(*Cidr6::parse("fd00:10:244:2:8000::/65"), v));
    expect_one(node_->datapath().from_pod_fd(), pkt().dst("fd00:10:244:2:8000::5").build(), TC_ACT_SHOT,
               PODLANE_DROP_NO_UPLINK);
    expect_one(node_->datapath().from_pod_fd(), pkt().dst("fd00:10:244:2::5").build(), TC_ACT_REDIRECT,
               PODLANE_FWD_REMOTE);
}

// Bridge mode: a source is checked against the node's IPv6 pod CIDR.
TEST_F(NodePrograms6Edge, BridgeModeChecksTheSourceAgainstThePodCidr) {
    constexpr uint32_t kBridgeIfindex = 7;
    auto cfg = node_->maps().config();
    ASSERT_TRUE(cfg);
    cfg->bridge_ifindex = kBridgeIfindex;
    ASSERT_TRUE(node_->maps().set_config(*cfg));
    struct Row {
        const char *src;
        int verdict;
        podlane_reason reason;
    };
    for (const Row &row : {Row{"fd00:10:244:1::77", TC_ACT_REDIRECT, PODLANE_FWD_REMOTE},
                           Row{"fd00:10:244:1:ffff:ffff:ffff:ffff", TC_ACT_REDIRECT, PODLANE_FWD_REMOTE},
                           Row{"fd00:10:244:2::14", TC_ACT_SHOT, PODLANE_DROP_SOURCE_NOT_LOCAL_POD},
                           Row{"fd00:10:244:1::1", TC_ACT_SHOT, PODLANE_DROP_SOURCE_NOT_LOCAL_POD},
                           Row{"fd00:10:244:1::", TC_ACT_SHOT, PODLANE_DROP_SOURCE_NOT_LOCAL_POD},
                           Row{"fd00:10:245:1::a", TC_ACT_SHOT, PODLANE_DROP_SOURCE_NOT_LOCAL_POD},
                           Row{"fd00:192:160:1::11", TC_ACT_SHOT, PODLANE_DROP_SOURCE_NOT_LOCAL_POD},
                           Row{"::1", TC_ACT_SHOT, PODLANE_DROP_SOURCE_NOT_LOCAL_POD}}) {
        SCOPED_TRACE(row.src);
        expect_one(node_->datapath().from_pod_fd(), pkt().src(row.src).build(), row.verdict, row.reason,
                   kBridgeIfindex);
    }
}

// Map contents read back as written: what podlanectl and the agent see.
TEST_F(NodePrograms6Edge, MapsReadBack) {
    auto routes = node_->maps().routes6();
    ASSERT_TRUE(routes);
    ASSERT_EQ(routes->size(), 3u);
    auto hit = longest_prefix_match(*routes, *Ipv6::parse("fd00:10:244:2::5"));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->cidr.str(), "fd00:10:244:2::/64");
    EXPECT_EQ(from_in6(hit->value.node_ip).str(), "fd00:192:160:1::12");
    auto ep = node_->maps().endpoint6(*Ipv6::parse("fd00:10:244:1::a"));
    ASSERT_TRUE(ep);
    ASSERT_TRUE(ep->has_value());
    EXPECT_EQ((*ep)->host_ifindex, kStdPodHostIfindex);
    EXPECT_TRUE(*node_->maps().delete_endpoint6(*Ipv6::parse("fd00:10:244:1::a")));
    EXPECT_FALSE(*node_->maps().delete_endpoint6(*Ipv6::parse("fd00:10:244:1::a")));
}

}  // namespace
}  // namespace podlane::test
