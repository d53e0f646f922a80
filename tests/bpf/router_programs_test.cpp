// The router role's programs (XDP and TC) over crafted packets: the verdict,
// the ONE reason counted, and what was done to the packet (MACs, TTL,
// checksum). The router here has two interfaces: rt0 (nodes 1, 2, the
// ingress of every case) and rt1 (node 3, MTU 1400).
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <memory>

#include "bpf_run.h"
#include "packet.h"
#include "podlane/maps.h"
#include "podlane/netlink.h"
#include "privileges.h"
#include "router/router_datapath.h"
#include "router/router_maps.h"

namespace podlane::test {
namespace {

const MacBytes kNode1Mac{0x02, 0x11, 0, 0, 0, 0x11};
const MacBytes kNode2Mac{0x02, 0x12, 0, 0, 0, 0x12};
const MacBytes kNode3Mac{0x02, 0x13, 0, 0, 0, 0x13};

// The router loaded into a throwaway pin dir, in a private netns with two
// veths as its interfaces.
class RouterFixture {
public:
    static std::string create(std::unique_ptr<RouterFixture> &out) {
        if (auto why = privileged_skip_reason(); !why.empty()) return why;
        if (auto why = enter_private_netns(); !why.empty()) return why;
        if (auto why = ensure_bpffs(); !why.empty()) return why;
        std::unique_ptr<RouterFixture> f(new RouterFixture);
        f->pin_dir = make_test_pin_dir("router");
        auto dp = RouterDatapath::load(f->pin_dir);
        if (!dp) return "load router programs: " + dp.error().message;
        f->dp = std::make_unique<RouterDatapath>(std::move(*dp));
        auto maps = NodeMaps::open(f->pin_dir);
        if (!maps) return maps.error().message;
        f->maps = std::make_unique<NodeMaps>(std::move(*maps));
        auto rmaps = RouterMaps::open(f->pin_dir);
        if (!rmaps) return rmaps.error().message;
        f->rmaps = std::make_unique<RouterMaps>(std::move(*rmaps));
        auto nl = Netlink::open();
        if (!nl) return nl.error().message;
        for (auto [name, mtu, link] : {std::tuple{"rt0", 1500u, &f->rt0}, std::tuple{"rt1", 1400u, &f->rt1}}) {
            if (auto st = nl->create_veth(name, std::string(name) + "p", -1, mtu); !st) return st.error().message;
            auto l = nl->link(name);
            if (!l) return l.error().message;
            if (auto st = nl->set_up(l->index); !st) return st.error().message;
            *link = *l;
        }
        out = std::move(f);
        return "";
    }
    ~RouterFixture() {
        rmaps.reset();
        maps.reset();
        dp.reset();
        remove_pin_dir(pin_dir);
    }

    void seed() {
        if (auto routes = maps->routes(); routes)
            for (const auto &r : *routes) (void)maps->delete_route(r.cidr);
        if (auto n = rmaps->neighbours(); n)
            for (const auto &[ip, e] : *n) (void)rmaps->delete_neighbour(ip);
        podlane_node_config cfg{};
        cfg.node_ip = Ipv4::parse("192.160.1.1")->be;
        cfg.role = PODLANE_ROLE_ROUTER;
        (void)maps->set_config(cfg);
        auto route = [&](const char *cidr, const char *via, int ifindex) {
            podlane_route_value v{Ipv4::parse(via)->be, static_cast<__u32>(ifindex), PODLANE_ROUTE_F_ROUTER_NEXTHOP,
                                  PODLANE_FAMILY_IPV4};
            (void)maps->put_route(*Cidr::parse(cidr), v);
        };
        route("10.244.1.0/24", "192.160.1.11", rt0.index);
        route("10.244.2.0/24", "192.160.1.12", rt0.index);
        route("10.244.3.0/24", "192.160.2.13", rt1.index);
        route("10.244.4.0/24", "192.160.1.14", rt0.index);  // neighbour never resolved
        route("10.244.5.0/24", "192.160.1.15", rt0.index);  // neighbour behind a non-router interface
        auto neigh = [&](const char *ip, const MacBytes &mac, int ifindex) {
            NeighbourEntry e;
            e.mac.bytes = mac;
            e.ifindex = ifindex;
            (void)rmaps->put_neighbour(*Ipv4::parse(ip), e);
        };
        neigh("192.160.1.11", kNode1Mac, rt0.index);
        neigh("192.160.1.12", kNode2Mac, rt0.index);
        neigh("192.160.2.13", kNode3Mac, rt1.index);
        neigh("192.160.1.15", kNode1Mac, 999999);
        // rt0 as the agent marks a veth whose peer is in another namespace
        // (the TC program then hands hairpinned frames to the peer).
        (void)rmaps->put_port(rt0.index, RouterPort{rt0.mac, rt0.mtu, PODLANE_ROUTER_PORT_F_VETH_PEER});
        (void)rmaps->put_port(rt1.index, RouterPort{rt1.mac, rt1.mtu, 0});
    }

    RunResult run(bool xdp, const std::vector<uint8_t> &frame, uint32_t repeat = 1) {
        RunOptions options;
        options.repeat = repeat;
        options.xdp_ingress_ifindex = static_cast<uint32_t>(rt0.index);
        return run_program(xdp ? dp->xdp_fd() : dp->tc_fd(), frame, options);
    }
    std::vector<podlane_stat_value> stats() {
        auto s = maps->stats();
        return s ? *s : std::vector<podlane_stat_value>(PODLANE_REASON_MAX);
    }

    std::string pin_dir;
    std::unique_ptr<RouterDatapath> dp;
    std::unique_ptr<NodeMaps> maps;
    std::unique_ptr<RouterMaps> rmaps;
    LinkInfo rt0, rt1;

private:
    RouterFixture() = default;
};

enum class Hook { Xdp, Tc };
// Which router interface the forwarded frame leaves by.
enum class Out { None, Rt0, Rt1 };

struct Case {
    const char *name;
    PacketBuilder packet;
    int xdp_verdict;
    int tc_verdict;
    podlane_reason reason;
    Out out = Out::None;
    MacBytes dst_mac{};
};

PacketBuilder pkt() {
    return PacketBuilder{}.src("10.244.1.10");
}

const Case kCases[] = {
    {"to a node on the same interface: XDP_TX", pkt().dst("10.244.2.20"), XDP_TX, TC_ACT_REDIRECT, PODLANE_FWD_ROUTER,
     Out::Rt0, kNode2Mac},
    {"hairpin back to the sending node", pkt().dst("10.244.1.11"), XDP_TX, TC_ACT_REDIRECT, PODLANE_FWD_ROUTER,
     Out::Rt0, kNode1Mac},
    {"to a node on another interface: XDP_REDIRECT", pkt().dst("10.244.3.20"), XDP_REDIRECT, TC_ACT_REDIRECT,
     PODLANE_FWD_ROUTER, Out::Rt1, kNode3Mac},
    {"IP options are forwarded", pkt().dst("10.244.2.20").ip_options({1, 1, 1, 0}), XDP_TX, TC_ACT_REDIRECT,
     PODLANE_FWD_ROUTER, Out::Rt0, kNode2Mac},
    {"TTL 2 is forwarded with TTL 1", pkt().dst("10.244.2.20").ttl(2), XDP_TX, TC_ACT_REDIRECT, PODLANE_FWD_ROUTER,
     Out::Rt0, kNode2Mac},
    {"unresolved neighbour goes to the kernel", pkt().dst("10.244.4.20"), XDP_PASS, TC_ACT_OK,
     PODLANE_PASS_NEIGH_UNKNOWN},
    {"neighbour behind a non-router interface", pkt().dst("10.244.5.20"), XDP_PASS, TC_ACT_OK, PODLANE_PASS_NO_PORT},
    {"TTL 1 goes to the kernel", pkt().dst("10.244.2.20").ttl(1), XDP_PASS, TC_ACT_OK, PODLANE_PASS_TTL_EXPIRED},
    {"TTL 0 goes to the kernel", pkt().dst("10.244.2.20").ttl(0), XDP_PASS, TC_ACT_OK, PODLANE_PASS_TTL_EXPIRED},
    {"outside every pod CIDR", pkt().dst("198.51.100.7"), XDP_PASS, TC_ACT_OK, PODLANE_PASS_NO_ROUTE},
    {"the router itself", pkt().dst("192.160.1.1"), XDP_PASS, TC_ACT_OK, PODLANE_PASS_TO_NODE},
    {"multicast", pkt().dst("224.0.0.251"), XDP_PASS, TC_ACT_OK, PODLANE_PASS_BROADCAST},
    {"over the other interface's MTU", pkt().dst("10.244.3.20").payload_size(1420), XDP_PASS, TC_ACT_OK,
     PODLANE_PASS_FRAG_NEEDED},
    {"ARP", pkt().ethertype(0x0806), XDP_PASS, TC_ACT_OK, PODLANE_PASS_NOT_IPV4},
    {"IPv6", pkt().ethertype(0x86DD), XDP_PASS, TC_ACT_OK, PODLANE_PASS_NOT_IPV4},
    {"VLAN-tagged", pkt().vlan(5), XDP_PASS, TC_ACT_OK, PODLANE_PASS_VLAN},
    {"IHL past the end of the packet", pkt().dst("10.244.2.20").ihl(15).payload_size(0), XDP_PASS, TC_ACT_OK,
     PODLANE_PASS_MALFORMED},
    {"IHL below 5", pkt().dst("10.244.2.20").ihl(4), XDP_PASS, TC_ACT_OK, PODLANE_PASS_MALFORMED},
};

// TC test runs refuse frames shorter than 34 bytes, XDP ones shorter than an
// Ethernet header: this one is XDP only.
const Case kXdpOnlyCases[] = {
    {"truncated IPv4 header", pkt().dst("10.244.2.20").truncate(14 + 8), XDP_PASS, 0, PODLANE_PASS_MALFORMED},
};

struct Param {
    Hook hook;
    Case c;
};
void PrintTo(const Param &p, std::ostream *os) {
    *os << (p.hook == Hook::Xdp ? "xdp: " : "tc: ") << p.c.name;
}

std::vector<Param> all_params() {
    std::vector<Param> out;
    for (const auto &c : kCases) {
        out.push_back({Hook::Xdp, c});
        out.push_back({Hook::Tc, c});
    }
    for (const auto &c : kXdpOnlyCases) out.push_back({Hook::Xdp, c});
    return out;
}

class RouterPrograms : public ::testing::TestWithParam<Param> {
protected:
    static void SetUpTestSuite() { skip_reason_ = RouterFixture::create(router_); }
    static void TearDownTestSuite() { router_.reset(); }
    void SetUp() override {
        if (!router_) GTEST_SKIP() << skip_reason_;
        router_->seed();
    }
    static std::unique_ptr<RouterFixture> router_;
    static std::string skip_reason_;
};
std::unique_ptr<RouterFixture> RouterPrograms::router_;
std::string RouterPrograms::skip_reason_;

TEST_P(RouterPrograms, VerdictReasonAndPacket) {
    const auto &[hook, c] = GetParam();
    bool xdp = hook == Hook::Xdp;
    auto frame = c.packet.build();
    auto before = router_->stats();
    auto r = router_->run(xdp, frame);
    auto after = router_->stats();

    ASSERT_GE(r.retval, 0) << "BPF_PROG_TEST_RUN failed";
    EXPECT_EQ(r.retval, xdp ? c.xdp_verdict : c.tc_verdict);
    EXPECT_EQ(after[c.reason].packets - before[c.reason].packets, 1u) << "expected reason " << c.reason;
    EXPECT_EQ(packets_counted(before, after), 1u) << "every verdict lands in exactly one reason";
    EXPECT_EQ(after[c.reason].bytes - before[c.reason].bytes, frame.size());
    ASSERT_EQ(r.out.size(), frame.size());

    if (c.out == Out::None) {
        EXPECT_EQ(r.out, frame) << "a passed packet is not modified";
        return;
    }
    const LinkInfo &egress = c.out == Out::Rt0 ? router_->rt0 : router_->rt1;
    EXPECT_EQ(frame_dst_mac(r.out), c.dst_mac) << "destination MAC: the owning node's";
    EXPECT_EQ(frame_src_mac(r.out), egress.mac.bytes) << "source MAC: the egress interface's";
    EXPECT_EQ(r.out[kTtlOffset], frame[kTtlOffset] - 1) << "TTL decremented once";
    EXPECT_TRUE(ipv4_checksum_ok(r.out)) << "IPv4 checksum valid after the TTL change";
    EXPECT_TRUE(std::equal(r.out.begin() + kIpOffset + 12, r.out.end(), frame.begin() + kIpOffset + 12))
        << "addresses and payload unchanged";
}

std::string case_name(const ::testing::TestParamInfo<Param> &info) {
    std::string name = info.param.hook == Hook::Xdp ? "xdp_" : "tc_";
    for (const char *p = info.param.c.name; *p; p++) name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(Table, RouterPrograms, ::testing::ValuesIn(all_params()), case_name);

class RouterProgramsEdge : public RouterPrograms {};

TEST_F(RouterProgramsEdge, PortFlagsRoundTrip) {
    auto ports = router_->rmaps->ports();
    ASSERT_TRUE(ports);
    EXPECT_EQ(ports->at(router_->rt0.index).flags, static_cast<unsigned>(PODLANE_ROUTER_PORT_F_VETH_PEER));
    EXPECT_EQ(ports->at(router_->rt1.index).flags, 0u);
    // A same-interface forward without the flag takes bpf_redirect: same verdict and packet.
    (void)router_->rmaps->put_port(router_->rt0.index, RouterPort{router_->rt0.mac, router_->rt0.mtu, 0});
    auto r = router_->run(false, pkt().dst("10.244.2.20").build());
    EXPECT_EQ(r.retval, TC_ACT_REDIRECT);
    EXPECT_EQ(frame_dst_mac(r.out), kNode2Mac);
}

TEST_F(RouterProgramsEdge, ChecksumCarryWrapsCorrectly) {
    // TTL values whose decrement crosses the checksum's carry boundary.
    for (int ttl : {2, 3, 64, 128, 255}) {
        for (const char *src : {"10.244.1.10", "255.255.255.254", "0.0.0.1"}) {
            auto frame = PacketBuilder{}.src(src).dst("10.244.2.20").ttl(static_cast<uint8_t>(ttl)).build();
            for (bool xdp : {true, false}) {
                auto r = router_->run(xdp, frame);
                ASSERT_EQ(r.out.size(), frame.size());
                EXPECT_TRUE(ipv4_checksum_ok(r.out)) << "ttl " << ttl << " src " << src << (xdp ? " xdp" : " tc");
            }
        }
    }
}

TEST_F(RouterProgramsEdge, LearnedNeighbourIsUsedAtOnce) {
    auto frame = pkt().dst("10.244.4.20").build();
    ASSERT_EQ(router_->run(true, frame).retval, XDP_PASS);
    NeighbourEntry e;
    e.mac.bytes = kNode3Mac;
    e.ifindex = router_->rt0.index;
    ASSERT_TRUE(router_->rmaps->put_neighbour(*Ipv4::parse("192.160.1.14"), e));
    auto r = router_->run(true, frame);
    EXPECT_EQ(r.retval, XDP_TX);
    EXPECT_EQ(frame_dst_mac(r.out), kNode3Mac);
}

TEST_F(RouterProgramsEdge, WithoutRoutesEverythingPasses) {
    if (auto routes = router_->maps->routes(); routes)
        for (const auto &rt : *routes) (void)router_->maps->delete_route(rt.cidr);
    EXPECT_EQ(router_->run(true, pkt().dst("10.244.2.20").build()).retval, XDP_PASS);
    EXPECT_EQ(router_->run(false, pkt().dst("10.244.2.20").build()).retval, TC_ACT_OK);
}

// Not a check: the cost per packet as the kernel measures it, printed for
// the record. Repeated runs reuse the buffer the program modified, so a
// forward is timed with TTL 255 over 250 repetitions (every one still a
// forward), the pass path over a million.
TEST_F(RouterProgramsEdge, CostPerPacket) {
    auto fwd = pkt().dst("10.244.2.20").ttl(255).build();
    auto miss = pkt().dst("198.51.100.7").build();
    for (bool xdp : {true, false}) {
        std::vector<uint32_t> f;
        for (int i = 0; i < 2001; i++) f.push_back(router_->run(xdp, fwd, 250).duration_ns);
        std::nth_element(f.begin(), f.begin() + f.size() / 2, f.end());
        auto before = router_->stats();
        uint32_t m = router_->run(xdp, miss, 1000000).duration_ns;
        EXPECT_EQ(router_->stats()[PODLANE_PASS_NO_ROUTE].packets - before[PODLANE_PASS_NO_ROUTE].packets, 1000000u);
        std::printf(
            "[cost] %s router: forward %u ns/packet (median of 2001 x 250 runs), no-route pass %u ns/packet (1e6 "
            "runs)\n",
            xdp ? "xdp" : "tc ", f[f.size() / 2], m);
    }
    auto before = router_->stats();
    router_->run(true, fwd, 250);
    EXPECT_EQ(router_->stats()[PODLANE_FWD_ROUTER].packets - before[PODLANE_FWD_ROUTER].packets, 250u)
        << "every timed run was a forward";
}

}  // namespace
}  // namespace podlane::test
