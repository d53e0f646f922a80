// The scripts' ways into the maps without spelling them: `podlanectl router
// neighbours|ports` on a router's pinned maps, and pl-register-endpoint (the
// hand-wired pod's endpoint entry, from the ABI header). Root only: real maps
// pinned under this test's own directory.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "podlane/maps.h"
#include "podlane/unique_fd.h"
#include "privileges.h"
#include "test_ctl_support.h"

namespace podlane::test {
namespace {

using nlohmann::json;

class CtlRouter : public ::testing::Test {
protected:
    void SetUp() override {
        PODLANE_REQUIRE_ROOT();
        if (auto why = ensure_bpffs(); !why.empty()) GTEST_SKIP() << why;
        root_ = make_test_pin_dir("ctl-router");
        ASSERT_TRUE(pin_router_maps(root_ + "/router").ok());
        ASSERT_TRUE(pin_node_maps(root_ + "/node1").ok());
    }
    void TearDown() override {
        if (!root_.empty()) remove_pin_dir(root_);
    }

    // Puts one entry into a pinned map of the router's.
    template <typename Key, typename Value>
    void put(const char *map_name, const Key &key, const Value &value) {
        std::string path = root_ + "/router/" + map_name;
        UniqueFd fd(bpf_obj_get(path.c_str()));
        ASSERT_TRUE(fd.valid()) << path;
        ASSERT_EQ(bpf_map_update_elem(fd.get(), &key, &value, BPF_ANY), 0) << path;
    }

    CtlRun ctl(const std::string &node, std::vector<std::string> args) {
        std::vector<std::string> full = {"--pin-root", root_, "--run-root", root_ + "/no-run", "--node", node};
        full.insert(full.end(), args.begin(), args.end());
        return run_podlanectl(full);
    }

    std::string root_;
};

TEST_F(CtlRouter, NeighboursListedSortedWithMacAndIfindex) {
    put(PODLANE_MAP_NEIGHBOURS, podlane_neighbour_key{Ipv4::parse("192.160.1.12")->be},
        podlane_neighbour_value{{0x0a, 0, 0, 0, 0, 0x12}, 0, 1});
    put(PODLANE_MAP_NEIGHBOURS, podlane_neighbour_key{Ipv4::parse("192.160.1.11")->be},
        podlane_neighbour_value{{0x0a, 0, 0, 0, 0, 0x11}, 0, 1});
    auto run = ctl("router", {"router", "neighbours", "-o", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto doc = json::parse(run.out);
    EXPECT_EQ(doc["node"], "router");
    ASSERT_EQ(doc["neighbours"].size(), 2u) << run.out;
    EXPECT_EQ(doc["neighbours"][0]["ip"], "192.160.1.11");
    EXPECT_EQ(doc["neighbours"][0]["mac"], "0a:00:00:00:00:11");
    EXPECT_EQ(doc["neighbours"][0]["ifindex"], 1);
    EXPECT_EQ(doc["neighbours"][1]["ip"], "192.160.1.12");

    auto table = ctl("router", {"router", "neigh"});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("0a:00:00:00:00:12"), std::string::npos) << table.out;
}

TEST_F(CtlRouter, PortsShowFlagsByName) {
    put(PODLANE_MAP_ROUTER_PORTS, podlane_router_port_key{7},
        podlane_router_port_value{{0x0a, 1, 2, 3, 4, 5}, PODLANE_ROUTER_PORT_F_VETH_PEER, 1500});
    put(PODLANE_MAP_ROUTER_PORTS, podlane_router_port_key{3},
        podlane_router_port_value{{0x0a, 1, 2, 3, 4, 6}, 0, 9000});
    auto run = ctl("router", {"router", "ports", "-o", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    auto doc = json::parse(run.out);
    ASSERT_EQ(doc["ports"].size(), 2u) << run.out;
    EXPECT_EQ(doc["ports"][0]["ifindex"], 3);
    EXPECT_EQ(doc["ports"][0]["flags"], json::array());
    EXPECT_EQ(doc["ports"][0]["mtu"], 9000);
    EXPECT_EQ(doc["ports"][1]["ifindex"], 7);
    EXPECT_EQ(doc["ports"][1]["flags"], json::array({"veth-peer"}));
    EXPECT_EQ(doc["ports"][1]["mac"], "0a:01:02:03:04:05");
}

TEST_F(CtlRouter, OnANodeWithoutRouterMapsSaysWhatIsMissing) {
    auto run = ctl("node1", {"router", "ports"});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(PODLANE_MAP_ROUTER_PORTS), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
}

TEST_F(CtlRouter, RegisterEndpointToolWritesTheAbiLayout) {
    const std::string dir = root_ + "/node1";
    const std::string tool = PL_REGISTER_ENDPOINT_BIN;
    ASSERT_EQ(std::system((tool + " " + dir + " 10.244.1.10 7 0a:58:0a:f4:01:0a ee:01:02:03:04:05").c_str()), 0);
    auto maps = NodeMaps::open(dir);
    ASSERT_TRUE(maps) << maps.error().message;
    auto ep = maps->endpoint(*Ipv4::parse("10.244.1.10"));
    ASSERT_TRUE(ep && ep->has_value());
    EXPECT_EQ((*ep)->host_ifindex, 7u);
    EXPECT_EQ((*ep)->pod_mac[0], 0x0a);
    EXPECT_EQ((*ep)->pod_mac[5], 0x0a);
    EXPECT_EQ((*ep)->host_mac[0], 0xee);
    EXPECT_EQ((*ep)->host_mac[5], 0x05);
    EXPECT_EQ((*ep)->flags, 0u);

    // Bad input: exit 2, nothing written.
    EXPECT_EQ(WEXITSTATUS(std::system(
                  (tool + " " + dir + " 10.244.1.11 0 0a:58:0a:f4:01:0b ee:01:02:03:04:05 2>/dev/null").c_str())),
              2);
    EXPECT_EQ(WEXITSTATUS(std::system(
                  (tool + " " + dir + " 10.244.1.300 7 0a:58:0a:f4:01:0b ee:01:02:03:04:05 2>/dev/null").c_str())),
              2);
    auto none = maps->endpoint(*Ipv4::parse("10.244.1.11"));
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace podlane::test
