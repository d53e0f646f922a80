#include <gtest/gtest.h>

#include <map>

#include "cluster_nodes.h"
#include "reconcile.h"

namespace podlane {
namespace {

using test::dual_self;
using test::node;
using test::self;
using test::with_ipv6;

const std::vector<ClusterNode> kThree = {node("node1", "192.160.1.11", "10.244.1.0/24"),
                                         node("node2", "192.160.1.12", "10.244.2.0/24"),
                                         node("node3", "192.160.1.13", "10.244.3.0/24")};

TEST(DesiredRoutes, OwnCidrLocalOthersViaTheirNode) {
    auto routes = desired_routes(self(), kThree, 7);
    ASSERT_EQ(routes.size(), 3u);
    EXPECT_EQ(routes[0].cidr.str(), "10.244.1.0/24");
    EXPECT_TRUE(routes[0].value.flags & PODLANE_ROUTE_F_LOCAL);
    EXPECT_EQ(routes[1].cidr.str(), "10.244.2.0/24");
    EXPECT_EQ(Ipv4{routes[1].value.node_ip}.str(), "192.160.1.12");
    EXPECT_EQ(routes[1].value.uplink_ifindex, 7u);
    EXPECT_EQ(routes[1].value.flags, 0u);
}

TEST(NextHops, EveryNodeOnceAndNeverTheLocalCidr) {
    auto routes = desired_routes(self(), kThree, 7);
    routes.push_back(routes[1]);  // a second CIDR via node2 (e.g. a static route)
    routes.back().cidr = *Cidr::parse("10.244.20.0/24");
    RouteEntry unbound = routes[1];  // no interface known: nothing to resolve
    unbound.cidr = *Cidr::parse("10.244.30.0/24");
    unbound.value.uplink_ifindex = 0;
    routes.push_back(unbound);
    auto hops = next_hops(routes);
    std::set<NextHop> want = {{7, *Ipv4::parse("192.160.1.12")}, {7, *Ipv4::parse("192.160.1.13")}};
    EXPECT_EQ(hops, want);
}

TEST(DesiredRoutes, RouterModeHoldsOneClusterEntry) {
    auto cfg = self();
    cfg.router_ip = *Ipv4::parse("192.160.1.1");
    auto routes = desired_routes(cfg, kThree, 7);
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[1].cidr.str(), "10.244.0.0/16");
    EXPECT_EQ(Ipv4{routes[1].value.node_ip}.str(), "192.160.1.1");
}

TEST(DiffRoutes, NothingToDoWhenEqual) {
    auto want = desired_routes(self(), kThree, 7);
    EXPECT_TRUE(diff_routes(want, want).empty());
}

TEST(DiffRoutes, AddsUpdatesRemovesOnlyWhatChanged) {
    auto current = desired_routes(self(), kThree, 7);
    std::vector<ClusterNode> next = {kThree[0], node("node2", "192.160.1.22", "10.244.2.0/24"),
                                     node("node4", "192.160.1.14", "10.244.4.0/24")};
    auto diff = diff_routes(current, desired_routes(self(), next, 7));
    ASSERT_EQ(diff.add.size(), 1u);
    EXPECT_EQ(diff.add[0].cidr.str(), "10.244.4.0/24");
    ASSERT_EQ(diff.update.size(), 1u);
    EXPECT_EQ(Ipv4{diff.update[0].value.node_ip}.str(), "192.160.1.22");
    ASSERT_EQ(diff.remove.size(), 1u);
    EXPECT_EQ(diff.remove[0].cidr.str(), "10.244.3.0/24");
}

TEST(DiffRoutes, OperatorStaticEntriesAreLeftAlone) {
    auto current = desired_routes(self(), kThree, 7);
    RouteEntry manual{*Cidr::parse("10.244.9.0/24"), {Ipv4::parse("192.160.1.19")->be, 7, PODLANE_ROUTE_F_STATIC, 4}};
    current.push_back(manual);
    current[1].value.flags |= PODLANE_ROUTE_F_STATIC;  // operator pinned node2's route
    current[1].value.node_ip = Ipv4::parse("192.160.1.99")->be;
    auto diff = diff_routes(current, desired_routes(self(), kThree, 7));
    EXPECT_TRUE(diff.empty()) << "static entries are neither removed nor overwritten";
}

TEST(DiffRoutes, NodeLeavingRemovesItsRoute) {
    auto current = desired_routes(self(), kThree, 7);
    auto diff = diff_routes(current, desired_routes(self(), {kThree[0], kThree[1]}, 7));
    EXPECT_TRUE(diff.add.empty());
    EXPECT_TRUE(diff.update.empty());
    ASSERT_EQ(diff.remove.size(), 1u);
    EXPECT_EQ(diff.remove[0].cidr.str(), "10.244.3.0/24");
}

// A routes map with room for `capacity` entries, failing as the kernel does
// (E2BIG) when full.
struct FakeRoutesMap {
    size_t capacity;
    std::map<std::string, podlane_route_value> entries;
    RouteWriter writer() {
        return {[this](const Cidr &c, const podlane_route_value &v) -> Result<bool> {
                    if (!entries.count(c.str()) && entries.size() >= capacity)
                        return errno_error("update of map podlane_routes_v1", E2BIG);
                    entries[c.str()] = v;
                    return true;
                },
                [this](const Cidr &c) -> Result<bool> { return entries.erase(c.str()) > 0; }};
    }
};

TEST(ApplyRouteDiff, FullMapTakesNewNodesInPlaceOfDepartedOnes) {
    auto current = desired_routes(self(), kThree, 7);
    FakeRoutesMap map{current.size(), {}};
    for (const auto &r : current) map.entries[r.cidr.str()] = r.value;
    // node3 leaves and node4 joins in the same list: the map is full.
    auto diff = diff_routes(
        current, desired_routes(self(), {kThree[0], kThree[1], node("node4", "192.160.1.14", "10.244.4.0/24")}, 7));
    std::vector<std::string> lines;
    auto st = apply_route_diff(map.writer(), diff, [&](const std::string &l) { lines.push_back(l); });
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(map.entries.count("10.244.3.0/24"), 0u);
    EXPECT_EQ(map.entries.count("10.244.4.0/24"), 1u);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].rfind("route removed: 10.244.3.0/24", 0), 0u) << lines[0];
}

const std::vector<ClusterNode> kDual = {with_ipv6(kThree[0], "fd00:192:160:1::11", "fd00:10:244:1::/64"),
                                        with_ipv6(kThree[1], "fd00:192:160:1::12", "fd00:10:244:2::/64"),
                                        kThree[2]};  // node3: IPv4 only

TEST(DesiredRoutes6, OwnCidrLocalDualStackPeersViaTheirIpv6) {
    auto routes = desired_routes6(dual_self(), kDual, 7);
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_EQ(routes[0].cidr.str(), "fd00:10:244:1::/64");
    EXPECT_TRUE(routes[0].value.flags & PODLANE_ROUTE_F_LOCAL);
    EXPECT_EQ(routes[1].cidr.str(), "fd00:10:244:2::/64");
    EXPECT_EQ(from_in6(routes[1].value.node_ip).str(), "fd00:192:160:1::12");
    EXPECT_EQ(routes[1].value.uplink_ifindex, 7u);
    EXPECT_EQ(routes[1].value.flags, 0u);
    EXPECT_TRUE(desired_routes6(self(), kDual, 7).empty()) << "an IPv4-only node has no IPv6 routes";
}

TEST(DesiredRoutes, AnIpv6OnlyNodeHasOnlyIpv6Routes) {
    const std::vector<ClusterNode> cluster = {test::node6("node1", "fd00:192:160:1::11", "fd00:10:244:1::/64"),
                                              test::node6("node2", "fd00:192:160:1::12", "fd00:10:244:2::/64"),
                                              kThree[2]};  // node3: IPv4 only, unreachable from here
    EXPECT_TRUE(desired_routes(test::ipv6_only_self(), cluster, 7).empty());
    auto routes6 = desired_routes6(test::ipv6_only_self(), cluster, 7);
    ASSERT_EQ(routes6.size(), 2u);
    EXPECT_TRUE(routes6[0].value.flags & PODLANE_ROUTE_F_LOCAL);
    EXPECT_EQ(routes6[1].cidr.str(), "fd00:10:244:2::/64");
    // A dual-stack node routes the IPv6-only peer over IPv6 only.
    auto routes = desired_routes(dual_self(), cluster, 7);
    ASSERT_EQ(routes.size(), 2u) << "its own /24 and node3's";
    EXPECT_EQ(routes[1].cidr.str(), "10.244.3.0/24");
    EXPECT_EQ(desired_routes6(dual_self(), cluster, 7).size(), 2u);
}

TEST(NextHops6, EveryIpv6NodeOnceAndNeverTheLocalCidr) {
    auto routes = desired_routes6(dual_self(), kDual, 7);
    routes.push_back(routes[1]);  // a second CIDR via node2 (a static route)
    routes.back().cidr = *Cidr6::parse("fd00:10:244:20::/64");
    std::set<NextHop6> want = {{7, *Ipv6::parse("fd00:192:160:1::12")}};
    EXPECT_EQ(next_hops(routes), want);
}

TEST(DiffRoutes6, AddsUpdatesRemovesOnlyWhatChangedAndKeepsStatic) {
    auto current = desired_routes6(dual_self(), kDual, 7);
    EXPECT_TRUE(diff_routes(current, current).empty());
    Route6Entry pinned = current[1];
    pinned.cidr = *Cidr6::parse("fd00:10:244:40::/64");
    pinned.value.flags = PODLANE_ROUTE_F_STATIC;
    current.push_back(pinned);
    auto next = kDual;
    next[1].node_ip6 = *Ipv6::parse("fd00:192:160:1::22");
    next[2] = with_ipv6(next[2], "fd00:192:160:1::13", "fd00:10:244:3::/64");
    auto diff = diff_routes(current, desired_routes6(dual_self(), next, 7));
    ASSERT_EQ(diff.update.size(), 1u);
    EXPECT_EQ(from_in6(diff.update[0].value.node_ip).str(), "fd00:192:160:1::22");
    ASSERT_EQ(diff.add.size(), 1u);
    EXPECT_EQ(diff.add[0].cidr.str(), "fd00:10:244:3::/64");
    EXPECT_TRUE(diff.remove.empty()) << "a static route stays";

    std::map<std::string, podlane_route6_value> entries;
    for (const auto &r : current) entries[r.cidr.str()] = r.value;
    std::vector<std::string> log;
    RouteWriter6 writer{[&](const Cidr6 &c, const podlane_route6_value &v) -> Result<bool> {
                            entries[c.str()] = v;
                            return true;
                        },
                        [&](const Cidr6 &c) -> Result<bool> { return entries.erase(c.str()) == 1; }};
    ASSERT_TRUE(apply_route_diff(writer, diff, [&](const std::string &l) { log.push_back(l); }));
    EXPECT_EQ(entries.size(), 4u);
    EXPECT_EQ(from_in6(entries["fd00:10:244:3::/64"].node_ip).str(), "fd00:192:160:1::13");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[1], "route added: fd00:10:244:3::/64 via fd00:192:160:1::13 dev #7");
}

}  // namespace
}  // namespace podlane
