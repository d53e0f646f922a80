// podlanectl end to end on real pinned maps: the binary runs as a subprocess
// (exit code, stdout, stderr checked) against maps this test pins under its
// own pin directory, inside a private network namespace. Root only.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "podlane/attach.h"
#include "podlane/maps.h"
#include "podlane/netlink.h"
#include "privileges.h"
#include "standard_node.h"
#include "test_ctl_support.h"

namespace podlane::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string ensure_private_netns_once() {
    static std::string result = enter_private_netns();
    return result;
}

json parse_json(const CtlRun &r) {
    auto doc = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << "stdout is not JSON:\n" << r.out << "\nstderr: " << r.err;
    return doc;
}

int count_lines(const std::string &s) {
    return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

// One clear line on stderr, nothing on stdout, exit code 2.
#define EXPECT_BAD_INPUT(run, needle)                                                 \
    do {                                                                              \
        const CtlRun &r_ = (run);                                                     \
        EXPECT_EQ(r_.exit_code, 2) << "stderr: " << r_.err << "\nstdout: " << r_.out; \
        EXPECT_EQ(count_lines(r_.err), 1) << r_.err;                                  \
        EXPECT_NE(r_.err.find(needle), std::string::npos) << "stderr: " << r_.err;    \
        EXPECT_TRUE(r_.out.empty()) << r_.out;                                        \
    } while (0)

class CtlCli : public ::testing::Test {
protected:
    void SetUp() override {
        PODLANE_REQUIRE_ROOT();
        if (auto why = ensure_private_netns_once(); !why.empty()) GTEST_SKIP() << why;
        if (auto why = ensure_bpffs(); !why.empty()) GTEST_SKIP() << why;
        root_ = make_test_pin_dir("ctl-cli");
        run_root_ = fs::temp_directory_path() / ("podlanectl-run-" + std::to_string(getpid()));
        fs::create_directories(run_root_);
        ASSERT_TRUE(pin_node_maps(node_dir()).ok());
        auto maps = NodeMaps::open(node_dir());
        ASSERT_TRUE(maps) << maps.error().message;
        maps_ = std::make_unique<NodeMaps>(std::move(*maps));

        auto nl = Netlink::open();
        ASSERT_TRUE(nl);
        for (const char *name : {"ctlup0", "ctlup1"}) {
            auto st = nl->create_veth(name, std::string(name) + "p", -1);
            ASSERT_TRUE(st || st.error().errnum == EEXIST) << st.error().message;
        }
        uplink_ = if_nametoindex("ctlup0");
        other_uplink_ = if_nametoindex("ctlup1");
        ASSERT_NE(uplink_, 0u);

        podlane_node_config cfg = standard_node_config(uplink_);
        cfg.uplink_mtu = 1500;
        ASSERT_TRUE(maps_->set_config(cfg).ok());
    }

    void TearDown() override {
        maps_.reset();
        if (!root_.empty()) remove_pin_dir(root_);
        std::error_code ec;
        if (!run_root_.empty()) fs::remove_all(run_root_, ec);
        // The veths live and die with this test's private namespace.
    }

    std::string node_dir(const std::string &node = "node1") const { return root_ + "/" + node; }

    CtlRun ctl(std::vector<std::string> args, int as_uid = -1) {
        std::vector<std::string> full = {"--pin-root", root_, "--run-root", run_root_.string()};
        full.insert(full.end(), args.begin(), args.end());
        return run_podlanectl(full, as_uid);
    }

    void seed_local_and_remote() {
        auto put = [&](const char *cidr, const char *via, uint32_t flags) {
            podlane_route_value v{Ipv4::parse(via)->be, uplink_, flags, PODLANE_FAMILY_IPV4};
            ASSERT_TRUE(maps_->put_route(*Cidr::parse(cidr), v).ok());
        };
        put("10.244.1.0/24", "192.160.1.11", PODLANE_ROUTE_F_LOCAL);
        put("10.244.2.0/24", "192.160.1.12", 0);
        podlane_endpoint_value ep{};
        ep.host_ifindex = other_uplink_;
        ep.pod_mac[0] = 0x0a;
        ep.pod_mac[5] = 0x0a;
        ASSERT_TRUE(maps_->put_endpoint(*Ipv4::parse("10.244.1.10"), ep).ok());
    }

    // The node's IPv6 side (standard_node_config6): its local /64, one remote
    // /64 and a pod on ctlup1.
    void seed_local_and_remote6() {
        ASSERT_TRUE(maps_->set_config6(standard_node_config6()).ok());
        auto put = [&](const char *cidr, const char *via, uint32_t flags) {
            podlane_route6_value v{};
            v.node_ip = to_in6(*Ipv6::parse(via));
            v.uplink_ifindex = uplink_;
            v.flags = flags;
            ASSERT_TRUE(maps_->put_route6(*Cidr6::parse(cidr), v).ok());
        };
        put("fd00:10:244:1::/64", "fd00:192:160:1::11", PODLANE_ROUTE_F_LOCAL);
        put("fd00:10:244:2::/64", "fd00:192:160:1::12", 0);
        podlane_endpoint_value ep{};
        ep.host_ifindex = other_uplink_;
        ep.pod_mac[0] = 0x0a;
        ep.pod_mac[5] = 0x0b;
        ASSERT_TRUE(maps_->put_endpoint6(*Ipv6::parse("fd00:10:244:1::a"), ep).ok());
    }

    std::string root_;
    fs::path run_root_;
    std::unique_ptr<NodeMaps> maps_;
    uint32_t uplink_ = 0, other_uplink_ = 0;
};

TEST_F(CtlCli, RoutesAddListDelRoundTrip) {
    auto r = ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.13"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "added 10.250.0.0/16 via 192.160.1.13 dev ctlup0 (static)\n");
    EXPECT_TRUE(r.err.empty()) << r.err;

    // The entry in the map is exactly what the programs need.
    auto routes = maps_->routes();
    ASSERT_TRUE(routes);
    ASSERT_EQ(routes->size(), 1u);
    EXPECT_EQ((*routes)[0].cidr.str(), "10.250.0.0/16");
    EXPECT_EQ((*routes)[0].value.node_ip, Ipv4::parse("192.160.1.13")->be);
    EXPECT_EQ((*routes)[0].value.uplink_ifindex, uplink_) << "default dev: the config's uplink";
    EXPECT_EQ((*routes)[0].value.flags, uint32_t{PODLANE_ROUTE_F_STATIC});
    EXPECT_EQ((*routes)[0].value.family, uint32_t{PODLANE_FAMILY_IPV4});

    r = ctl({"routes", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("10.250.0.0/16"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("192.160.1.13"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ctlup0"), std::string::npos) << r.out;

    r = ctl({"routes", "list", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    EXPECT_EQ(doc["node"], "node1");
    ASSERT_EQ(doc["routes"].size(), 1u);
    EXPECT_EQ(doc["routes"][0]["cidr"], "10.250.0.0/16");
    EXPECT_EQ(doc["routes"][0]["uplink"], "ctlup0");
    EXPECT_EQ(doc["routes"][0]["flags"], json::array({"static"}));

    r = ctl({"routes", "del", "10.250.0.0/16"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "deleted 10.250.0.0/16 via 192.160.1.13 dev ctlup0 (static)\n");
    EXPECT_TRUE(maps_->routes()->empty());

    r = ctl({"routes", "list", "-o", "json"});
    EXPECT_TRUE(parse_json(r)["routes"].empty());

    r = ctl({"routes", "del", "10.250.0.0/16"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(count_lines(r.err), 1);
    EXPECT_NE(r.err.find("no route for 10.250.0.0/16"), std::string::npos) << r.err;
}

TEST_F(CtlCli, AddOverAnExistingCidrSaysReplacedAndShowsTheOldValue) {
    ASSERT_EQ(ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.13"}).exit_code, 0);
    auto r = ctl({"-o", "json", "routes", "add", "10.250.0.0/16", "via", "192.160.1.14", "--dev", "ctlup1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    EXPECT_EQ(doc["action"], "replaced");
    EXPECT_EQ(doc["previous"]["nodeIp"], "192.160.1.13");
    EXPECT_EQ(doc["previous"]["uplink"], "ctlup0");
    EXPECT_EQ(doc["route"]["nodeIp"], "192.160.1.14");
    EXPECT_EQ(doc["route"]["uplink"], "ctlup1");
    auto routes = maps_->routes();
    ASSERT_EQ(routes->size(), 1u) << "replaced in place, not added beside";
    EXPECT_EQ((*routes)[0].value.uplink_ifindex, other_uplink_);

    r = ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.15"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("replaced 10.250.0.0/16 via 192.160.1.15", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("was 10.250.0.0/16 via 192.160.1.14 dev ctlup1"), std::string::npos) << r.out;
}

TEST_F(CtlCli, AgentRoutesBecomeStaticWhenReplacedAndLocalRouteIsProtected) {
    seed_local_and_remote();
    auto r = ctl({"routes", "add", "10.244.1.0/24", "via", "192.160.1.12"});
    EXPECT_BAD_INPUT(r, "own pod CIDR");
    EXPECT_TRUE(maps_->routes().value().size() == 2);
    r = ctl({"routes", "add", "10.244.1.0/24", "via", "192.160.1.12", "--force"});
    EXPECT_EQ(r.exit_code, 0) << r.err;

    r = ctl({"routes", "del", "10.244.2.0/24"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("reconcile puts it back"), std::string::npos) << r.out;
}

TEST_F(CtlCli, DevIsResolvedInTheNodesNamespace) {
    auto r = ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.13", "--dev", "ctlup1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(maps_->routes().value().at(0).value.uplink_ifindex, other_uplink_);

    r = ctl({"routes", "add", "10.251.0.0/16", "via", "192.160.1.13", "--dev", "nope0"});
    EXPECT_BAD_INPUT(r, "no interface 'nope0'");
    EXPECT_EQ(maps_->routes().value().size(), 1u);
}

TEST_F(CtlCli, AddWithoutDevNeedsTheConfigsUplink) {
    ASSERT_TRUE(maps_->set_config(podlane_node_config{}).ok());
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.13"}), "--dev");
}

TEST_F(CtlCli, MalformedInputIsOneLineAndExitTwo) {
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.1/16", "via", "192.160.1.13"}), "host bits set (0.0.0.1)");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.7.0/16", "via", "192.160.1.13"}), "did you mean 10.250.0.0/16");
    EXPECT_BAD_INPUT(ctl({"routes", "del", "10.250.0.1/16"}), "host bits set");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0/16", "via", "192.160.1.13"}), "not a CIDR");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/33", "via", "192.160.1.13"}), "prefix length");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0", "via", "192.160.1.13"}), "not a CIDR");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/16", "by", "192.160.1.13"}), "expected 'via'");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1"}), "not an IPv4 address");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/16", "via", "0.0.0.0"}), "not a unicast");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/16"}), "required");
    EXPECT_BAD_INPUT(ctl({"endpoints", "del", "10.244.1.300"}), "not an IPv4 address");
    EXPECT_BAD_INPUT(ctl({"lookup", "pod-a"}), "not an IPv4 address");
    EXPECT_BAD_INPUT(ctl({"lookup", "10.0.0.1", "--from", "sideways"}), "sideways");
    EXPECT_BAD_INPUT(ctl({"-o", "yaml", "routes", "list"}), "yaml");
    EXPECT_BAD_INPUT(ctl({"stats", "--count", "3"}), "--count needs --watch");
    EXPECT_BAD_INPUT(ctl({"frobnicate"}), "unknown command 'frobnicate'");
    EXPECT_BAD_INPUT(ctl({"routes", "frob"}),
                     "unknown command 'frob' for 'podlanectl routes' (commands: list, add, del)");
    EXPECT_BAD_INPUT(ctl({"routes"}), "needs a command: list, add, del");
    EXPECT_BAD_INPUT(ctl({"routes", "list", "--bogus"}), "--bogus");
    EXPECT_TRUE(maps_->routes().value().empty()) << "nothing written by a rejected command";
}

TEST_F(CtlCli, NodeSelection) {
    // One node pinned: no --node needed (every other test relies on it).
    ASSERT_TRUE(pin_node_maps(node_dir("node2")).ok());
    EXPECT_BAD_INPUT(ctl({"routes", "list"}), "node1, node2");
    EXPECT_BAD_INPUT(ctl({"--node", "node7", "routes", "list"}), "unknown node 'node7'");
    EXPECT_NE(ctl({"--node", "node7", "routes", "list"}).err.find("node1, node2"), std::string::npos);

    ASSERT_EQ(
        ctl({"--node", "node2", "routes", "add", "10.250.0.0/16", "via", "192.160.1.13", "--dev", "ctlup0"}).exit_code,
        0);
    EXPECT_TRUE(maps_->routes().value().empty()) << "node2's write must not land in node1's map";
    auto r = ctl({"--node", "node2", "-o", "json", "routes", "list"});
    EXPECT_EQ(parse_json(r)["node"], "node2");
    EXPECT_EQ(parse_json(r)["routes"].size(), 1u);
    // Global options also work after the command.
    r = ctl({"routes", "list", "--node", "node1", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_json(r)["node"], "node1");
}

TEST_F(CtlCli, MapsNotPinnedAsksWhetherPodlanedRuns) {
    std::string absent = root_ + "/absent";
    auto r = run_podlanectl({"--pin-root", absent, "routes", "list"});
    EXPECT_BAD_INPUT(r, "is podlaned running? looked in " + absent);
    // A node folder without the maps in it.
    fs::create_directories(node_dir("empty"));
    r = ctl({"--node", "empty", "status"});
    EXPECT_BAD_INPUT(r, "is podlaned running");
    EXPECT_NE(r.err.find(node_dir("empty")), std::string::npos) << r.err;
}

TEST_F(CtlCli, NotRootIsRefusedWithOneLine) {
    EXPECT_BAD_INPUT(ctl({"routes", "list"}, /*as_uid=*/65534), "needs root");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.13"}, 65534), "needs root");
    // Help needs no privileges.
    EXPECT_EQ(ctl({"--help"}, 65534).exit_code, 0);
}

TEST_F(CtlCli, MapFullIsOneLineAndLeavesTheMapIntact) {
    ASSERT_TRUE(pin_node_maps(node_dir("small"), /*routes_max=*/2).ok());
    auto add = [&](const char *cidr, const char *via) {
        return ctl({"--node", "small", "routes", "add", cidr, "via", via, "--dev", "ctlup0"});
    };
    ASSERT_EQ(add("10.250.0.0/16", "192.160.1.13").exit_code, 0);
    ASSERT_EQ(add("10.251.0.0/16", "192.160.1.13").exit_code, 0);
    EXPECT_BAD_INPUT(add("10.252.0.0/16", "192.160.1.13"), "full");
    auto r = ctl({"--node", "small", "-o", "json", "routes", "list"});
    EXPECT_EQ(parse_json(r)["routes"].size(), 2u);
    // Replacing an entry of a full map is not an insert: it works.
    r = add("10.251.0.0/16", "192.160.1.14");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("replaced", 0), 0u) << r.out;
}

TEST_F(CtlCli, EndpointsListAndDelete) {
    seed_local_and_remote();
    auto r = ctl({"endpoints", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("10.244.1.10"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ctlup1"), std::string::npos) << r.out;
    r = ctl({"endpoints", "list", "-o", "json"});
    auto doc = parse_json(r);
    ASSERT_EQ(doc["endpoints"].size(), 1u);
    EXPECT_EQ(doc["endpoints"][0]["podIp"], "10.244.1.10");
    EXPECT_EQ(doc["endpoints"][0]["hostInterface"], "ctlup1");
    EXPECT_EQ(doc["endpoints"][0]["podMac"], "0a:00:00:00:00:0a");

    r = ctl({"-o", "json", "endpoints", "del", "10.244.1.10"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_json(r)["endpoint"]["hostIfindex"], other_uplink_);
    EXPECT_FALSE(maps_->endpoint(*Ipv4::parse("10.244.1.10")).value().has_value());
    r = ctl({"endpoints", "del", "10.244.1.10"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no endpoint 10.244.1.10"), std::string::npos) << r.err;
}

TEST_F(CtlCli, LookupExplainsTheDecision) {
    seed_local_and_remote();
    ASSERT_EQ(ctl({"routes", "add", "10.244.2.128/25", "via", "192.160.1.22", "--dev", "ctlup1"}).exit_code, 0);
    struct Want {
        const char *ip, *from, *reason, *cidr;
    };
    for (const Want &w : {Want{"10.244.2.20", "pod", "forwarded-remote", "10.244.2.0/24"},
                          Want{"10.244.2.200", "pod", "forwarded-remote", "10.244.2.128/25"},
                          Want{"10.244.1.10", "pod", "delivered-local", "10.244.1.0/24"},
                          Want{"10.244.1.10", "uplink", "delivered-local", "10.244.1.0/24"},
                          Want{"10.244.1.99", "uplink", "pass-no-endpoint", "10.244.1.0/24"},
                          Want{"10.244.1.99", "pod", "pass-no-endpoint", "10.244.1.0/24"},
                          Want{"10.244.1.1", "pod", "pass-to-node", "10.244.1.0/24"},
                          Want{"8.8.8.8", "pod", "pass-no-route", nullptr}}) {
        auto r = ctl({"lookup", w.ip, "--from", w.from, "-o", "json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        auto doc = parse_json(r);
        EXPECT_EQ(doc["reason"], w.reason) << w.ip << " from " << w.from;
        if (w.cidr)
            EXPECT_EQ(doc["route"]["cidr"], w.cidr) << w.ip;
        else
            EXPECT_TRUE(doc["route"].is_null()) << w.ip;
    }
    auto doc = parse_json(ctl({"-o", "json", "lookup", "10.244.2.200"}));
    EXPECT_EQ(doc["nextHop"], "192.160.1.22");
    EXPECT_EQ(doc["uplink"]["name"], "ctlup1");

    auto r = ctl({"lookup", "10.244.2.20"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("forwarded in BPF to node 192.160.1.12 out of ctlup0"), std::string::npos) << r.out;
    r = ctl({"lookup", "8.8.8.8"});
    EXPECT_NE(r.out.find("not handled: goes to the kernel"), std::string::npos) << r.out;
    r = ctl({"lookup", "10.244.2.20", "--ttl", "1", "-o", "json"});
    EXPECT_EQ(parse_json(r)["reason"], "pass-ttl-expired");
}

TEST_F(CtlCli, StatsSumCpusAndNameReasons) {
    int cpus = libbpf_num_possible_cpus();
    ASSERT_GT(cpus, 0);
    std::vector<podlane_stat_value> fwd(cpus, podlane_stat_value{10, 1000});
    ASSERT_TRUE(set_stat(node_dir(), PODLANE_FWD_REMOTE, fwd).ok());
    ASSERT_TRUE(set_stat(node_dir(), PODLANE_DROP_SPOOFED_SOURCE, {{3, 180}}).ok());

    auto r = ctl({"stats", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    std::map<std::string, json> by_name;
    for (const auto &item : doc["reasons"]) by_name[item["reason"]] = item;
    EXPECT_EQ(by_name["forwarded-remote"]["packets"], 10 * cpus);
    EXPECT_EQ(by_name["forwarded-remote"]["bytes"], 1000 * cpus);
    EXPECT_EQ(by_name["drop-spoofed-source"]["packets"], 3);
    EXPECT_EQ(by_name["drop-spoofed-source"]["verdict"], "drop");
    EXPECT_EQ(doc["totals"]["drop"]["packets"], 3);

    r = ctl({"stats"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("drop-spoofed-source"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("not the address of the pod"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("pass-vlan"), std::string::npos) << r.out;

    r = ctl({"stats", "--watch", "0.2", "--count", "2", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    int n = 0;
    for (std::string line; std::getline(lines, line); n++) {
        auto sample = json::parse(line, nullptr, false);
        ASSERT_FALSE(sample.is_discarded()) << line;
        EXPECT_GT(sample["intervalSeconds"].get<double>(), 0.15);
        EXPECT_EQ(sample["reasons"][0]["packetsPerSecond"], 0.0);
    }
    EXPECT_EQ(n, 2);
    r = ctl({"stats", "-w", "0.2", "-n", "1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("PKT/S"), std::string::npos) << r.out;
}

TEST_F(CtlCli, StatusWithoutAgentStillShowsMaps) {
    seed_local_and_remote();
    auto r = ctl({"status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("not running"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pl_routes_v1"), std::string::npos) << r.out;
    r = ctl({"status", "-o", "json"});
    auto doc = parse_json(r);
    EXPECT_EQ(doc["agent"]["running"], false);
    EXPECT_EQ(doc["dataplaneLoaded"], false);
    EXPECT_EQ(doc["config"]["nodeIp"], "192.160.1.11");
    EXPECT_EQ(doc["config"]["uplink"]["name"], "ctlup0");
    bool saw_routes = false;
    for (const auto &m : doc["maps"])
        if (m["name"] == "pl_routes_v1") {
            saw_routes = true;
            EXPECT_EQ(m["entries"], 2);
            EXPECT_EQ(m["maxEntries"], PODLANE_ROUTES_MAX);
        }
    EXPECT_TRUE(saw_routes);
}

TEST_F(CtlCli, StatusChecksAttachmentsWithTheKernel) {
    // A stand-in agent: a process named podlaned in this namespace.
    fs::path fake = run_root_ / "podlaned";
    fs::copy_file("/bin/sleep", fake);
    auto agent = ChildProcess::spawn({fake.string(), "600"});
    ASSERT_TRUE(agent) << agent.error().message;
    for (int i = 0; i < 100; i++) {  // until exec has renamed it
        std::ifstream comm("/proc/" + std::to_string(agent->pid()) + "/comm");
        std::string name;
        if (std::getline(comm, name) && name == "podlaned") break;
        usleep(10000);
    }

    // A program on lo's TC ingress, as the agent would attach it.
    struct bpf_insn ret_ok[] = {{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
    int prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "podlane_from_pod", "GPL", ret_ok, 2, nullptr);
    ASSERT_GE(prog, 0) << strerror(errno);
    ASSERT_TRUE(attach_tc(1, TcDirection::Ingress, prog).ok());
    bpf_prog_info info{};
    __u32 len = sizeof info;
    ASSERT_EQ(bpf_obj_get_info_by_fd(prog, &info, &len), 0);

    json state = {
        {"pid", agent->pid()},
        {"configPath", "/etc/podlane/node1.json"},
        {"role", "node"},
        {"uplinkHook", "xdp"},
        {"attachMode", "bridge"},
        {"pinDir", node_dir()},
        {"startedAt", 1764061200},
        {"version", "0.1.0"},
        {"attachments", json::array({
                            {{"ifname", "lo"}, {"ifindex", 1}, {"hook", "tc-ingress"}, {"program", "podlane_from_pod"}},
                            {{"ifname", "lo"}, {"ifindex", 1}, {"hook", "xdp"}, {"program", "podlane_xdp_uplink"}},
                        })}};
    fs::create_directories(run_root_ / "node1");
    std::ofstream(run_root_ / "node1" / "agent.json") << state.dump(2);

    auto r = ctl({"status", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    EXPECT_EQ(doc["agent"]["running"], true) << doc["agent"].dump();
    EXPECT_EQ(doc["agent"]["pid"], agent->pid());
    EXPECT_EQ(doc["agent"]["configPath"], "/etc/podlane/node1.json");
    ASSERT_EQ(doc["attachments"].size(), 2u);
    EXPECT_EQ(doc["attachments"][0]["attached"], true) << doc["attachments"][0].dump();
    EXPECT_EQ(doc["attachments"][0]["programId"], info.id);
    EXPECT_EQ(doc["attachments"][0]["programName"], "podlane_from_po");
    EXPECT_EQ(doc["attachments"][1]["attached"], false);
    EXPECT_EQ(doc["dataplaneLoaded"], false) << "the XDP program is missing";

    r = ctl({"status"});
    EXPECT_NE(r.out.find("podlaned running, pid " + std::to_string(agent->pid())), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("/etc/podlane/node1.json"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(std::to_string(info.id)), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("MISSING"), std::string::npos) << r.out;

    // The recorded agent is gone: status says so and still shows the maps.
    pid_t gone = agent->pid();
    { auto dying = std::move(*agent); }
    r = ctl({"status", "-o", "json"});
    doc = parse_json(r);
    EXPECT_EQ(doc["agent"]["running"], false);
    EXPECT_NE(doc["agent"]["problem"].get<std::string>().find(std::to_string(gone)), std::string::npos);
    EXPECT_FALSE(doc["maps"].empty());
    // ...and checks what it left attached here, on the node.
    ASSERT_EQ(doc["attachments"].size(), 2u);
    EXPECT_EQ(doc["attachments"][0]["attached"], true) << doc["attachments"][0].dump();
    EXPECT_EQ(doc["attachments"][1]["attached"], false);
    EXPECT_EQ(doc["dataplaneLoaded"], false);
    // With everything it recorded still attached, traffic flows without it.
    state["attachments"].erase(1);
    std::ofstream(run_root_ / "node1" / "agent.json") << state.dump(2);
    r = ctl({"status", "-o", "json"});
    EXPECT_EQ(parse_json(r)["dataplaneLoaded"], true) << r.out;
    r = ctl({"status"});
    EXPECT_NE(r.out.find("the agent is stopped"), std::string::npos) << r.out;

    EXPECT_TRUE(detach_tc(1, TcDirection::Ingress).ok());
    close(prog);
}

// --- IPv6 (pl_routes6_v1, pl_endpts6_v1, pl_config6_v1)

TEST_F(CtlCli, Routes6AddListDelRoundTrip) {
    seed_local_and_remote();
    auto r = ctl({"routes", "add", "fd00:10:250::/48", "via", "fd00:192:160:1::13"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "added fd00:10:250::/48 via fd00:192:160:1::13 dev ctlup0 (static)\n");
    EXPECT_TRUE(r.err.empty()) << r.err;

    auto routes = maps_->routes6();
    ASSERT_TRUE(routes);
    ASSERT_EQ(routes->size(), 1u);
    EXPECT_EQ((*routes)[0].cidr.str(), "fd00:10:250::/48");
    EXPECT_EQ(from_in6((*routes)[0].value.node_ip), *Ipv6::parse("fd00:192:160:1::13"));
    EXPECT_EQ((*routes)[0].value.uplink_ifindex, uplink_) << "default dev: the config's uplink";
    EXPECT_EQ((*routes)[0].value.flags, uint32_t{PODLANE_ROUTE_F_STATIC});
    EXPECT_EQ(maps_->routes().value().size(), 2u) << "the IPv4 map is untouched";

    // The table lists IPv4 first, then IPv6, in the same columns.
    r = ctl({"routes", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto v4 = r.out.find("10.244.2.0/24"), v6 = r.out.find("fd00:10:250::/48");
    ASSERT_NE(v4, std::string::npos) << r.out;
    ASSERT_NE(v6, std::string::npos) << r.out;
    EXPECT_LT(v4, v6) << r.out;
    EXPECT_NE(r.out.find("fd00:192:160:1::13"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.rfind("CIDR", 0), 0u) << "one table, one header:\n" << r.out;

    r = ctl({"routes", "list", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    ASSERT_EQ(doc["routes"].size(), 3u);
    EXPECT_EQ(doc["routes"][0]["family"], "ipv4");
    EXPECT_EQ(doc["routes"][2]["family"], "ipv6");
    EXPECT_EQ(doc["routes"][2]["cidr"], "fd00:10:250::/48");
    EXPECT_EQ(doc["routes"][2]["nodeIp"], "fd00:192:160:1::13");
    EXPECT_EQ(doc["routes"][2]["uplink"], "ctlup0");
    EXPECT_EQ(doc["routes"][2]["kind"], "remote");
    EXPECT_EQ(doc["routes"][2]["flags"], json::array({"static"}));
    EXPECT_EQ(doc["routes"][2]["source"], "podlanectl");

    // The CIDR as the user wrote it, uncompressed, names the same route.
    r = ctl({"routes", "del", "fd00:10:250:0:0::/48"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "deleted fd00:10:250::/48 via fd00:192:160:1::13 dev ctlup0 (static)\n");
    EXPECT_TRUE(maps_->routes6()->empty());
    EXPECT_EQ(maps_->routes().value().size(), 2u);

    r = ctl({"routes", "del", "fd00:10:250::/48"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(count_lines(r.err), 1);
    EXPECT_NE(r.err.find("no route for fd00:10:250::/48"), std::string::npos) << r.err;
}

TEST_F(CtlCli, Routes6ReplaceDevAndTheLocalRouteIsProtected) {
    seed_local_and_remote6();
    auto r = ctl({"routes", "add", "fd00:10:244:1::/64", "via", "fd00:192:160:1::12"});
    EXPECT_BAD_INPUT(r, "own pod CIDR");
    EXPECT_EQ(maps_->routes6().value().size(), 2u);

    r = ctl({"-o", "json", "routes", "add", "fd00:10:244:2::/64", "via", "fd00:192:160:1::14", "--dev", "ctlup1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    EXPECT_EQ(doc["action"], "replaced");
    EXPECT_EQ(doc["previous"]["nodeIp"], "fd00:192:160:1::12");
    EXPECT_EQ(doc["previous"]["source"], "podlaned");
    EXPECT_EQ(doc["route"]["nodeIp"], "fd00:192:160:1::14");
    EXPECT_EQ(doc["route"]["uplink"], "ctlup1");
    EXPECT_EQ(doc["route"]["family"], "ipv6");
    auto routes = maps_->routes6().value();
    ASSERT_EQ(routes.size(), 2u) << "replaced in place, not added beside";
    for (const auto &route : routes)
        if (route.cidr.str() == "fd00:10:244:2::/64") {
            EXPECT_EQ(route.value.uplink_ifindex, other_uplink_);
            EXPECT_EQ(route.value.flags, uint32_t{PODLANE_ROUTE_F_STATIC});
        }

    r = ctl({"routes", "add", "fd00:10:244:2::/64", "via", "fd00:192:160:1::15"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("replaced fd00:10:244:2::/64 via fd00:192:160:1::15 dev ctlup0 (static)", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("was fd00:10:244:2::/64 via fd00:192:160:1::14 dev ctlup1"), std::string::npos) << r.out;

    r = ctl({"routes", "add", "fd00:10:244:1::/64", "via", "fe80::12", "--force"});
    EXPECT_EQ(r.exit_code, 0) << r.err << " (a link-local next hop on a named uplink is a node)";

    // podlaned's route: deleting it works, with the note.
    ASSERT_TRUE(maps_->put_route6(*Cidr6::parse("fd00:10:244:3::/64"), podlane_route6_value{}).ok());
    r = ctl({"routes", "del", "fd00:10:244:3::/64"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("reconcile puts it back"), std::string::npos) << r.out;

    r = ctl({"routes", "add", "fd00:10:251::/48", "via", "fd00:192:160:1::13", "--dev", "nope0"});
    EXPECT_BAD_INPUT(r, "no interface 'nope0'");
}

TEST_F(CtlCli, MalformedIpv6InputIsOneLineAndExitTwo) {
    auto add = [&](const char *cidr, const char *via) { return ctl({"routes", "add", cidr, "via", via}); };
    EXPECT_BAD_INPUT(add("fd00:10:250::1/48", "fd00:192:160:1::13"), "host bits set");
    EXPECT_BAD_INPUT(add("fd00:10:250:7::/48", "fd00:192:160:1::13"), "did you mean fd00:10:250::/48");
    EXPECT_BAD_INPUT(ctl({"routes", "del", "fd00:10:250::1/48"}), "host bits set");
    EXPECT_BAD_INPUT(add("fd00:10:250::/129", "fd00:192:160:1::13"), "prefix length must be 0..128");
    EXPECT_BAD_INPUT(add("fd00:10:250::", "fd00:192:160:1::13"), "not an IPv6 CIDR");
    EXPECT_BAD_INPUT(add("fd00:zz::/48", "fd00:192:160:1::13"), "not an IPv6 CIDR");
    EXPECT_BAD_INPUT(add("fd00:10:250::/48", "192.160.1.13"), "must be of the CIDR's family");
    EXPECT_BAD_INPUT(add("10.250.0.0/16", "fd00:192:160:1::13"), "must be of the CIDR's family");
    EXPECT_BAD_INPUT(add("fd00:10:250::/48", "fd00:192:160:1:::13"), "not an IPv6 address");
    for (const char *not_a_node : {"::", "::1", "ff02::1", "::ffff:192.160.1.13"})
        EXPECT_BAD_INPUT(add("fd00:10:250::/48", not_a_node), "not a unicast node address");
    EXPECT_BAD_INPUT(ctl({"routes", "add", "fd00:10:250::/48", "by", "fd00:192:160:1::13"}), "expected 'via'");
    EXPECT_BAD_INPUT(ctl({"endpoints", "del", "fd00:10:244:1::g"}), "not an IPv6 address");
    EXPECT_BAD_INPUT(ctl({"lookup", "fd00:10:244:1:::5"}), "not an IPv6 address");
    EXPECT_TRUE(maps_->routes6().value().empty()) << "nothing written by a rejected command";
    EXPECT_TRUE(maps_->routes().value().empty());
}

TEST_F(CtlCli, NodeWithoutIpv6MapsReadsAsNoIpv6) {
    // An agent that predates IPv6 pinned no IPv6 maps.
    ASSERT_TRUE(pin_node_maps(node_dir("old"), PODLANE_ROUTES_MAX, /*with_ipv6=*/false).ok());
    auto old = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--node", "old"});
        return ctl(args);
    };
    auto r = old({"-o", "json", "routes", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(parse_json(r)["routes"].empty());
    r = old({"-o", "json", "endpoints", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = old({"-o", "json", "lookup", "fd00:10:244:2::5"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(parse_json(r)["reason"], "pass-not-ipv4");
    r = old({"-o", "json", "status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(parse_json(r)["config6"].is_null());
    EXPECT_BAD_INPUT(old({"routes", "add", "fd00:10:250::/48", "via", "fd00:192:160:1::13", "--dev", "ctlup0"}),
                     "IPv6 needs a podlaned that has created pl_routes6_v1");
    r = old({"endpoints", "del", "fd00:10:244:1::a"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
}

TEST_F(CtlCli, Endpoints6ListAndDelete) {
    seed_local_and_remote();
    seed_local_and_remote6();
    auto r = ctl({"endpoints", "list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto v4 = r.out.find("10.244.1.10"), v6 = r.out.find("fd00:10:244:1::a");
    ASSERT_NE(v4, std::string::npos) << r.out;
    ASSERT_NE(v6, std::string::npos) << r.out;
    EXPECT_LT(v4, v6) << "IPv4 first:\n" << r.out;
    EXPECT_NE(r.out.find("0a:00:00:00:00:0b"), std::string::npos) << r.out;

    r = ctl({"endpoints", "list", "-o", "json"});
    auto doc = parse_json(r);
    ASSERT_EQ(doc["endpoints"].size(), 2u);
    EXPECT_EQ(doc["endpoints"][0]["family"], "ipv4");
    EXPECT_EQ(doc["endpoints"][1]["podIp"], "fd00:10:244:1::a");
    EXPECT_EQ(doc["endpoints"][1]["family"], "ipv6");
    EXPECT_EQ(doc["endpoints"][1]["hostInterface"], "ctlup1");
    EXPECT_EQ(doc["endpoints"][1]["podMac"], "0a:00:00:00:00:0b");

    r = ctl({"endpoints", "del", "fd00:10:244:1::a"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "deleted endpoint fd00:10:244:1::a (host veth ctlup1, pod MAC 0a:00:00:00:00:0b)\n");
    EXPECT_FALSE(maps_->endpoint6(*Ipv6::parse("fd00:10:244:1::a")).value().has_value());
    EXPECT_TRUE(maps_->endpoint(*Ipv4::parse("10.244.1.10")).value().has_value()) << "the IPv4 pod stays";
    r = ctl({"endpoints", "del", "fd00:10:244:1::a"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("no endpoint fd00:10:244:1::a"), std::string::npos) << r.err;
}

TEST_F(CtlCli, Lookup6ExplainsTheDecision) {
    seed_local_and_remote6();
    ASSERT_EQ(
        ctl({"routes", "add", "fd00:10:244:2:8000::/65", "via", "fd00:192:160:1::22", "--dev", "ctlup1"}).exit_code, 0);
    struct Want {
        const char *ip, *from, *reason, *cidr;
    };
    for (const Want &w :
         {Want{"fd00:10:244:2::14", "pod", "forwarded-remote", "fd00:10:244:2::/64"},
          Want{"fd00:10:244:2:8000::14", "pod", "forwarded-remote", "fd00:10:244:2:8000::/65"},
          Want{"fd00:10:244:1::a", "pod", "delivered-local", "fd00:10:244:1::/64"},
          Want{"fd00:10:244:1::a", "uplink", "delivered-local", "fd00:10:244:1::/64"},
          Want{"fd00:10:244:1::99", "uplink", "pass-no-endpoint", "fd00:10:244:1::/64"},
          Want{"fd00:10:244:1::99", "pod", "pass-no-endpoint", "fd00:10:244:1::/64"},
          Want{"fd00:10:244:1::1", "pod", "pass-to-node", "fd00:10:244:1::/64"},
          Want{"fd00:192:160:1::11", "uplink", "pass-to-node", nullptr},
          Want{"fd00:10:244:2::14", "uplink", "pass-no-route", "fd00:10:244:2::/64"},
          Want{"2001:db8::7", "pod", "pass-no-route", nullptr}, Want{"fe80::1", "pod", "pass-ipv6-scope", nullptr},
          Want{"::", "uplink", "pass-ipv6-scope", nullptr}, Want{"ff02::1:ff00:1", "pod", "pass-broadcast", nullptr}}) {
        auto r = ctl({"lookup", w.ip, "--from", w.from, "-o", "json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        auto doc = parse_json(r);
        EXPECT_EQ(doc["reason"], w.reason) << w.ip << " from " << w.from;
        EXPECT_EQ(doc["family"], "ipv6") << w.ip;
        if (w.cidr)
            EXPECT_EQ(doc["route"]["cidr"], w.cidr) << w.ip;
        else
            EXPECT_TRUE(doc["route"].is_null()) << w.ip;
    }
    auto doc = parse_json(ctl({"-o", "json", "lookup", "fd00:10:244:2:8000::14"}));
    EXPECT_EQ(doc["ip"], "fd00:10:244:2:8000::14");
    EXPECT_EQ(doc["nextHop"], "fd00:192:160:1::22");
    EXPECT_EQ(doc["uplink"]["name"], "ctlup1");
    doc = parse_json(ctl({"-o", "json", "lookup", "fd00:10:244:1::a"}));
    EXPECT_EQ(doc["endpoint"]["podIp"], "fd00:10:244:1::a");
    EXPECT_EQ(doc["endpoint"]["hostInterface"], "ctlup1");

    auto r = ctl({"lookup", "fd00:10:244:2::14"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("forwarded in BPF to node fd00:192:160:1::12 out of ctlup0"), std::string::npos) << r.out;
    r = ctl({"lookup", "fd00:10:244:1::a"});
    EXPECT_NE(r.out.find("delivered in BPF to local pod fd00:10:244:1::a through host veth ctlup1"), std::string::npos)
        << r.out;
    r = ctl({"lookup", "fe80::1"});
    EXPECT_NE(r.out.find("pass-ipv6-scope (pass)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("link-local"), std::string::npos) << r.out;
    r = ctl({"lookup", "fd00:10:244:2::14", "--ttl", "1", "-o", "json"});
    EXPECT_EQ(parse_json(r)["reason"], "pass-ttl-expired");

    // A node without an IPv6 pod CIDR leaves IPv6 to the kernel, and says why.
    ASSERT_TRUE(maps_->set_config6(podlane_node_config6{}).ok());
    r = ctl({"lookup", "fd00:10:244:2::14"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("pass-not-ipv4"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("routes no IPv6 pods"), std::string::npos) << r.out;
    doc = parse_json(ctl({"-o", "json", "lookup", "fd00:10:244:1::a", "--from", "uplink"}));
    EXPECT_EQ(doc["reason"], "pass-not-ipv4");
    EXPECT_EQ(doc["verdict"], "pass");
}

TEST_F(CtlCli, StatusShowsTheIpv6ConfigAndMaps) {
    auto r = ctl({"-o", "json", "status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(parse_json(r)["config6"].is_null()) << "pod_prefixlen 0: no IPv6";
    EXPECT_EQ(ctl({"status"}).out.find("node IPv6"), std::string::npos);

    seed_local_and_remote6();
    r = ctl({"-o", "json", "status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    EXPECT_EQ(doc["config6"]["nodeIp"], "fd00:192:160:1::11");
    EXPECT_EQ(doc["config6"]["gatewayIp"], "fd00:10:244:1::1");
    EXPECT_EQ(doc["config6"]["podCidr"], "fd00:10:244:1::/64");
    std::map<std::string, json> maps;
    for (const auto &m : doc["maps"]) maps[m["name"]] = m;
    ASSERT_TRUE(maps.count(PODLANE_MAP_ROUTES6)) << doc["maps"].dump();
    EXPECT_EQ(maps[PODLANE_MAP_ROUTES6]["entries"], 2);
    EXPECT_EQ(maps[PODLANE_MAP_ROUTES6]["maxEntries"], PODLANE_ROUTES_MAX);
    EXPECT_EQ(maps[PODLANE_MAP_ENDPOINTS6]["entries"], 1);
    EXPECT_TRUE(maps[PODLANE_MAP_CONFIG6]["fillPercent"].is_null()) << "an array";

    r = ctl({"status"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("node IP fd00:192:160:1::11, pods fd00:10:244:1::/64, gateway fd00:10:244:1::1"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("pl_routes6_v1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("node IP 192.160.1.11"), std::string::npos) << "the IPv4 side stays:\n" << r.out;
}

TEST_F(CtlCli, StatsNameTheIpv6Reasons) {
    ASSERT_TRUE(set_stat(node_dir(), PODLANE_PASS_IPV6_SCOPE, {{5, 430}}).ok());
    ASSERT_TRUE(set_stat(node_dir(), PODLANE_PASS_IPV6_EXTHDR, {{4, 400}}).ok());
    ASSERT_TRUE(set_stat(node_dir(), PODLANE_DROP_TRUNCATED_IPV6, {{3, 150}}).ok());
    ASSERT_TRUE(set_stat(node_dir(), PODLANE_DROP_BAD_IPV6_HEADER, {{2, 120}}).ok());
    auto r = ctl({"stats", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = parse_json(r);
    std::map<std::string, json> by_name;
    for (const auto &item : doc["reasons"]) by_name[item["reason"]] = item;
    EXPECT_EQ(by_name["pass-ipv6-scope"]["packets"], 5);
    EXPECT_EQ(by_name["pass-ipv6-scope"]["code"], PODLANE_PASS_IPV6_SCOPE);
    EXPECT_EQ(by_name["pass-ipv6-exthdr"]["verdict"], "pass");
    EXPECT_EQ(by_name["drop-truncated-ipv6"]["packets"], 3);
    EXPECT_EQ(by_name["drop-bad-ipv6-header"]["verdict"], "drop");
    EXPECT_EQ(doc["totals"]["drop"]["packets"], 5);

    r = ctl({"stats"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char *name : {"pass-ipv6-scope", "pass-ipv6-exthdr", "drop-truncated-ipv6", "drop-bad-ipv6-header"})
        EXPECT_NE(r.out.find(name), std::string::npos) << name << ":\n" << r.out;
    EXPECT_NE(r.out.find("not version 6"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("reason-"), std::string::npos) << "every reason has a name:\n" << r.out;
}

TEST_F(CtlCli, EveryCommandPrintsValidJson) {
    seed_local_and_remote();
    seed_local_and_remote6();
    for (std::vector<std::string> args : {std::vector<std::string>{"routes", "list"},
                                          {"routes", "add", "10.250.0.0/16", "via", "192.160.1.13"},
                                          {"routes", "del", "10.250.0.0/16"},
                                          {"endpoints", "list"},
                                          {"lookup", "10.244.1.10"},
                                          {"lookup", "10.244.1.10", "--from", "uplink"},
                                          {"stats"},
                                          {"status"},
                                          {"endpoints", "del", "10.244.1.10"},
                                          {"routes", "add", "fd00:10:250::/48", "via", "fd00:192:160:1::13"},
                                          {"routes", "del", "fd00:10:250::/48"},
                                          {"lookup", "fd00:10:244:1::a"},
                                          {"lookup", "fe80::1", "--from", "uplink"},
                                          {"endpoints", "del", "fd00:10:244:1::a"}}) {
        args.insert(args.begin(), {"-o", "json"});
        auto r = ctl(args);
        EXPECT_EQ(r.exit_code, 0) << args[2] << ": " << r.err;
        auto doc = json::parse(r.out, nullptr, false);
        EXPECT_TRUE(!doc.is_discarded() && doc.is_object()) << args[2] << " " << args[3] << ":\n" << r.out;
        if (!doc.is_discarded()) {
            EXPECT_EQ(doc["node"], "node1");
        }
    }
}

TEST_F(CtlCli, HelpAndVersion) {
    auto r = ctl({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("Examples:"), std::string::npos);
    for (std::vector<std::string> cmd : {std::vector<std::string>{"routes"},
                                         {"routes", "add"},
                                         {"routes", "del"},
                                         {"routes", "list"},
                                         {"endpoints"},
                                         {"endpoints", "del"},
                                         {"lookup"},
                                         {"stats"},
                                         {"status"}}) {
        cmd.push_back("--help");
        r = ctl(cmd);
        EXPECT_EQ(r.exit_code, 0) << cmd[0];
        EXPECT_NE(r.out.find("Example"), std::string::npos) << cmd[0] << " " << cmd[1] << ":\n" << r.out;
    }
    r = ctl({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("podlanectl ", 0), 0u) << r.out;
}

}  // namespace
}  // namespace podlane::test
