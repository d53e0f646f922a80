#include <gtest/gtest.h>

#include "podlane/node_config.h"

namespace podlane {
namespace {

const char *kGood = R"({
  "nodeName": "node1", "nodeIP": "192.160.1.11", "uplink": "eth0",
  "nodes": [
    {"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
    {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"}
  ]
})";

TEST(NodeConfig, ParsesAndTakesOwnCidrFromNodes) {
    auto cfg = parse_node_config(kGood);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->node_name, "node1");
    EXPECT_EQ(cfg->bridge, "podlane0");
    EXPECT_EQ(cfg->pod_cidr.str(), "10.244.1.0/24");
    EXPECT_EQ(cfg->gateway().str(), "10.244.1.1");
    EXPECT_EQ(cfg->cluster_cidr.str(), "10.244.0.0/16");
    EXPECT_EQ(cfg->pin_dir(), "/sys/fs/bpf/podlane/node1");
    EXPECT_EQ(cfg->nodes.size(), 2u);
    EXPECT_FALSE(cfg->router_ip);
}

struct Bad {
    const char *json;
    const char *names;  // the field the error must name
};

class NodeConfigErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(NodeConfigErrors, NameTheField) {
    auto cfg = parse_node_config(GetParam().json);
    ASSERT_FALSE(cfg) << GetParam().json;
    EXPECT_NE(cfg.error().message.find(GetParam().names), std::string::npos) << cfg.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, NodeConfigErrors,
    ::testing::Values(
        Bad{"not json", "not valid JSON"}, Bad{"[]", "JSON object"},
        Bad{R"({"nodeIP":"192.160.1.11","uplink":"eth0","podCIDR":"10.244.1.0/24"})", "nodeName"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.300","uplink":"eth0","podCIDR":"10.244.1.0/24"})", "nodeIP"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","podCIDR":"10.244.1.0/24"})", "uplink"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"averyveryverylongname","podCIDR":"10.244.1.0/24"})",
            "uplink"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.5/24"})", "podCIDR"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0"})", "podCIDR"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.9.1.0/24"})", "clusterCIDR"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24","nodes":{}})", "nodes"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24",
               "nodes":[{"name":"a","nodeIP":"192.160.1.2"}]})",
            "nodes[0].podCIDR"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24",
               "nodes":[{"name":"a","nodeIP":"192.160.1.2","podCIDR":"10.244.2.0/24"},
                        {"name":"a","nodeIP":"192.160.1.3","podCIDR":"10.244.3.0/24"}]})",
            "appears twice"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24",
               "nodes":[{"name":"a","nodeIP":"192.160.1.2","podCIDR":"10.244.0.0/23"}]})",
            "overlaps"},
        Bad{R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24","routerIP":"x"})",
            "routerIP"}));

TEST(NodeConfig, DatastoreMayDeferThePodCidr) {
    auto cfg =
        parse_node_config(R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0"})", {.pod_cidr_required = false});
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_FALSE(has_pod_cidr(*cfg));
}

TEST(NodeConfig, MissingFileSaysWhich) {
    auto cfg = load_node_config("/nonexistent/podlane.json");
    ASSERT_FALSE(cfg);
    EXPECT_NE(cfg.error().message.find("/nonexistent/podlane.json"), std::string::npos);
}

const char *kDual = R"({
  "nodeName": "node1", "nodeIP": "192.160.1.11", "uplink": "eth0",
  "nodeIPv6": "fd00:192:160:1::11", "clusterCIDRv6": "fd00:10:244::/56",
  "nodes": [
    {"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24",
     "nodeIPv6": "fd00:192:160:1::11", "podCIDRv6": "fd00:10:244:1::/64"},
    {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24",
     "nodeIPv6": "fd00:192:160:1::12", "podCIDRv6": "fd00:10:244:2::/64"},
    {"name": "node3", "nodeIP": "192.160.1.13", "podCIDR": "10.244.3.0/24"}
  ]
})";

TEST(NodeConfig, DualStackTakesTheIpv6CidrFromItsEntry) {
    auto cfg = parse_node_config(kDual);
    ASSERT_TRUE(cfg) << cfg.error().message;
    ASSERT_TRUE(cfg->node_ip6 && cfg->cluster_cidr6 && cfg->pod_cidr6);
    EXPECT_EQ(cfg->node_ip6->str(), "fd00:192:160:1::11");
    EXPECT_EQ(cfg->pod_cidr6->str(), "fd00:10:244:1::/64");
    EXPECT_EQ(cfg->gateway6()->str(), "fd00:10:244:1::1");
    ASSERT_EQ(cfg->nodes.size(), 3u);
    EXPECT_EQ(cfg->nodes[1].node_ip6->str(), "fd00:192:160:1::12");
    EXPECT_FALSE(cfg->nodes[2].pod_cidr6) << "an IPv4-only node in a dual-stack cluster";
    EXPECT_EQ(self_entry(*cfg), cfg->nodes[0]);
}

TEST(NodeConfig, Ipv4OnlyHasNoIpv6) {
    auto cfg = parse_node_config(kGood);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_FALSE(cfg->node_ip6 || cfg->cluster_cidr6 || cfg->pod_cidr6 || cfg->gateway6());
}

std::string dual_with(const std::string &top, const std::string &node2 = "") {
    return R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24")" + top +
           R"(,"nodes":[{"name":"m","nodeIP":"192.160.1.2","podCIDR":"10.244.2.0/24")" + node2 + "}]}";
}

TEST(NodeConfig, Ipv6ErrorsNameTheField) {
    const std::string both = R"(,"nodeIPv6":"fd00::1","clusterCIDRv6":"fd00:10:244::/56")";
    const std::pair<std::string, const char *> cases[] = {
        {dual_with(R"(,"nodeIPv6":"fd00::1")"), "clusterCIDRv6"},
        {dual_with(R"(,"clusterCIDRv6":"fd00:10:244::/56")"), "nodeIPv6"},
        {dual_with(R"(,"nodeIPv6":"192.160.1.1","clusterCIDRv6":"fd00:10:244::/56")"), "nodeIPv6"},
        {dual_with(both + R"(,"podCIDRv6":"fd00:10:244:1::5/64")"), "podCIDRv6"},
        {dual_with(both + R"(,"podCIDRv6":"fd00:99::/64")"), "outside clusterCIDRv6"},
        {dual_with(both + R"(,"podCIDRv6":"fd00:10:244:1::/124")"), "not between"},
        {dual_with(R"(,"podCIDRv6":"fd00:10:244:1::/64")"), "needs nodeIPv6"},
        {dual_with(both, R"(,"nodeIPv6":"fd00::2")"), "nodes[0].podCIDRv6"},
        {dual_with(both, R"(,"podCIDRv6":"fd00:10:244:2::/64")"), "nodes[0].nodeIPv6"},
        {dual_with(both, R"(,"nodeIPv6":"fd00::2","podCIDRv6":"fd00:77::/64")"), "outside clusterCIDRv6"},
        {dual_with(both + R"(,"podCIDRv6":"fd00:10:244:2::/64")",
                   R"(,"nodeIPv6":"fd00::2","podCIDRv6":"fd00:10:244:2::/64")"),
         "overlaps node 'm'"},
    };
    for (const auto &[json, names] : cases) {
        auto cfg = parse_node_config(json);
        ASSERT_FALSE(cfg) << json;
        EXPECT_NE(cfg.error().message.find(names), std::string::npos) << json << "\n" << cfg.error().message;
    }
}

// IPv6-only: no nodeIP, no podCIDR; the node's pods and the cluster's nodes
// have IPv6 sides only.
constexpr const char *kIpv6Only = R"({"nodeName":"node1","uplink":"eth0",
    "nodeIPv6":"fd00:192:160:1::11","clusterCIDRv6":"fd00:10:244::/56",
    "nodes":[{"name":"node1","nodeIPv6":"fd00:192:160:1::11","podCIDRv6":"fd00:10:244:1::/64"},
             {"name":"node2","nodeIPv6":"fd00:192:160:1::12","podCIDRv6":"fd00:10:244:2::/64"}]})";

TEST(NodeConfig, Ipv6OnlyNodeHasNoIpv4Side) {
    auto cfg = parse_node_config(kIpv6Only);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_FALSE(cfg->has_ipv4());
    EXPECT_FALSE(has_pod_cidr(*cfg));
    ASSERT_TRUE(cfg->pod_cidr6);
    EXPECT_EQ(cfg->pod_cidr6->str(), "fd00:10:244:1::/64");
    ASSERT_EQ(cfg->nodes.size(), 2u);
    EXPECT_FALSE(cfg->nodes[1].has_ipv4());
    EXPECT_EQ(cfg->nodes[1].node_ip6->str(), "fd00:192:160:1::12");
    EXPECT_EQ(pod_cidrs_text(*cfg), "fd00:10:244:1::/64");
    const auto gateways = cfg->gateway_addresses();
    EXPECT_FALSE(gateways.ipv4);
    ASSERT_TRUE(gateways.ipv6);
    EXPECT_EQ(gateways.ipv6->prefix.str(), "fd00:10:244:1::1");
    EXPECT_EQ(gateways.ipv6->length, 64);
}

TEST(NodeConfig, Ipv6OnlyErrorsNameTheField) {
    const std::string top =
        R"({"nodeName":"n","uplink":"eth0","nodeIPv6":"fd00::1","clusterCIDRv6":"fd00:10:244::/56")";
    const std::pair<std::string, const char *> cases[] = {
        // Neither family's identity.
        {R"({"nodeName":"n","uplink":"eth0","podCIDR":"10.244.1.0/24"})", "nodeIP: missing"},
        {R"({"nodeName":"n","nodeIP":"0.0.0.0","uplink":"eth0","podCIDR":"10.244.1.0/24"})", "0.0.0.0"},
        // IPv6-only with an IPv4 pod CIDR, or without its IPv6 one.
        {top + R"(,"podCIDR":"10.244.1.0/24","podCIDRv6":"fd00:10:244:1::/64"})", "podCIDR"},
        {top + "}", "podCIDRv6: missing"},
        // Node entries: each family's pair whole, at least one family.
        {top + R"(,"podCIDRv6":"fd00:10:244:1::/64","nodes":[{"name":"m"}]})", "nodes[0].nodeIP"},
        {top + R"(,"podCIDRv6":"fd00:10:244:1::/64","nodes":[{"name":"m","nodeIP":"192.160.1.2"}]})",
         "nodes[0].podCIDR"},
        {top + R"(,"podCIDRv6":"fd00:10:244:1::/64","nodes":[{"name":"m","podCIDR":"10.244.2.0/24"}]})",
         "nodes[0].nodeIP"},
    };
    for (const auto &[json, names] : cases) {
        auto cfg = parse_node_config(json);
        ASSERT_FALSE(cfg) << json;
        EXPECT_NE(cfg.error().message.find(names), std::string::npos) << json << "\n" << cfg.error().message;
    }
}

TEST(NodeConfig, DualStackNodeListMayHoldIpv6OnlyPeers) {
    auto cfg = parse_node_config(R"({"nodeName":"n","nodeIP":"192.160.1.1","uplink":"eth0","podCIDR":"10.244.1.0/24",
        "nodeIPv6":"fd00::1","clusterCIDRv6":"fd00:10:244::/56","podCIDRv6":"fd00:10:244:1::/64",
        "nodes":[{"name":"m","nodeIPv6":"fd00::2","podCIDRv6":"fd00:10:244:2::/64"}]})");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_TRUE(cfg->has_ipv4());
    EXPECT_FALSE(cfg->nodes[0].has_ipv4());
    EXPECT_EQ(pod_cidrs_text(*cfg), "10.244.1.0/24 and fd00:10:244:1::/64");
}

TEST(GatewayMac, Ipv6GatewaysOfEachNodeDiffer) {
    const Mac one = gateway_mac_for(*Ipv6::parse("fd00:10:244:1::1"));
    const Mac two = gateway_mac_for(*Ipv6::parse("fd00:10:244:2::1"));
    EXPECT_EQ(one.bytes[0], 0x0a);
    EXPECT_EQ(one.bytes[1], 0x58);
    EXPECT_NE(one, two);
    EXPECT_EQ(one, gateway_mac_for(*Ipv6::parse("fd00:10:244:1::1"))) << "stable across restarts";
}

}  // namespace
}  // namespace podlane
