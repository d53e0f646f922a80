// podlaned's /metrics families, written from known inputs: the names and
// labels a dashboard or an alert depends on.
#include <gtest/gtest.h>

#include "agent_metrics.h"
#include "dataplane_metrics.h"
#include "metrics_server.h"
#include "podlane/reasons.h"

namespace podlane {
namespace {

bool has_line(const std::string &text, const std::string &line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(DataplaneMetrics, EveryReasonIsACounterLabelledWithItsVerdict) {
    std::vector<podlane_stat_value> stats(PODLANE_REASON_MAX);
    stats[PODLANE_FWD_REMOTE] = {3, 294};
    stats[PODLANE_DROP_SPOOFED_SOURCE] = {2, 120};
    MetricsText out;
    write_packet_counters(out, stats);
    const auto &t = out.text();
    EXPECT_TRUE(has_line(t, "# TYPE podlane_packets_total counter")) << t;
    EXPECT_TRUE(has_line(t, "podlane_packets_total{verdict=\"forward\",reason=\"forwarded-remote\"} 3")) << t;
    EXPECT_TRUE(has_line(t, "podlane_bytes_total{verdict=\"forward\",reason=\"forwarded-remote\"} 294")) << t;
    EXPECT_TRUE(has_line(t, "podlane_packets_total{verdict=\"drop\",reason=\"drop-spoofed-source\"} 2")) << t;
    // A reason nothing hit yet is there, at zero: rate() works from the start.
    EXPECT_TRUE(has_line(t, "podlane_packets_total{verdict=\"pass\",reason=\"pass-flow-new\"} 0")) << t;
    size_t samples = 0;
    for (size_t at = 0; (at = t.find("\npodlane_packets_total{", at)) != std::string::npos; ++at) ++samples;
    EXPECT_EQ(samples, all_reasons().size()) << "one sample per named reason";
}

TEST(DataplaneMetrics, RoutesAreCountedByKind) {
    auto route = [](const char *cidr, uint32_t flags) {
        RouteEntry r{*Cidr::parse(cidr), {}};
        r.value.flags = flags;
        return r;
    };
    MetricsText out;
    write_route_counts(out, {route("10.244.1.0/24", PODLANE_ROUTE_F_LOCAL), route("10.244.2.0/24", 0),
                             route("10.244.3.0/24", 0), route("10.99.0.0/16", PODLANE_ROUTE_F_STATIC)});
    EXPECT_TRUE(has_line(out.text(), "podlane_routes{kind=\"remote\"} 2")) << out.text();
    EXPECT_TRUE(has_line(out.text(), "podlane_routes{kind=\"local\"} 1")) << out.text();
    EXPECT_TRUE(has_line(out.text(), "podlane_routes{kind=\"static\"} 1")) << out.text();
}

TEST(DataplaneMetrics, MapFillIsEntriesAndCapacityByMap) {
    MetricsText out;
    write_map_usage(out, {{"pl_routes_v1", 3, 16384}});
    EXPECT_TRUE(has_line(out.text(), "podlane_map_entries{map=\"pl_routes_v1\"} 3")) << out.text();
    EXPECT_TRUE(has_line(out.text(), "podlane_map_capacity{map=\"pl_routes_v1\"} 16384")) << out.text();
}

TEST(AgentMetrics, HistogramsDatastoreHealthAndRefusals) {
    AgentMetrics m;
    m.reconciled(std::chrono::microseconds(300));
    m.converged(std::chrono::milliseconds(40));
    auto health = m.health_listener();
    health(false, "watch");
    health(false, "watch");
    health(false, "list");
    m.refused_node("pod-cidr-overlaps-self");
    MetricsText out;
    m.write(out);
    const auto &t = out.text();
    EXPECT_TRUE(has_line(t, "# TYPE podlane_reconcile_duration_seconds histogram")) << t;
    EXPECT_TRUE(has_line(t, "podlane_reconcile_duration_seconds_bucket{le=\"0.00025\"} 0")) << t;
    EXPECT_TRUE(has_line(t, "podlane_reconcile_duration_seconds_bucket{le=\"0.0005\"} 1")) << t;
    EXPECT_TRUE(has_line(t, "podlane_reconcile_duration_seconds_count 1")) << t;
    EXPECT_TRUE(has_line(t, "podlane_route_convergence_seconds_bucket{le=\"0.025\"} 0")) << t;
    EXPECT_TRUE(has_line(t, "podlane_route_convergence_seconds_bucket{le=\"0.05\"} 1")) << t;
    EXPECT_TRUE(has_line(t, "podlane_datastore_up 0")) << t;
    EXPECT_TRUE(has_line(t, "podlane_datastore_errors_total{kind=\"watch\"} 2")) << t;
    EXPECT_TRUE(has_line(t, "podlane_datastore_errors_total{kind=\"list\"} 1")) << t;
    EXPECT_TRUE(has_line(t, "podlane_refused_nodes_total{why=\"pod-cidr-overlaps-self\"} 1")) << t;
    health(true, "");
    MetricsText again;
    m.write(again);
    EXPECT_TRUE(has_line(again.text(), "podlane_datastore_up 1")) << again.text();
}

TEST(ListenAddress, PortsHostsAndMistakes) {
    auto any = parse_listen_address(":9965");
    ASSERT_TRUE(any) << any.error().message;
    EXPECT_EQ(any->host, "");
    EXPECT_EQ(any->port, "9965");
    auto v4 = parse_listen_address("127.0.0.1:0");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    auto v6 = parse_listen_address("[::1]:9965");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "::1");
    for (const char *bad : {"9965", ":", ":99999", ":http", "[::1]9965", "[::1", "host:12a"}) {
        auto r = parse_listen_address(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
        }
    }
}

}  // namespace
}  // namespace podlane
