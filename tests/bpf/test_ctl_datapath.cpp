// `podlanectl lookup` agrees with the BPF programs: every destination is run
// through the real node programs (BPF_PROG_TEST_RUN) and the one reason they
// count is compared with the reason podlanectl predicts from the same maps.
// Then `podlanectl stats` must read back exactly what the programs counted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "bpf_node.h"
#include "packet.h"
#include "privileges.h"
#include "test_ctl_support.h"

namespace podlane::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

enum class Prog { FromPod, UplinkTc, UplinkXdp };

const char *prog_name(Prog p) {
    return p == Prog::FromPod ? "tc_from_pod" : p == Prog::UplinkTc ? "tc_uplink" : "xdp_uplink";
}

class CtlAgreesWithPrograms : public ::testing::Test {
protected:
    void SetUp() override {
        PODLANE_REQUIRE_ROOT();
        std::string why = BpfTestNode::create(node_, "ctl-agree", {.netfilter = NetfilterMode::Bypass});
        ASSERT_TRUE(why.empty()) << why;
        node_->seed_standard_node();
        fs::path pin(node_->pin_dir());
        pin_root_ = pin.parent_path().string();
        node_name_ = pin.filename().string();
        run_root_ = fs::temp_directory_path() / ("podlanectl-agree-" + std::to_string(getpid()));
        fs::create_directories(run_root_);
    }

    void TearDown() override {
        node_.reset();  // removes its pin directory
        std::error_code ec;
        if (!run_root_.empty()) fs::remove_all(run_root_, ec);
    }

    CtlRun ctl(std::vector<std::string> args) {
        std::vector<std::string> full = {"--pin-root", pin_root_,    "--node",
                                         node_name_,   "--run-root", run_root_.string()};
        full.insert(full.end(), args.begin(), args.end());
        return run_podlanectl(full);
    }

    // Runs one packet through the program; returns the one reason counted.
    int program_reason(Prog prog, const std::string &dst, uint8_t ttl) {
        const bool ipv6 = dst.find(':') != std::string::npos;
        // From a pod registered on the veth the run arrives on (the source
        // check passes; not one of the destinations, which tests delete), or
        // from another node's pod.
        podlane_endpoint_value sender{};
        sender.host_ifindex = kStdPodHostIfindex;
        std::vector<uint8_t> frame;
        if (ipv6) {
            EXPECT_TRUE(node_->maps().put_endpoint6(*Ipv6::parse("fd00:10:244:1::c"), sender));
            frame = Packet6Builder{}
                        .src(prog == Prog::FromPod ? "fd00:10:244:1::c" : "fd00:10:244:2::14")
                        .dst(dst)
                        .hop_limit(ttl)
                        .build();
        } else {
            EXPECT_TRUE(node_->maps().put_endpoint(*Ipv4::parse("10.244.1.12"), sender));
            frame =
                PacketBuilder{}.src(prog == Prog::FromPod ? "10.244.1.12" : "10.244.2.20").dst(dst).ttl(ttl).build();
        }
        int fd = prog == Prog::FromPod    ? node_->datapath().from_pod_fd()
                 : prog == Prog::UplinkTc ? node_->datapath().uplink_tc_fd()
                                          : node_->datapath().uplink_xdp_fd();
        auto before = node_->stats();
        auto run = node_->run(fd, frame);
        EXPECT_GE(run.retval, 0) << "test run failed for " << dst;
        auto after = node_->stats();
        int reason = -1, counted = 0;
        for (unsigned i = 0; i < after.size(); i++)
            if (after[i].packets != before[i].packets) {
                reason = static_cast<int>(i);
                counted += static_cast<int>(after[i].packets - before[i].packets);
            }
        EXPECT_EQ(counted, 1) << "exactly one reason per packet (" << dst << ")";
        runs_++;
        return reason;
    }

    json lookup(const std::string &dst, Prog prog, uint8_t ttl) {
        auto r = ctl({"-o", "json", "lookup", dst, "--from", prog == Prog::FromPod ? "pod" : "uplink", "--ttl",
                      std::to_string(ttl)});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        auto doc = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(doc.is_discarded()) << r.out;
        return doc;
    }

    void expect_agreement(const std::vector<std::string> &destinations) {
        for (Prog prog : {Prog::FromPod, Prog::UplinkTc, Prog::UplinkXdp})
            for (uint8_t ttl : {uint8_t{64}, uint8_t{1}})
                for (const auto &dst : destinations) {
                    int actual = program_reason(prog, dst, ttl);
                    json predicted = lookup(dst, prog, ttl);
                    EXPECT_EQ(predicted["reasonCode"], actual)
                        << dst << " through " << prog_name(prog) << " with TTL " << int(ttl) << ": podlanectl says "
                        << predicted["reason"] << ", the program counted reason " << actual;
                }
    }

    // Beside the standard node: two static routes written by podlanectl
    // (a /16 and a longer /24 inside it), one route without an uplink and
    // one naming an interface that does not exist.
    void add_test_routes() {
        ASSERT_EQ(ctl({"routes", "add", "10.250.0.0/16", "via", "192.160.1.14", "--dev", "tup1500"}).exit_code, 0);
        ASSERT_EQ(ctl({"routes", "add", "10.250.7.0/24", "via", "192.160.1.15", "--dev", "tup9000"}).exit_code, 0);
        podlane_route_value no_uplink{Ipv4::parse("192.160.1.16")->be, 0, 0, PODLANE_FAMILY_IPV4};
        ASSERT_TRUE(node_->maps().put_route(*Cidr::parse("10.99.0.0/16"), no_uplink).ok());
        podlane_route_value gone_uplink{Ipv4::parse("192.160.1.17")->be, 7777, 0, PODLANE_FAMILY_IPV4};
        ASSERT_TRUE(node_->maps().put_route(*Cidr::parse("10.98.0.0/16"), gone_uplink).ok());
    }

    // The IPv6 counterparts, beside the standard node's IPv6 side.
    void add_test_routes6() {
        ASSERT_EQ(ctl({"routes", "add", "fd00:10:250::/48", "via", "fd00:192:160:1::14", "--dev", "tup1500"}).exit_code,
                  0);
        ASSERT_EQ(
            ctl({"routes", "add", "fd00:10:250:7::/64", "via", "fd00:192:160:1::15", "--dev", "tup9000"}).exit_code, 0);
        podlane_route6_value no_uplink{};
        no_uplink.node_ip = to_in6(*Ipv6::parse("fd00:192:160:1::16"));
        ASSERT_TRUE(node_->maps().put_route6(*Cidr6::parse("fd00:10:99::/48"), no_uplink).ok());
        podlane_route6_value gone_uplink{};
        gone_uplink.node_ip = to_in6(*Ipv6::parse("fd00:192:160:1::17"));
        gone_uplink.uplink_ifindex = 7777;
        ASSERT_TRUE(node_->maps().put_route6(*Cidr6::parse("fd00:10:98::/48"), gone_uplink).ok());
    }

    std::unique_ptr<BpfTestNode> node_;
    std::string pin_root_, node_name_;
    fs::path run_root_;
    int runs_ = 0;
};

const std::vector<std::string> kDestinations = {
    "10.244.2.20",      // remote pod via the standard route
    "10.244.3.20",      // remote pod on the jumbo link
    "10.250.1.1",       // podlanectl's static /16
    "10.250.7.7",       // ... and the longer /24 inside it
    "10.99.1.1",        // route with no uplink
    "10.98.1.1",        // route naming an interface that does not exist
    "10.244.1.10",      // local pod
    "10.244.1.99",      // local CIDR, no such pod
    "10.244.1.1",       // the gateway
    "192.160.1.11",     // the node
    "198.51.100.7",     // the outside world
    "224.0.0.251",      // multicast
    "255.255.255.255",  // broadcast
};

const std::vector<std::string> kDestinations6 = {
    "fd00:10:244:2::14",     // remote pod via the standard route
    "fd00:10:244:3::14",     // remote pod on the jumbo link
    "fd00:10:250:1::1",      // podlanectl's static /48
    "fd00:10:250:7::7",      // ... and the longer /64 inside it
    "fd00:10:99::1",         // route with no uplink
    "fd00:10:98::1",         // route naming an interface that does not exist
    "fd00:10:244:1::a",      // local pod
    "fd00:10:244:1::99",     // local CIDR, no such pod
    "fd00:10:244:1::1",      // the gateway
    "fd00:192:160:1::11",    // the node
    "2001:db8::7",           // the outside world
    "ff02::fb",              // multicast
    "ff02::1:ff00:a",        // solicited-node multicast (neighbour discovery)
    "fe80::858:aff:fef4:1",  // link-local
    "::",                    // unspecified
};

TEST_F(CtlAgreesWithPrograms, LookupPredictsTheReasonTheProgramsCount) {
    add_test_routes();
    expect_agreement(kDestinations);

    // The forwarded case names the route the trie picked.
    json doc = lookup("10.250.7.7", Prog::FromPod, 64);
    EXPECT_EQ(doc["route"]["cidr"], "10.250.7.0/24");
    EXPECT_EQ(doc["nextHop"], "192.160.1.15");
    EXPECT_EQ(doc["uplink"]["name"], "tup9000");
}

TEST_F(CtlAgreesWithPrograms, AlsoBeforeTheAgentWroteTheConfig) {
    add_test_routes();
    ASSERT_TRUE(node_->maps().set_config(podlane_node_config{}).ok());
    expect_agreement(kDestinations);
}

TEST_F(CtlAgreesWithPrograms, AlsoAfterRoutesAreDeleted) {
    ASSERT_EQ(ctl({"routes", "del", "10.244.2.0/24"}).exit_code, 0);
    ASSERT_EQ(ctl({"endpoints", "del", "10.244.1.10"}).exit_code, 0);
    expect_agreement({"10.244.2.20", "10.244.1.10", "10.244.3.20"});
}

TEST_F(CtlAgreesWithPrograms, Ipv6LookupPredictsTheReasonTheProgramsCount) {
    node_->seed_standard_node6();
    add_test_routes6();
    expect_agreement(kDestinations6);

    json doc = lookup("fd00:10:250:7::7", Prog::FromPod, 64);
    EXPECT_EQ(doc["route"]["cidr"], "fd00:10:250:7::/64");
    EXPECT_EQ(doc["nextHop"], "fd00:192:160:1::15");
    EXPECT_EQ(doc["uplink"]["name"], "tup9000");
}

TEST_F(CtlAgreesWithPrograms, Ipv6AlsoOnANodeWithoutIpv6) {
    // The IPv6 routes are there, the IPv6 config is not: pass-not-ipv4.
    node_->seed_standard_node6();
    add_test_routes6();
    ASSERT_TRUE(node_->maps().set_config6(podlane_node_config6{}).ok());
    expect_agreement(kDestinations6);
}

TEST_F(CtlAgreesWithPrograms, Ipv6AlsoOnAnIpv6OnlyNode) {
    // The shared config carries no IPv4 address (node_ip 0).
    node_->seed_standard_node6();
    add_test_routes6();
    auto cfg = node_->maps().config();
    ASSERT_TRUE(cfg);
    cfg->node_ip = 0;
    ASSERT_TRUE(node_->maps().set_config(*cfg).ok());
    expect_agreement(kDestinations6);
}

TEST_F(CtlAgreesWithPrograms, Ipv6AlsoAfterRoutesAndEndpointsAreDeleted) {
    node_->seed_standard_node6();
    ASSERT_EQ(ctl({"routes", "del", "fd00:10:244:2::/64"}).exit_code, 0);
    ASSERT_EQ(ctl({"endpoints", "del", "fd00:10:244:1::a"}).exit_code, 0);
    expect_agreement({"fd00:10:244:2::14", "fd00:10:244:1::a", "fd00:10:244:3::14"});
}

TEST_F(CtlAgreesWithPrograms, StatsReadsBackWhatTheProgramsCounted) {
    add_test_routes();
    expect_agreement(kDestinations);
    node_->seed_standard_node6();
    add_test_routes6();
    expect_agreement(kDestinations6);
    ASSERT_GT(runs_, 0);
    auto counted = node_->stats();
    auto r = ctl({"stats", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.out;
    uint64_t total = 0;
    for (const auto &item : doc["reasons"]) {
        unsigned code = item["code"];
        EXPECT_EQ(item["packets"], counted[code].packets) << item["reason"];
        EXPECT_EQ(item["bytes"], counted[code].bytes) << item["reason"];
        total += item["packets"].get<uint64_t>();
    }
    EXPECT_EQ(total, static_cast<uint64_t>(runs_)) << "every packet run counted once, nothing lost";
    uint64_t by_verdict = 0;
    for (const char *v : {"forward", "pass", "drop"}) by_verdict += doc["totals"][v]["packets"].get<uint64_t>();
    EXPECT_EQ(by_verdict, total);

    // The table names the reasons in words.
    r = ctl({"stats"});
    EXPECT_NE(r.out.find("forwarded-remote"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("drop-no-uplink"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("the route names an interface that does not exist"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pass-ipv6-scope"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace podlane::test
