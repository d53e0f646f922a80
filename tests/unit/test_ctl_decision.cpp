// The lookup mirror against the decision table of bpf/lib/decide.h, on plain
// vectors of entries (the bpf tier checks it against the programs).
#include <gtest/gtest.h>

#include "decision.h"

namespace podlane::ctl {
namespace {

Ipv4 ip(const char *s) {
    return *Ipv4::parse(s);
}

RouteEntry route(const char *cidr, const char *via, uint32_t ifindex, uint32_t flags = 0) {
    return {*Cidr::parse(cidr), {ip(via).be, ifindex, flags, PODLANE_FAMILY_IPV4}};
}

EndpointEntry endpoint(const char *pod, uint32_t host_ifindex) {
    EndpointEntry e{ip(pod), {}};
    e.value.host_ifindex = host_ifindex;
    return e;
}

podlane_node_config node_config() {
    podlane_node_config c{};
    c.node_ip = ip("192.160.1.11").be;
    c.gateway_ip = ip("10.244.1.1").be;
    c.pod_cidr = ip("10.244.1.0").be;
    c.pod_prefixlen = 24;
    c.uplink_ifindex = 3;
    return c;
}

struct Row {
    const char *name;
    const char *dst;
    Direction from;
    podlane_reason reason;
    const char *route_cidr;  // expected longest match, nullptr for none
    uint8_t ttl = 64;
};

class DecisionTable : public ::testing::TestWithParam<Row> {};

const std::vector<RouteEntry> kRoutes = {
    route("10.244.1.0/24", "192.160.1.11", 3, PODLANE_ROUTE_F_LOCAL),
    route("10.244.2.0/24", "192.160.1.12", 3),
    route("10.244.0.0/16", "192.160.1.1", 3, PODLANE_ROUTE_F_STATIC),
    route("10.244.2.128/25", "192.160.1.22", 4, PODLANE_ROUTE_F_STATIC),
    route("10.99.0.0/16", "192.160.1.30", 0),   // uplink unknown
    route("10.98.0.0/16", "192.160.1.31", 77),  // uplink gone
};
const std::vector<EndpointEntry> kEndpoints = {endpoint("10.244.1.10", 42)};

TEST_P(DecisionTable, MatchesTheProgramsDecision) {
    const Row &row = GetParam();
    DecideOptions opts;
    opts.ttl = row.ttl;
    opts.interface_exists = [](uint32_t i) { return i == 3 || i == 4; };
    Decision d = decide(kRoutes, kEndpoints, node_config(), ip(row.dst), row.from, opts);
    EXPECT_EQ(d.reason, row.reason) << row.name;
    if (row.route_cidr) {
        ASSERT_TRUE(d.route) << row.name;
        EXPECT_EQ(d.route->cidr.str(), row.route_cidr) << row.name;
    } else {
        EXPECT_FALSE(d.route) << row.name;
    }
    EXPECT_EQ(d.endpoint.has_value(), d.reason == PODLANE_FWD_LOCAL || (row.ttl <= 1 && d.endpoint)) << row.name;
}

INSTANTIATE_TEST_SUITE_P(
    Ctl, DecisionTable,
    ::testing::Values(
        Row{"remote pod", "10.244.2.20", Direction::FromPod, PODLANE_FWD_REMOTE, "10.244.2.0/24"},
        Row{"longest prefix wins over /24", "10.244.2.200", Direction::FromPod, PODLANE_FWD_REMOTE, "10.244.2.128/25"},
        Row{"aggregate /16 catches the rest", "10.244.9.1", Direction::FromPod, PODLANE_FWD_REMOTE, "10.244.0.0/16"},
        Row{"local pod", "10.244.1.10", Direction::FromPod, PODLANE_FWD_LOCAL, "10.244.1.0/24"},
        Row{"unregistered local pod", "10.244.1.99", Direction::FromPod, PODLANE_PASS_NO_ENDPOINT, "10.244.1.0/24"},
        Row{"gateway", "10.244.1.1", Direction::FromPod, PODLANE_PASS_TO_NODE, "10.244.1.0/24"},
        Row{"node IP", "192.160.1.11", Direction::FromPod, PODLANE_PASS_TO_NODE, nullptr},
        Row{"outside", "198.51.100.7", Direction::FromPod, PODLANE_PASS_NO_ROUTE, nullptr},
        Row{"multicast", "224.0.0.251", Direction::FromPod, PODLANE_PASS_BROADCAST, nullptr},
        Row{"broadcast", "255.255.255.255", Direction::FromPod, PODLANE_PASS_BROADCAST, nullptr},
        Row{"ttl 1 to remote", "10.244.2.20", Direction::FromPod, PODLANE_PASS_TTL_EXPIRED, "10.244.2.0/24", 1},
        Row{"route with no uplink", "10.99.1.1", Direction::FromPod, PODLANE_DROP_NO_UPLINK, "10.99.0.0/16"},
        Row{"route with a vanished uplink", "10.98.1.1", Direction::FromPod, PODLANE_DROP_NO_UPLINK, "10.98.0.0/16"},
        Row{"uplink: local pod", "10.244.1.10", Direction::FromUplink, PODLANE_FWD_LOCAL, "10.244.1.0/24"},
        Row{"uplink: no such pod", "10.244.1.99", Direction::FromUplink, PODLANE_PASS_NO_ENDPOINT, "10.244.1.0/24"},
        Row{"uplink: gateway", "10.244.1.1", Direction::FromUplink, PODLANE_PASS_TO_NODE, "10.244.1.0/24"},
        Row{"uplink: remote pod is not ours", "10.244.2.20", Direction::FromUplink, PODLANE_PASS_NO_ROUTE,
            "10.244.2.0/24"},
        Row{"uplink: node IP", "192.160.1.11", Direction::FromUplink, PODLANE_PASS_TO_NODE, nullptr},
        Row{"uplink: ttl 1", "10.244.1.10", Direction::FromUplink, PODLANE_PASS_TTL_EXPIRED, "10.244.1.0/24", 1}),
    [](const auto &info) {
        std::string n = info.param.name;
        for (char &c : n)
            if (!isalnum(static_cast<unsigned char>(c))) c = '_';
        return n;
    });

TEST(CtlDecision, NoConfigMeansEverythingUnclaimedPassesAsNoConfig) {
    // pl_config() treats a config without a node IP as absent.
    podlane_node_config empty{};
    EXPECT_EQ(decide(kRoutes, kEndpoints, empty, ip("198.51.100.7"), Direction::FromPod).reason,
              PODLANE_PASS_NO_CONFIG);
    EXPECT_EQ(decide(kRoutes, kEndpoints, std::nullopt, ip("198.51.100.7"), Direction::FromPod).reason,
              PODLANE_PASS_NO_CONFIG);
    // Not even a route forwards: the source check needs the config.
    EXPECT_EQ(decide(kRoutes, kEndpoints, empty, ip("10.244.2.20"), Direction::FromPod).reason, PODLANE_PASS_NO_CONFIG);
    // The uplink programs need the gateway MAC to deliver.
    EXPECT_EQ(decide(kRoutes, kEndpoints, empty, ip("10.244.1.10"), Direction::FromUplink).reason,
              PODLANE_PASS_NO_CONFIG);
    EXPECT_FALSE(effective_config(empty));
}

TEST(CtlDecision, EmptyMapsSendEverythingToTheKernel) {
    EXPECT_EQ(decide({}, {}, node_config(), ip("10.244.2.20"), Direction::FromPod).reason, PODLANE_PASS_NO_ROUTE);
    EXPECT_EQ(decide({}, {}, node_config(), ip("10.244.1.10"), Direction::FromUplink).reason, PODLANE_PASS_NO_ROUTE);
}

TEST(CtlDecision, DefaultRouteMatchesEverythingElse) {
    std::vector<RouteEntry> routes = {route("0.0.0.0/0", "192.160.1.1", 3)};
    auto d = decide(routes, {}, node_config(), ip("8.8.8.8"), Direction::FromPod);
    EXPECT_EQ(d.reason, PODLANE_FWD_REMOTE);
    EXPECT_EQ(d.route->cidr.str(), "0.0.0.0/0");
}

TEST(CtlDecision, WithoutInterfaceKnowledgeAnUplinkIsAssumedToExist) {
    auto d = decide(kRoutes, kEndpoints, node_config(), ip("10.98.1.1"), Direction::FromPod);
    EXPECT_EQ(d.reason, PODLANE_FWD_REMOTE);
}

// --- IPv6: the *6 paths of bpf/lib/decide.h

Ipv6 ip6(const char *s) {
    return *Ipv6::parse(s);
}

Route6Entry route6(const char *cidr, const char *via, uint32_t ifindex, uint32_t flags = 0) {
    Route6Entry r{*Cidr6::parse(cidr), {}};
    r.value.node_ip = to_in6(ip6(via));
    r.value.uplink_ifindex = ifindex;
    r.value.flags = flags;
    return r;
}

podlane_node_config6 node_config6() {
    podlane_node_config6 c{};
    c.node_ip = to_in6(ip6("fd00:192:160:1::11"));
    c.gateway_ip = to_in6(ip6("fd00:10:244:1::1"));
    c.pod_cidr = to_in6(ip6("fd00:10:244:1::"));
    c.pod_prefixlen = 64;
    return c;
}

const std::vector<Route6Entry> kRoutes6 = {
    route6("fd00:10:244:1::/64", "fd00:192:160:1::11", 3, PODLANE_ROUTE_F_LOCAL),
    route6("fd00:10:244:2::/64", "fd00:192:160:1::12", 3),
    route6("fd00:10:244::/48", "fd00:192:160:1::1", 3, PODLANE_ROUTE_F_STATIC),
    route6("fd00:10:244:2:8000::/65", "fd00:192:160:1::22", 4, PODLANE_ROUTE_F_STATIC),
    route6("fd00:10:99::/48", "fd00:192:160:1::30", 0),   // uplink unknown
    route6("fd00:10:98::/48", "fd00:192:160:1::31", 77),  // uplink gone
};
const std::vector<Endpoint6Entry> kEndpoints6 = {{ip6("fd00:10:244:1::a"), {42, {}, {}, 0}}};

class Decision6Table : public ::testing::TestWithParam<Row> {};

TEST_P(Decision6Table, MatchesTheProgramsDecision) {
    const Row &row = GetParam();
    DecideOptions opts;
    opts.ttl = row.ttl;
    opts.interface_exists = [](uint32_t i) { return i == 3 || i == 4; };
    Decision6 d = decide6(kRoutes6, kEndpoints6, node_config6(), ip6(row.dst), row.from, opts);
    EXPECT_EQ(d.reason, row.reason) << row.name;
    if (row.route_cidr) {
        ASSERT_TRUE(d.route) << row.name;
        EXPECT_EQ(d.route->cidr.str(), row.route_cidr) << row.name;
    } else {
        EXPECT_FALSE(d.route) << row.name;
    }
    EXPECT_EQ(d.endpoint.has_value(), d.reason == PODLANE_FWD_LOCAL || (row.ttl <= 1 && d.endpoint)) << row.name;
}

INSTANTIATE_TEST_SUITE_P(
    Ctl, Decision6Table,
    ::testing::Values(
        Row{"remote pod", "fd00:10:244:2::14", Direction::FromPod, PODLANE_FWD_REMOTE, "fd00:10:244:2::/64"},
        Row{"longest prefix wins over /64", "fd00:10:244:2:8000::1", Direction::FromPod, PODLANE_FWD_REMOTE,
            "fd00:10:244:2:8000::/65"},
        Row{"aggregate /48 catches the rest", "fd00:10:244:9::1", Direction::FromPod, PODLANE_FWD_REMOTE,
            "fd00:10:244::/48"},
        Row{"local pod", "fd00:10:244:1::a", Direction::FromPod, PODLANE_FWD_LOCAL, "fd00:10:244:1::/64"},
        Row{"unregistered local pod", "fd00:10:244:1::99", Direction::FromPod, PODLANE_PASS_NO_ENDPOINT,
            "fd00:10:244:1::/64"},
        Row{"gateway", "fd00:10:244:1::1", Direction::FromPod, PODLANE_PASS_TO_NODE, "fd00:10:244:1::/64"},
        Row{"node IP", "fd00:192:160:1::11", Direction::FromPod, PODLANE_PASS_TO_NODE, nullptr},
        Row{"outside", "2001:db8::7", Direction::FromPod, PODLANE_PASS_NO_ROUTE, nullptr},
        Row{"multicast", "ff02::fb", Direction::FromPod, PODLANE_PASS_BROADCAST, nullptr},
        Row{"link-local", "fe80::1", Direction::FromPod, PODLANE_PASS_IPV6_SCOPE, nullptr},
        Row{"link-local, top of fe80::/10", "febf::1", Direction::FromPod, PODLANE_PASS_IPV6_SCOPE, nullptr},
        Row{"site-local is not link scope", "fec0::1", Direction::FromPod, PODLANE_PASS_NO_ROUTE, nullptr},
        Row{"unspecified", "::", Direction::FromPod, PODLANE_PASS_IPV6_SCOPE, nullptr},
        Row{"hop limit 1 to remote", "fd00:10:244:2::14", Direction::FromPod, PODLANE_PASS_TTL_EXPIRED,
            "fd00:10:244:2::/64", 1},
        Row{"route with no uplink", "fd00:10:99::1", Direction::FromPod, PODLANE_DROP_NO_UPLINK, "fd00:10:99::/48"},
        Row{"route with a vanished uplink", "fd00:10:98::1", Direction::FromPod, PODLANE_DROP_NO_UPLINK,
            "fd00:10:98::/48"},
        Row{"uplink: local pod", "fd00:10:244:1::a", Direction::FromUplink, PODLANE_FWD_LOCAL, "fd00:10:244:1::/64"},
        Row{"uplink: no such pod", "fd00:10:244:1::99", Direction::FromUplink, PODLANE_PASS_NO_ENDPOINT,
            "fd00:10:244:1::/64"},
        Row{"uplink: gateway", "fd00:10:244:1::1", Direction::FromUplink, PODLANE_PASS_TO_NODE, "fd00:10:244:1::/64"},
        Row{"uplink: remote pod is not ours", "fd00:10:244:2::14", Direction::FromUplink, PODLANE_PASS_NO_ROUTE,
            "fd00:10:244:2::/64"},
        Row{"uplink: multicast", "ff02::1", Direction::FromUplink, PODLANE_PASS_BROADCAST, nullptr},
        Row{"uplink: hop limit 1", "fd00:10:244:1::a", Direction::FromUplink, PODLANE_PASS_TTL_EXPIRED,
            "fd00:10:244:1::/64", 1}),
    [](const auto &info) {
        std::string n = info.param.name;
        for (char &c : n)
            if (!isalnum(static_cast<unsigned char>(c))) c = '_';
        return n;
    });

TEST(CtlDecision6, NoIpv6ConfigLeavesIpv6ToTheKernelAsNotIpv4) {
    // pl_parse_l3(): a node without an IPv6 pod CIDR does not parse IPv6.
    podlane_node_config6 none{};
    EXPECT_FALSE(effective_config6(none));
    for (const char *dst : {"fd00:10:244:1::a", "fd00:10:244:2::14", "fe80::1", "ff02::1"})
        for (Direction from : {Direction::FromPod, Direction::FromUplink})
            EXPECT_EQ(decide6(kRoutes6, kEndpoints6, none, ip6(dst), from).reason, PODLANE_PASS_NOT_IPV4) << dst;
}

}  // namespace
}  // namespace podlane::ctl
