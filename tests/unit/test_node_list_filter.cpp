#include <gtest/gtest.h>

#include <algorithm>

#include "cluster_nodes.h"
#include "podlane/node_list_filter.h"
#include "reconcile.h"

namespace podlane {
namespace {

using test::dual_self;
using test::node;
using test::self;

std::optional<NodeRefusal> refusal_of(const FilteredNodes &f, const std::string &name) {
    for (const auto &r : f.refused)
        if (r.node.name == name) return r.reason;
    return std::nullopt;
}

std::vector<std::string> names(const std::vector<ClusterNode> &nodes) {
    std::vector<std::string> out;
    for (const auto &n : nodes) out.push_back(n.name);
    return out;
}

// The entries that reached the routes map unchecked before the filter.
TEST(NodeListFilter, RefusesEachKnownBadEntry) {
    const std::vector<ClusterNode> list = {
        node("node1", "192.160.1.11", "10.244.1.0/24"),  // this node: kept, never routed
        node("good", "192.160.1.12", "10.244.2.0/24"),         node("everything", "192.160.1.20", "0.0.0.0/0"),
        node("inside-mine", "192.160.1.21", "10.244.1.0/25"),  node("loopback", "127.0.0.1", "192.168.0.0/16"),
        node("multicast", "224.0.0.1", "10.244.5.0/24"),       node("zero", "0.0.0.0", "10.244.6.0/24"),
        node("pod-ip", "10.244.2.5", "10.244.7.0/24"),         node("my-ip", "192.160.1.11", "10.244.8.0/24"),
        node("broadcast", "255.255.255.255", "10.244.9.0/24"), node("link-local", "169.254.169.254", "10.244.10.0/24"),
        node("tiny", "192.160.1.22", "10.244.11.0/31"),        node("dup-a", "192.160.1.23", "10.244.20.0/24"),
        node("dup-b", "192.160.1.24", "10.244.20.0/24"),
    };
    auto f = filter_node_list(list, node_list_policy(self()));
    EXPECT_EQ(names(f.accepted), (std::vector<std::string>{"node1", "good"}));
    EXPECT_EQ(refusal_of(f, "everything"), NodeRefusal::PodCidrOutsideCluster);
    EXPECT_EQ(refusal_of(f, "inside-mine"), NodeRefusal::PodCidrOverlapsSelf);
    EXPECT_EQ(refusal_of(f, "loopback"), NodeRefusal::PodCidrOutsideCluster);
    EXPECT_EQ(refusal_of(f, "multicast"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "zero"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "pod-ip"), NodeRefusal::NodeIpInCluster);
    EXPECT_EQ(refusal_of(f, "my-ip"), NodeRefusal::NodeIpIsSelf);
    EXPECT_EQ(refusal_of(f, "broadcast"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "link-local"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "tiny"), NodeRefusal::PodCidrLength);
    // A duplicate CIDR refuses both claims, whichever name sorts last.
    EXPECT_EQ(refusal_of(f, "dup-a"), NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(refusal_of(f, "dup-b"), NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(f.refused.size(), list.size() - 2);
    auto counts = count_refusals(f.refused);
    EXPECT_EQ(counts["node-ip-not-unicast"], 4);
    EXPECT_EQ(counts["pod-cidr-overlap"], 2);
}

TEST(NodeListFilter, NestedClaimsRefuseBothWhateverTheOrder) {
    std::vector<ClusterNode> list = {
        node("wide", "192.160.1.12", "10.244.16.0/20"), node("inner", "192.160.1.13", "10.244.17.0/24"),
        node("apart", "192.160.1.14", "10.244.40.0/24"), node("last", "192.160.1.15", "10.244.31.0/24")};
    for (int round = 0; round < 2; round++) {
        auto f = filter_node_list(list, node_list_policy(self()));
        EXPECT_EQ(names(f.accepted), std::vector<std::string>{"apart"});
        EXPECT_EQ(refusal_of(f, "wide"), NodeRefusal::PodCidrOverlap);
        EXPECT_EQ(refusal_of(f, "inner"), NodeRefusal::PodCidrOverlap);
        EXPECT_EQ(refusal_of(f, "last"), NodeRefusal::PodCidrOverlap);
        std::reverse(list.begin(), list.end());
    }
}

TEST(NodeListFilter, SelfEntryThatDisagreesAndNamesTwiceAreRefused) {
    auto f = filter_node_list(
        {node("node1", "192.160.1.11", "10.244.9.0/24"), node("twice", "192.160.1.12", "10.244.2.0/24"),
         node("twice", "192.160.1.13", "10.244.3.0/24")},
        node_list_policy(self()));
    EXPECT_TRUE(f.accepted.empty());
    EXPECT_EQ(f.refused[0].reason, NodeRefusal::SelfMismatch);
    EXPECT_EQ(f.refused[1].reason, NodeRefusal::NameTwice);
    EXPECT_EQ(f.refused[2].reason, NodeRefusal::NameTwice);
}

TEST(NodeListFilter, ListSizeIsCapped) {
    auto policy = node_list_policy(self());
    policy.max_nodes = 2;
    auto f = filter_node_list({node("a", "192.160.1.12", "10.244.2.0/24"), node("b", "192.160.1.13", "10.244.3.0/24"),
                               node("c", "192.160.1.14", "10.244.4.0/24")},
                              policy);
    EXPECT_EQ(names(f.accepted), (std::vector<std::string>{"a", "b"}));
    ASSERT_EQ(f.refused.size(), 1u);
    EXPECT_EQ(f.refused[0].reason, NodeRefusal::TooMany);
    EXPECT_EQ(node_list_policy(self()).max_nodes, size_t{PODLANE_ROUTES_MAX - 1});
}

TEST(NodeListFilter, ClusterPrefixLengthIsTheShortestAccepted) {
    auto cfg = self();
    cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
    auto f = filter_node_list({node("whole", "192.160.1.12", "10.244.0.0/16")}, node_list_policy(cfg));
    EXPECT_EQ(refusal_of(f, "whole"), NodeRefusal::PodCidrOverlapsSelf);
    f = filter_node_list({node("short", "192.160.1.12", "10.244.0.0/15")}, node_list_policy(cfg));
    EXPECT_TRUE(refusal_of(f, "short"));
}

TEST(NodeListFilter, RefusalsAreLoggedOncePerNameAndReason) {
    RefusalLog log;
    std::vector<std::string> lines;
    auto add = [&](const std::string &l, const RefusedNode &) { lines.push_back(l); };
    auto bad = filter_node_list({node("zero", "0.0.0.0", "10.244.6.0/24")}, node_list_policy(self()));
    log.report(bad.refused, add);
    log.report(bad.refused, add);  // a resync: nothing new
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("node zero is not routed: node IP 0.0.0.0"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("(node-ip-not-unicast)"), std::string::npos) << lines[0];
    log.report({}, add);           // fixed ...
    log.report(bad.refused, add);  // ... and broken again: said again
    EXPECT_EQ(lines.size(), 2u);
}

TEST(NodeListFilter, RefusedNodesRoundTripThroughTheAgentState) {
    AgentState s;
    s.pid = 7;
    auto f = filter_node_list({node("zero", "0.0.0.0", "10.244.6.0/24")}, node_list_policy(self()));
    s.refused_nodes = refusal_records(f.refused);
    auto dir = ::testing::TempDir() + "/node_list_filter_state";
    ASSERT_TRUE(write_agent_state(dir, s));
    auto text = read_file(dir + "/agent.json");
    ASSERT_TRUE(text);
    auto back = parse_agent_state(*text);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_EQ(back->refused_nodes.size(), 1u);
    EXPECT_EQ(back->refused_nodes[0].name, "zero");
    EXPECT_EQ(back->refused_nodes[0].reason, "node-ip-not-unicast");
    EXPECT_EQ(back->refused_nodes[0].node_ip, "0.0.0.0");
    // An older agent's file has no refusedNodes: none.
    auto old = parse_agent_state(R"({"pid": 3, "role": "node"})");
    ASSERT_TRUE(old);
    EXPECT_TRUE(old->refused_nodes.empty());
}

ClusterNode dual(const char *name, const char *ip, const char *cidr, const char *ip6, const char *cidr6) {
    return test::with_ipv6(node(name, ip, cidr), ip6, cidr6);
}

TEST(NodeListFilter, Ipv6ClaimsAreHeldToTheSameRules) {
    const std::vector<ClusterNode> list = {
        dual("node1", "192.160.1.11", "10.244.1.0/24", "fd00:192:160:1::11", "fd00:10:244:1::/64"),
        dual("good", "192.160.1.12", "10.244.2.0/24", "fd00:192:160:1::12", "fd00:10:244:2::/64"),
        node("v4-only", "192.160.1.13", "10.244.3.0/24"),
        dual("outside", "192.160.1.14", "10.244.4.0/24", "fd00:192:160:1::14", "fd00:99::/64"),
        dual("too-long", "192.160.1.15", "10.244.5.0/24", "fd00:192:160:1::15", "fd00:10:244:5::/124"),
        dual("link-local", "192.160.1.16", "10.244.6.0/24", "fe80::16", "fd00:10:244:6::/64"),
        dual("multicast", "192.160.1.17", "10.244.7.0/24", "ff02::1", "fd00:10:244:7::/64"),
        dual("pod-ip", "192.160.1.18", "10.244.8.0/24", "fd00:10:244:2::5", "fd00:10:244:8::/64"),
        dual("my-ip", "192.160.1.19", "10.244.9.0/24", "fd00:192:160:1::11", "fd00:10:244:9::/64"),
        dual("inside-mine", "192.160.1.20", "10.244.10.0/24", "fd00:192:160:1::20", "fd00:10:244:1::/80"),
        dual("dup-a", "192.160.1.21", "10.244.11.0/24", "fd00:192:160:1::21", "fd00:10:244:20::/64"),
        dual("dup-b", "192.160.1.22", "10.244.12.0/24", "fd00:192:160:1::22", "fd00:10:244:20::/64"),
        dual("wide", "192.160.1.23", "10.244.13.0/24", "fd00:192:160:1::23", "fd00:10:244:30::/60"),
        dual("inner", "192.160.1.24", "10.244.14.0/24", "fd00:192:160:1::24", "fd00:10:244:31::/64"),
    };
    auto f = filter_node_list(list, node_list_policy(dual_self()));
    EXPECT_EQ(names(f.accepted), (std::vector<std::string>{"node1", "good", "v4-only"}));
    EXPECT_EQ(refusal_of(f, "outside"), NodeRefusal::PodCidrOutsideCluster);
    EXPECT_EQ(refusal_of(f, "too-long"), NodeRefusal::PodCidrLength);
    EXPECT_EQ(refusal_of(f, "link-local"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "multicast"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "pod-ip"), NodeRefusal::NodeIpInCluster);
    EXPECT_EQ(refusal_of(f, "my-ip"), NodeRefusal::NodeIpIsSelf);
    EXPECT_EQ(refusal_of(f, "inside-mine"), NodeRefusal::PodCidrOverlapsSelf);
    EXPECT_EQ(refusal_of(f, "dup-a"), NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(refusal_of(f, "dup-b"), NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(refusal_of(f, "wide"), NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(refusal_of(f, "inner"), NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(f.refused.size(), list.size() - 3);
}

TEST(NodeListFilter, AnIpv4OnlyAgentIgnoresIpv6ClaimsAndKeepsTheNode) {
    auto f = filter_node_list({dual("peer", "192.160.1.12", "10.244.2.0/24", "fe80::1", "fd00:99::/64")},
                              node_list_policy(self()));
    EXPECT_EQ(names(f.accepted), std::vector<std::string>{"peer"});
}

TEST(NodeListFilter, SelfEntryWithAnotherIpv6CidrIsRefused) {
    auto f =
        filter_node_list({dual("node1", "192.160.1.11", "10.244.1.0/24", "fd00:192:160:1::11", "fd00:10:244:9::/64")},
                         node_list_policy(dual_self()));
    ASSERT_EQ(f.refused.size(), 1u);
    EXPECT_EQ(f.refused[0].reason, NodeRefusal::SelfMismatch);
}

TEST(NodeListFilter, AnIpv6OnlyAgentChecksIpv6ClaimsAndIgnoresIpv4Ones) {
    const std::vector<ClusterNode> list = {
        test::node6("node1", "fd00:192:160:1::11", "fd00:10:244:1::/64"),
        test::node6("good", "fd00:192:160:1::12", "fd00:10:244:2::/64"),
        // Only IPv4 claims, which this agent does not route: refused.
        node("v4-only", "0.0.0.1", "10.9.0.0/16"),
        dual("dual", "192.160.1.14", "10.244.4.0/24", "fd00:192:160:1::14", "fd00:10:244:4::/64"),
        test::node6("pod-ip", "fd00:10:244:2::5", "fd00:10:244:5::/64"),
        test::node6("mine", "fd00:192:160:1::16", "fd00:10:244:1::/80"),
        // Claims of neither family.
        {"nothing", {}, {}, std::nullopt, std::nullopt},
    };
    auto f = filter_node_list(list, node_list_policy(test::ipv6_only_self()));
    EXPECT_EQ(names(f.accepted), (std::vector<std::string>{"node1", "good", "dual"}));
    EXPECT_EQ(refusal_of(f, "v4-only"), NodeRefusal::PodCidrOutsideCluster);
    EXPECT_EQ(refusal_of(f, "pod-ip"), NodeRefusal::NodeIpInCluster);
    EXPECT_EQ(refusal_of(f, "mine"), NodeRefusal::PodCidrOverlapsSelf);
    EXPECT_EQ(refusal_of(f, "nothing"), NodeRefusal::PodCidrOutsideCluster);
}

TEST(NodeListFilter, ADualStackAgentKeepsIpv6OnlyPeersAndStillRefusesZeroIpv4Claims) {
    auto f =
        filter_node_list({test::node6("peer", "fd00:192:160:1::12", "fd00:10:244:2::/64"),
                          node("zero-ip", "0.0.0.0", "10.244.3.0/24"), node("everything", "192.160.1.14", "0.0.0.0/0")},
                         node_list_policy(dual_self()));
    EXPECT_EQ(names(f.accepted), std::vector<std::string>{"peer"});
    EXPECT_EQ(refusal_of(f, "zero-ip"), NodeRefusal::NodeIpNotUnicast);
    EXPECT_EQ(refusal_of(f, "everything"), NodeRefusal::PodCidrOutsideCluster);
    // The IPv4-only router or agent refuses the IPv6-only peer: nothing to route.
    f = filter_node_list({test::node6("peer", "fd00:192:160:1::12", "fd00:10:244:2::/64")}, node_list_policy(self()));
    EXPECT_EQ(refusal_of(f, "peer"), NodeRefusal::PodCidrOutsideCluster);
}

}  // namespace
}  // namespace podlane
