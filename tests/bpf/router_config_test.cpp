// The router role's config parser (good and bad files, errors naming the
// field) and what it plans for its maps from the kernel's tables. No root.
#include "router/router_config.h"

#include <gtest/gtest.h>
#include <linux/neighbour.h>

#include "router/router_sync.h"

namespace podlane {
namespace {

const char *kGood = R"({"nodeName": "router", "nodeIP": "192.160.1.1", "interfaces": ["eth0", "eth1"],
  "pinRoot": "/sys/fs/bpf/x",
  "nodes": [{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
            {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"},
            {"name": "node3", "nodeIP": "192.160.2.13", "podCIDR": "10.244.3.0/24"}]})";

TEST(RouterConfig, ParsesAGoodFile) {
    auto cfg = parse_router_config(kGood);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->node_name, "router");
    EXPECT_EQ(cfg->node_ip.str(), "192.160.1.1");
    EXPECT_EQ(cfg->interfaces, (std::vector<std::string>{"eth0", "eth1"}));
    EXPECT_EQ(cfg->pin_dir(), "/sys/fs/bpf/x/router");
    ASSERT_EQ(cfg->nodes.size(), 3u);
    EXPECT_EQ(cfg->nodes[2].pod_cidr.str(), "10.244.3.0/24");
}

TEST(RouterConfig, AcceptsANodeStyleUplink) {
    auto cfg = parse_router_config(R"({"nodeName": "r", "nodeIP": "192.160.1.1", "uplink": "eth0", "nodes": []})");
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->interfaces, std::vector<std::string>{"eth0"});
    EXPECT_EQ(cfg->pin_root, "/sys/fs/bpf/podlane");
}

struct Bad {
    const char *json;
    const char *field;  // the error must start with it
};

TEST(RouterConfig, BadFilesNameTheField) {
    const Bad bad[] = {
        {"[]", "top level"},
        {"{", "not valid JSON"},
        {R"({"nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": []})", "nodeName"},
        {R"({"nodeName": "a/b", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": []})", "nodeName"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.300", "interfaces": ["eth0"], "nodes": []})", "nodeIP"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "nodes": []})", "interfaces"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": [], "nodes": []})", "interfaces"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0", "eth0"], "nodes": []})", "interfaces[1]"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["averyveryverylongname"], "nodes": []})",
         "interfaces[0]"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": [7], "nodes": []})", "interfaces[0]"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"]})", "nodes"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": [{"name": "n", "nodeIP": "192.160.1.11"}]})",
         "nodes[0].podCIDR"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": [{"name": "n", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.1/24"}]})",
         "nodes[0].podCIDR"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": [{"name": "n", "nodeIP": "192.160.1.11", "podCIDR": "10.9.1.0/24"}]})",
         "nodes[0].podCIDR"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": [{"name": "n", "nodeIP": "192.160.1.1", "podCIDR": "10.244.1.0/24"}]})",
         "nodes[0].nodeIP"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": [{"name": "n", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"}, {"name": "m", "nodeIP": "192.160.1.12", "podCIDR": "10.244.1.0/25"}]})",
         "nodes[1].podCIDR"},
        {R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "nodes": [{"name": "n", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"}, {"name": "n", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"}]})",
         "nodes[1].name"},
    };
    for (const auto &b : bad) {
        auto cfg = parse_router_config(b.json);
        ASSERT_FALSE(cfg) << b.json;
        EXPECT_EQ(cfg.error().message.rfind(b.field, 0), 0u)
            << "error '" << cfg.error().message << "' should name " << b.field;
    }
}

TEST(RouterConfig, NodesMayBeLeftOutWhenADatastoreListsThem) {
    const char *no_nodes = R"({"nodeName": "r", "nodeIP": "192.160.1.1", "interfaces": ["eth0"]})";
    auto strict = parse_router_config(no_nodes);
    ASSERT_FALSE(strict);
    EXPECT_EQ(strict.error().message.rfind("nodes: missing", 0), 0u) << strict.error().message;
    auto cfg = parse_router_config(no_nodes, {.nodes_required = false});
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_TRUE(cfg->nodes.empty());
    EXPECT_EQ(cfg->cluster_cidr.str(), "10.244.0.0/16");
}

TEST(RouterSync, DatastoreNodesAreCheckedLikeTheConfigFilesList) {
    Ipv4 router = *Ipv4::parse("192.160.1.1");
    std::vector<ClusterNode> published = {
        {"node1", *Ipv4::parse("192.160.1.11"), *Cidr::parse("10.244.1.0/24"), {}, {}},
        {"outside", *Ipv4::parse("192.160.1.12"), *Cidr::parse("10.99.0.0/24"), {}, {}},
        {"impostor", router, *Cidr::parse("10.244.2.0/24"), {}, {}},
        {"overlap", *Ipv4::parse("192.160.1.13"), *Cidr::parse("10.244.1.128/25"), {}, {}},
        {"node3", *Ipv4::parse("192.160.1.13"), *Cidr::parse("10.244.3.0/24"), {}, {}},
    };
    auto sel = usable_router_nodes(published, *Cidr::parse("10.244.0.0/16"), router);
    // An overlap refuses both claims: no node wins by being listed first.
    ASSERT_EQ(sel.usable.size(), 1u);
    EXPECT_EQ(sel.usable[0].name, "node3");
    ASSERT_EQ(sel.refused.size(), 4u);
    EXPECT_EQ(sel.refused[0].node.name, "node1");
    EXPECT_EQ(sel.refused[0].reason, NodeRefusal::PodCidrOverlap);
    EXPECT_EQ(sel.refused[1].reason, NodeRefusal::PodCidrOutsideCluster);
    EXPECT_NE(sel.refused[2].why.find("this agent's own"), std::string::npos) << sel.refused[2].why;
    EXPECT_NE(sel.refused[3].why.find("overlaps node 'node1'"), std::string::npos) << sel.refused[3].why;
}

std::vector<InterfaceSubnet> subnets() {
    return {{2, *Cidr::parse("192.160.1.0/24")},
            {3, *Cidr::parse("192.160.2.0/24")},
            {9, *Cidr::parse("192.160.3.0/24")},
            {2, *Cidr::parse("192.160.0.0/16")}};
}

TEST(RouterSync, NodesAreReachedOnTheirConnectedSubnet) {
    auto cfg = parse_router_config(kGood);
    ASSERT_TRUE(cfg);
    cfg->nodes.push_back({"far", *Ipv4::parse("198.51.100.1"), *Cidr::parse("10.244.9.0/24"), {}, {}});
    auto node_if = node_interfaces(cfg->nodes, subnets(), {2, 3});
    EXPECT_EQ(node_if.at(*Ipv4::parse("192.160.1.11")), 2);
    EXPECT_EQ(node_if.at(*Ipv4::parse("192.160.2.13")), 3) << "longest prefix wins over eth0's /16";
    EXPECT_FALSE(node_if.count(*Ipv4::parse("198.51.100.1")));

    auto routes = router_desired_routes(cfg->nodes, node_if);
    ASSERT_EQ(routes.size(), 4u);
    EXPECT_EQ(routes[0].cidr.str(), "10.244.1.0/24");
    EXPECT_EQ(routes[0].value.node_ip, Ipv4::parse("192.160.1.11")->be);
    EXPECT_EQ(routes[0].value.uplink_ifindex, 2u);
    EXPECT_EQ(routes[0].value.flags, static_cast<__u32>(PODLANE_ROUTE_F_ROUTER_NEXTHOP));
    EXPECT_EQ(routes[3].value.uplink_ifindex, 0u) << "unreachable node: no interface";
}

TEST(RouterSync, NeighboursFromTheKernelTable) {
    Ipv4 n1 = *Ipv4::parse("192.160.1.11"), n2 = *Ipv4::parse("192.160.1.12"), n3 = *Ipv4::parse("192.160.2.13"),
         n4 = *Ipv4::parse("192.160.1.14");
    std::map<Ipv4, int> node_if{{n1, 2}, {n2, 2}, {n3, 3}, {n4, 2}};
    Mac m1 = *Mac::parse("02:00:00:00:00:11"), m2 = *Mac::parse("02:00:00:00:00:12"),
        m3 = *Mac::parse("02:00:00:00:00:13");
    std::vector<Neighbour> table = {
        {n1, 2, m1, NUD_REACHABLE},
        {n2, 2, m2, NUD_STALE},
        {n3, 2, m3, NUD_REACHABLE},  // on the wrong interface: not it
        {n4, 2, std::nullopt, NUD_INCOMPLETE},
    };
    auto plan = plan_neighbours(node_if, table);
    ASSERT_EQ(plan.entries.size(), 2u);
    EXPECT_EQ(plan.entries.at(n1), (NeighbourEntry{m1, 2}));
    EXPECT_EQ(plan.entries.at(n2), (NeighbourEntry{m2, 2})) << "a stale entry is still used";
    std::vector<std::pair<int, Ipv4>> want = {{2, n2}, {2, n4}, {3, n3}};
    EXPECT_EQ(plan.resolve, want) << "stale re-probed, missing and incomplete resolved";
}

}  // namespace
}  // namespace podlane
