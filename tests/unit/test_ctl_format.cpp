// The formatter: aligned tables, and JSON that parses with stable keys for
// every command.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "format.h"
#include "podlane/reasons.h"

namespace podlane::ctl {
namespace {

using nlohmann::json;

Ipv4 ip(const char *s) {
    return *Ipv4::parse(s);
}

RouteEntry route(const char *cidr, const char *via, uint32_t ifindex, uint32_t flags = 0) {
    return {*Cidr::parse(cidr), {ip(via).be, ifindex, flags, PODLANE_FAMILY_IPV4}};
}

std::vector<std::string> lines(const std::string &text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

json parse(const std::string &text) {
    auto doc = json::parse(text, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << "not JSON:\n" << text;
    return doc;
}

const IfNames kNames = {{1, "lo"}, {3, "eth0"}, {42, "veth1234"}};

TEST(CtlTable, ColumnsAreAlignedAndNumbersRightAligned) {
    Table t({"NAME", "COUNT"}, {false, true});
    t.add({"a", "1"});
    t.add({"longer-name", "12,345"});
    auto l = lines(t.str());
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0], "NAME          COUNT");
    EXPECT_EQ(l[1], "a                 1");
    EXPECT_EQ(l[2], "longer-name  12,345");
}

TEST(CtlTable, NoTrailingSpacesAndShortRowsArePadded) {
    Table t({"A", "B", "C"});
    t.add({"x"});
    for (const auto &l : lines(t.str())) EXPECT_TRUE(l.empty() || l.back() != ' ') << "'" << l << "'";
}

TEST(CtlFormat, ThousandsSeparators) {
    EXPECT_EQ(with_thousands(0), "0");
    EXPECT_EQ(with_thousands(999), "999");
    EXPECT_EQ(with_thousands(1000), "1,000");
    EXPECT_EQ(with_thousands(1234567), "1,234,567");
}

TEST(CtlFormat, RouteFlagsAndKinds) {
    EXPECT_EQ(route_flag_names(0), std::vector<std::string>{});
    EXPECT_EQ(route_flag_names(PODLANE_ROUTE_F_STATIC | PODLANE_ROUTE_F_LOCAL),
              (std::vector<std::string>{"local", "static"}));
    EXPECT_EQ(route_flag_names(1u << 9), std::vector<std::string>{"0x200"});
    EXPECT_EQ(route_kind(route("10.0.0.0/8", "1.1.1.1", 3, PODLANE_ROUTE_F_LOCAL).value), "local");
    EXPECT_EQ(route_kind(route("10.0.0.0/8", "1.1.1.1", 3, PODLANE_ROUTE_F_ROUTER_NEXTHOP).value), "router-nexthop");
    EXPECT_EQ(route_kind(route("10.0.0.0/8", "1.1.1.1", 3).value), "remote");
    EXPECT_EQ(interface_text(3, kNames), "eth0");
    EXPECT_EQ(interface_text(9, kNames), "#9 (gone)");
    EXPECT_EQ(interface_text(0, kNames), "-");
}

TEST(CtlFormat, RoutesTableIsSortedAndReadable) {
    std::vector<RouteEntry> routes = {route("10.244.2.0/24", "192.160.1.12", 3),
                                      route("10.244.1.0/24", "192.160.1.11", 3, PODLANE_ROUTE_F_LOCAL),
                                      route("10.250.0.0/16", "192.160.1.13", 9, PODLANE_ROUTE_F_STATIC)};
    auto l = lines(render_routes("n1", routes, kNames, Format::Table));
    ASSERT_EQ(l.size(), 4u);
    EXPECT_EQ(l[0].rfind("CIDR", 0), 0u);
    EXPECT_NE(l[1].find("10.244.1.0/24"), std::string::npos);
    EXPECT_NE(l[1].find("local"), std::string::npos);
    EXPECT_NE(l[2].find("192.160.1.12"), std::string::npos);
    EXPECT_NE(l[2].find("eth0"), std::string::npos);
    EXPECT_NE(l[3].find("#9 (gone)"), std::string::npos);
    EXPECT_NE(l[3].find("static"), std::string::npos);
    // Every row's NODE IP column starts where the header's does.
    size_t col = l[0].find("NODE IP");
    EXPECT_EQ(l[2].find("192.160.1.12"), col);
    EXPECT_EQ(render_routes("n1", {}, kNames, Format::Table), "no routes (node n1)\n");
}

TEST(CtlFormat, RoutesJsonHasStableKeys) {
    auto doc = parse(
        render_routes("n1", {route("10.250.0.0/16", "192.160.1.13", 3, PODLANE_ROUTE_F_STATIC)}, kNames, Format::Json));
    EXPECT_EQ(doc["node"], "n1");
    ASSERT_EQ(doc["routes"].size(), 1u);
    const auto &r = doc["routes"][0];
    EXPECT_EQ(r["cidr"], "10.250.0.0/16");
    EXPECT_EQ(r["kind"], "remote");
    EXPECT_EQ(r["nodeIp"], "192.160.1.13");
    EXPECT_EQ(r["uplinkIfindex"], 3);
    EXPECT_EQ(r["uplink"], "eth0");
    EXPECT_EQ(r["flags"], json::array({"static"}));
    EXPECT_EQ(r["source"], "podlanectl");
    EXPECT_TRUE(parse(render_routes("n1", {}, kNames, Format::Json))["routes"].is_array());
    EXPECT_TRUE(
        parse(render_routes("n1", {route("10.0.0.0/8", "1.1.1.1", 99)}, kNames, Format::Json))["routes"][0]["uplink"]
            .is_null());
}

TEST(CtlFormat, RouteAddSaysWhetherItReplaced) {
    auto now = route("10.250.0.0/16", "192.160.1.13", 3, PODLANE_ROUTE_F_STATIC);
    auto before = route("10.250.0.0/16", "192.160.1.12", 3);
    EXPECT_EQ(render_route_added("n1", now, std::nullopt, kNames, Format::Table),
              "added 10.250.0.0/16 via 192.160.1.13 dev eth0 (static)\n");
    auto replaced = render_route_added("n1", now, before, kNames, Format::Table);
    EXPECT_EQ(replaced.rfind("replaced 10.250.0.0/16 via 192.160.1.13", 0), 0u) << replaced;
    EXPECT_NE(replaced.find("was 10.250.0.0/16 via 192.160.1.12"), std::string::npos) << replaced;
    auto doc = parse(render_route_added("n1", now, before, kNames, Format::Json));
    EXPECT_EQ(doc["action"], "replaced");
    EXPECT_EQ(doc["previous"]["nodeIp"], "192.160.1.12");
    EXPECT_EQ(doc["route"]["nodeIp"], "192.160.1.13");
    doc = parse(render_route_added("n1", now, std::nullopt, kNames, Format::Json));
    EXPECT_EQ(doc["action"], "added");
    EXPECT_TRUE(doc["previous"].is_null());
    doc = parse(render_route_deleted("n1", before, kNames, Format::Json));
    EXPECT_EQ(doc["action"], "deleted");
    EXPECT_EQ(doc["route"]["cidr"], "10.250.0.0/16");
}

TEST(CtlFormat, Endpoints) {
    EndpointEntry e{ip("10.244.1.10"), {}};
    e.value.host_ifindex = 42;
    e.value.flags = PODLANE_ENDPOINT_F_PROG_ATTACHED;
    uint8_t mac[6] = {0x0a, 0x58, 0x0a, 0xf4, 0x01, 0x0a};
    std::copy(mac, mac + 6, e.value.pod_mac);
    auto doc = parse(render_endpoints("n1", {e}, kNames, Format::Json));
    ASSERT_EQ(doc["endpoints"].size(), 1u);
    EXPECT_EQ(doc["endpoints"][0]["podIp"], "10.244.1.10");
    EXPECT_EQ(doc["endpoints"][0]["hostIfindex"], 42);
    EXPECT_EQ(doc["endpoints"][0]["hostInterface"], "veth1234");
    EXPECT_EQ(doc["endpoints"][0]["podMac"], "0a:58:0a:f4:01:0a");
    EXPECT_EQ(doc["endpoints"][0]["hostMac"], "00:00:00:00:00:00");
    EXPECT_EQ(doc["endpoints"][0]["flags"], json::array({"prog-attached"}));
    auto table = render_endpoints("n1", {e}, kNames, Format::Table);
    EXPECT_NE(table.find("veth1234"), std::string::npos);
    EXPECT_EQ(parse(render_endpoint_deleted("n1", e, kNames, Format::Json))["endpoint"]["podIp"], "10.244.1.10");
    EXPECT_EQ(render_endpoints("n1", {}, kNames, Format::Table), "no endpoints (node n1)\n");
}

// A pod exempt from the anti-spoofing check, by its veth (per-veth mode) or
// by its MAC (bridge mode), shows the flag; others do not.
TEST(CtlFormat, EndpointsShowTheAnySourceExemption) {
    EndpointEntry exempt{ip("10.244.1.10"), {}}, other{ip("10.244.1.11"), {}};
    exempt.value.host_ifindex = 42;
    other.value.host_ifindex = 43;
    other.value.pod_mac[5] = 0x0b;
    SourceExemption by_veth{};
    by_veth.key.ifindex = 42;
    by_veth.value.flags = PODLANE_SRC_EXEMPT_F_ANY_SOURCE;
    auto doc = parse(render_endpoints("n1", {exempt, other}, kNames, Format::Json, {by_veth}));
    EXPECT_EQ(doc["endpoints"][0]["allowAnySource"], true);
    EXPECT_EQ(doc["endpoints"][0]["flags"], json::array({"any-source"}));
    EXPECT_EQ(doc["endpoints"][1]["allowAnySource"], false);
    EXPECT_NE(render_endpoints("n1", {exempt}, kNames, Format::Table, {by_veth}).find("any-source"), std::string::npos);

    SourceExemption by_mac{};
    by_mac.key.mac[5] = 0x0b;
    by_mac.value.flags = PODLANE_SRC_EXEMPT_F_ANY_SOURCE;
    doc = parse(render_endpoints("n1", {exempt, other}, kNames, Format::Json, {by_mac}));
    EXPECT_EQ(doc["endpoints"][0]["allowAnySource"], false);
    EXPECT_EQ(doc["endpoints"][1]["allowAnySource"], true);
}

// A lookup of a pod on node 2 that the programs forward there.
LookupReport forward_to_node2() {
    LookupReport r;
    r.node = "n1";
    r.ip = ip("10.244.2.20");
    r.decision.reason = PODLANE_FWD_REMOTE;
    r.decision.route = route("10.244.2.0/24", "192.160.1.12", 3);
    return r;
}

TEST(CtlFormat, LookupJsonAndTable) {
    LookupReport r = forward_to_node2();
    auto doc = parse(render_lookup(r, kNames, Format::Json));
    EXPECT_EQ(doc["ip"], "10.244.2.20");
    EXPECT_EQ(doc["from"], "pod");
    EXPECT_EQ(doc["verdict"], "forward");
    EXPECT_EQ(doc["reason"], "forwarded-remote");
    EXPECT_EQ(doc["reasonCode"], 0);
    EXPECT_EQ(doc["nextHop"], "192.160.1.12");
    EXPECT_EQ(doc["uplink"]["name"], "eth0");
    EXPECT_EQ(doc["route"]["cidr"], "10.244.2.0/24");
    EXPECT_TRUE(doc["endpoint"].is_null());
    auto table = render_lookup(r, kNames, Format::Table);
    EXPECT_NE(table.find("forwarded in BPF to node 192.160.1.12 out of eth0"), std::string::npos) << table;
    EXPECT_NE(table.find("longest prefix match"), std::string::npos) << table;

    r.decision = Decision{};
    r.decision.reason = PODLANE_PASS_NO_ROUTE;
    doc = parse(render_lookup(r, kNames, Format::Json));
    EXPECT_EQ(doc["verdict"], "pass");
    EXPECT_TRUE(doc["route"].is_null());
    EXPECT_TRUE(doc["nextHop"].is_null());
    EXPECT_NE(doc["summary"].get<std::string>().find("goes to the kernel"), std::string::npos);
}

// In netfilter-compatible mode a BPF verdict applies only to established,
// untranslated flows: lookup says so, bypass mode does not.
TEST(CtlFormat, LookupSaysWhenTheFastPathWaitsForConntrack) {
    LookupReport r = forward_to_node2();
    podlane_node_config c{};
    c.node_ip = ip("192.160.1.11").be;
    r.config = c;
    auto doc = parse(render_lookup(r, kNames, Format::Json));
    EXPECT_EQ(doc["netfilter"], "compat");
    EXPECT_EQ(doc["fastPathOnlyForEstablishedFlows"], true);
    auto table = render_lookup(r, kNames, Format::Table);
    EXPECT_NE(table.find("pass-flow-new"), std::string::npos) << table;
    EXPECT_NE(table.find("pass-flow-translated"), std::string::npos) << table;

    r.config->flags = PODLANE_CONFIG_F_NETFILTER_BYPASS;
    doc = parse(render_lookup(r, kNames, Format::Json));
    EXPECT_EQ(doc["netfilter"], "bypass");
    EXPECT_EQ(doc["fastPathOnlyForEstablishedFlows"], false);
    EXPECT_EQ(render_lookup(r, kNames, Format::Table).find("pass-flow-new"), std::string::npos);

    r.config->flags = 0;
    r.decision = Decision{};
    r.decision.reason = PODLANE_PASS_NO_ROUTE;
    EXPECT_EQ(parse(render_lookup(r, kNames, Format::Json))["fastPathOnlyForEstablishedFlows"], false);
}

TEST(CtlFormat, StatsNamesReasonsInWordsAndComputesRates) {
    StatsReport r;
    r.node = "n1";
    r.totals.resize(PODLANE_REASON_MAX);
    r.totals[PODLANE_FWD_REMOTE] = {1500, 150000};
    r.totals[PODLANE_DROP_SPOOFED_SOURCE] = {3, 300};
    auto table = render_stats(r, Format::Table);
    EXPECT_NE(table.find("forwarded-remote"), std::string::npos) << table;
    EXPECT_NE(table.find("1,500"), std::string::npos) << table;
    EXPECT_NE(table.find("drop-spoofed-source"), std::string::npos) << table;
    EXPECT_NE(table.find("not the address of the pod"), std::string::npos) << table;
    EXPECT_EQ(table.find("pass-vlan"), std::string::npos) << "zero rows hidden without --all";
    r.all = true;
    EXPECT_NE(render_stats(r, Format::Table).find("pass-vlan"), std::string::npos);

    auto doc = parse(render_stats(r, Format::Json));
    EXPECT_EQ(doc["reasons"].size(), all_reasons().size()) << "JSON lists every reason";
    EXPECT_EQ(doc["totals"]["forward"]["packets"], 1500);
    EXPECT_EQ(doc["totals"]["drop"]["bytes"], 300);
    EXPECT_FALSE(doc["reasons"][0].contains("packetsPerSecond"));

    r.previous = r.totals;
    (*r.previous)[PODLANE_FWD_REMOTE] = {1000, 100000};
    r.interval_seconds = 2.0;
    std::string line = render_stats(r, Format::Json);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << "watch JSON is one document per line";
    doc = parse(line);
    EXPECT_DOUBLE_EQ(doc["reasons"][0]["packetsPerSecond"].get<double>(), 250.0);
    EXPECT_DOUBLE_EQ(doc["reasons"][0]["bytesPerSecond"].get<double>(), 25000.0);
    EXPECT_DOUBLE_EQ(doc["intervalSeconds"].get<double>(), 2.0);
    table = render_stats(r, Format::Table);
    EXPECT_NE(table.find("PKT/S"), std::string::npos);
    EXPECT_NE(table.find("250.0"), std::string::npos) << table;
    EXPECT_NE(table.find("200.0k"), std::string::npos) << "25000 B/s is 200 kbit/s\n" << table;
}

TEST(CtlFormat, StatsCountsOfUnknownReasonsAreShownNotHidden) {
    StatsReport r;
    r.node = "n1";
    r.totals.resize(PODLANE_REASON_MAX);
    r.totals[45] = {7, 700};  // no reason sits at 45
    EXPECT_NE(render_stats(r, Format::Table).find("reason-45"), std::string::npos);
    auto doc = parse(render_stats(r, Format::Json));
    EXPECT_EQ(doc["reasons"].back()["reason"], "reason-45");
}

TEST(CtlFormat, StatusJsonAndTable) {
    StatusReport r;
    r.node = "n1";
    r.pin_dir = "/sys/fs/bpf/podlane/n1";
    r.agent.state_file = "/run/podlane/n1/agent.json";
    r.agent.problem = "podlaned is not running for node n1";
    r.maps = {{"pl_routes_v1", 3, 16384}, {"pl_config_v1", 1, 1}};
    auto doc = parse(render_status(r, kNames, Format::Json));
    EXPECT_EQ(doc["dataplaneLoaded"], false);
    EXPECT_EQ(doc["agent"]["running"], false);
    EXPECT_EQ(doc["agent"]["problem"], "podlaned is not running for node n1");
    EXPECT_TRUE(doc["config"].is_null());
    EXPECT_EQ(doc["maps"][0]["name"], "pl_routes_v1");
    EXPECT_EQ(doc["maps"][0]["entries"], 3);
    EXPECT_EQ(doc["maps"][0]["maxEntries"], 16384);
    auto table = render_status(r, kNames, Format::Table);
    EXPECT_NE(table.find("not running"), std::string::npos) << table;
    EXPECT_NE(table.find("pl_routes_v1"), std::string::npos) << table;

    r.agent.running = r.agent.found = true;
    r.agent.problem.clear();
    r.agent.pid = 77;
    r.agent.config_path = "/etc/podlane/n1.json";
    AttachmentStatus a;
    a.expected = {"eth0", 3, "tc-ingress", "podlane_uplink_ingress"};
    a.attached = true;
    a.program_id = 99;
    a.program_name = "podlane_uplink_";
    r.attachments = {a};
    podlane_node_config c{};
    c.node_ip = ip("192.160.1.11").be;
    c.uplink_ifindex = 3;
    r.config = c;
    r.dataplane_loaded = true;
    doc = parse(render_status(r, kNames, Format::Json));
    EXPECT_EQ(doc["agent"]["pid"], 77);
    EXPECT_EQ(doc["agent"]["configPath"], "/etc/podlane/n1.json");
    EXPECT_EQ(doc["attachments"][0]["programId"], 99);
    EXPECT_EQ(doc["attachments"][0]["attached"], true);
    EXPECT_EQ(doc["config"]["uplink"]["name"], "eth0");
    EXPECT_EQ(doc["config"]["nodeIp"], "192.160.1.11");
    EXPECT_EQ(doc["netfilter"], "compat");
    table = render_status(r, kNames, Format::Table);
    EXPECT_NE(table.find("/etc/podlane/n1.json"), std::string::npos) << table;
    EXPECT_NE(table.find("attached"), std::string::npos) << table;
    EXPECT_NE(table.find("compat: new, Service-translated"), std::string::npos) << table;

    r.config->flags = PODLANE_CONFIG_F_NETFILTER_BYPASS;
    EXPECT_EQ(parse(render_status(r, kNames, Format::Json))["netfilter"], "bypass");
    EXPECT_NE(render_status(r, kNames, Format::Table).find("bypass: every pod flow"), std::string::npos);
}

TEST(CtlFormat, StatusShowsRefusedNodesPerReason) {
    StatusReport r;
    r.node = "n1";
    r.agent.running = r.agent.found = true;
    r.agent.refused_nodes = {{"evil", "0.0.0.0/0", "192.160.1.20", "pod-cidr-outside-cluster", "outside"},
                             {"dup-a", "10.244.20.0/24", "192.160.1.23", "pod-cidr-overlap", "overlap"},
                             {"dup-b", "10.244.20.0/24", "192.160.1.24", "pod-cidr-overlap", "overlap"}};
    auto doc = parse(render_status(r, kNames, Format::Json));
    EXPECT_EQ(doc["agent"]["refusedNodes"].size(), 3u);
    EXPECT_EQ(doc["agent"]["refusedNodes"][0]["name"], "evil");
    EXPECT_EQ(doc["agent"]["refusedByReason"]["pod-cidr-overlap"], 2);
    auto table = render_status(r, kNames, Format::Table);
    EXPECT_NE(table.find("3 not routed: pod-cidr-outside-cluster 1 (evil); pod-cidr-overlap 2 (dup-a, dup-b)"),
              std::string::npos)
        << table;
}

TEST(CtlFormat, StatusOfARouterSaysWhereItsNodesComeFrom) {
    StatusReport r;
    r.node = "router";
    r.pin_dir = "/sys/fs/bpf/podlane/router";
    r.agent.running = r.agent.found = true;
    r.agent.role = "router";
    r.agent.uplink_hook = "xdp";
    r.agent.datastore = "etcd";
    podlane_node_config c{};
    c.node_ip = ip("192.160.1.1").be;
    c.uplink_ifindex = 3;
    c.uplink_mtu = 1500;
    c.role = PODLANE_ROLE_ROUTER;
    r.config = c;
    r.dataplane_loaded = true;
    auto table = render_status(r, kNames, Format::Table);
    EXPECT_NE(table.find("role router, hook xdp, nodes from etcd"), std::string::npos) << table;
    EXPECT_NE(table.find("router IP 192.160.1.1, first interface eth0"), std::string::npos) << table;
    EXPECT_EQ(table.find("pod side"), std::string::npos) << "a router has no pod side: " << table;
    EXPECT_EQ(table.find("pods 0.0.0.0"), std::string::npos) << "a router has no pod CIDR: " << table;

    r.agent.role = "node";
    r.agent.uplink_hook = "tc";
    r.agent.attach_mode = "veth";
    r.agent.datastore = "file";
    r.config->role = PODLANE_ROLE_NODE;
    table = render_status(r, kNames, Format::Table);
    EXPECT_NE(table.find("role node, uplink hook tc, pod side on veth, nodes from the config file"), std::string::npos)
        << table;
}

}  // namespace
}  // namespace podlane::ctl
