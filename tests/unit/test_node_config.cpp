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

}  // namespace
}  // namespace podlane
