// podlanectl monitor's event lines and JSON, from known events.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "monitor_event.h"

namespace podlane::ctl {
namespace {

podlane_event tcp_event(podlane_reason reason) {
    podlane_event ev{};
    ev.ifindex = 7;
    ev.len = 74;
    ev.reason = reason;
    ev.protocol = 6;
    ev.saddr = Ipv4::parse("10.244.1.10")->be;
    ev.daddr = Ipv4::parse("10.244.2.20")->be;
    ev.sport = htons(40000);
    ev.dport = htons(8080);
    return ev;
}

TEST(MonitorEvent, ADropLineNamesReasonInterfaceAndTuple) {
    auto line = render_event(tcp_event(PODLANE_DROP_SPOOFED_SOURCE), "08:15:02.000001", {{7, "veth1"}}, Format::Table);
    EXPECT_EQ(line, "08:15:02.000001 drop-spoofed-source veth1 tcp 10.244.1.10:40000 -> 10.244.2.20:8080 74 bytes\n");
}

TEST(MonitorEvent, AForwardShowsItsNextHopAndSuppressedEvents) {
    auto ev = tcp_event(PODLANE_FWD_REMOTE);
    ev.next_hop = Ipv4::parse("192.160.1.12")->be;
    ev.suppressed = 5;
    auto line = render_event(ev, "t", {}, Format::Table);
    EXPECT_NE(line.find("forwarded-remote #7 "), std::string::npos) << line;
    EXPECT_NE(line.find(" via 192.160.1.12"), std::string::npos) << line;
    EXPECT_NE(line.find("5 events before this one over the rate limit"), std::string::npos) << line;
    auto local = tcp_event(PODLANE_FWD_LOCAL);
    EXPECT_NE(render_event(local, "t", {}, Format::Table).find(" into the pod"), std::string::npos);
}

TEST(MonitorEvent, JsonHasEveryField) {
    auto ev = tcp_event(PODLANE_FWD_REMOTE);
    ev.next_hop = Ipv4::parse("192.160.1.12")->be;
    auto j = nlohmann::json::parse(render_event(ev, "08:00:00.000000", {{7, "eth0"}}, Format::Json));
    EXPECT_EQ(j["verdict"], "forward");
    EXPECT_EQ(j["reason"], "forwarded-remote");
    EXPECT_EQ(j["interface"], "eth0");
    EXPECT_EQ(j["protocol"], "tcp");
    EXPECT_EQ(j["src"], "10.244.1.10");
    EXPECT_EQ(j["dstPort"], 8080);
    EXPECT_EQ(j["nextHop"], "192.160.1.12");
    EXPECT_EQ(j["bytes"], 74);
}

TEST(MonitorEvent, NotIpv4AndIcmpHaveNoPorts) {
    podlane_event arp{};
    arp.reason = PODLANE_PASS_NOT_IPV4;
    EXPECT_NE(render_event(arp, "t", {}, Format::Table).find("not IPv4"), std::string::npos);
    auto icmp = tcp_event(PODLANE_PASS_FLOW_UNTRACKED);
    icmp.protocol = 1;
    auto j = nlohmann::json::parse(render_event(icmp, "t", {}, Format::Json));
    EXPECT_TRUE(j["srcPort"].is_null());
    EXPECT_EQ(j["protocol"], "icmp");
}

TEST(MonitorEvent, TypeWords) {
    EXPECT_EQ(*monitor_types("drop"), uint32_t{PODLANE_MONITOR_DROP});
    EXPECT_EQ(*monitor_types("all"), uint32_t{PODLANE_MONITOR_DROP | PODLANE_MONITOR_PASS | PODLANE_MONITOR_FORWARD});
    auto bad = monitor_types("drops");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("drop, pass, forward, all"), std::string::npos);
}

}  // namespace
}  // namespace podlane::ctl
