// The Prometheus text format as Prometheus parses it: escaping, histogram
// buckets, value spelling.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "podlane/metrics_text.h"

namespace podlane {
namespace {

TEST(MetricsText, FamilyThenSamplesWithEscapedLabelValues) {
    MetricsText m;
    m.family("podlane_packets_total", "Packets by verdict\\reason,\nper line", "counter");
    m.sample("podlane_packets_total", {{"verdict", "drop"}, {"reason", "a \"quoted\"\\ne\nline"}}, 42);
    m.sample("podlane_endpoints", {}, 3);
    EXPECT_EQ(m.text(),
              "# HELP podlane_packets_total Packets by verdict\\\\reason,\\nper line\n"
              "# TYPE podlane_packets_total counter\n"
              "podlane_packets_total{verdict=\"drop\",reason=\"a \\\"quoted\\\"\\\\ne\\nline\"} 42\n"
              "podlane_endpoints 3\n");
}

TEST(MetricsText, HistogramBucketsAreCumulativeAndEndWithInf) {
    MetricHistogram h({0.001, 0.01, 0.1});
    h.observe(0.0005);
    h.observe(0.001);  // on a bound: that bucket (le is "less or equal")
    h.observe(0.05);
    h.observe(3);
    MetricsText m;
    m.histogram("podlane_reconcile_duration_seconds", {{"role", "node"}}, h);
    EXPECT_EQ(m.text(),
              "podlane_reconcile_duration_seconds_bucket{role=\"node\",le=\"0.001\"} 2\n"
              "podlane_reconcile_duration_seconds_bucket{role=\"node\",le=\"0.01\"} 2\n"
              "podlane_reconcile_duration_seconds_bucket{role=\"node\",le=\"0.1\"} 3\n"
              "podlane_reconcile_duration_seconds_bucket{role=\"node\",le=\"+Inf\"} 4\n"
              "podlane_reconcile_duration_seconds_sum{role=\"node\"} 3.0515\n"
              "podlane_reconcile_duration_seconds_count{role=\"node\"} 4\n");
}

TEST(MetricsText, ValuesAreSpelledAsTheFormatWants) {
    EXPECT_EQ(metric_value(0), "0");
    EXPECT_EQ(metric_value(18446744073709.0), "18446744073709");
    EXPECT_EQ(metric_value(0.25), "0.25");
    EXPECT_EQ(metric_value(0.1), "0.1");
    EXPECT_EQ(metric_value(1.0 / 3), "0.3333333333333333");
    EXPECT_EQ(metric_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(metric_value(std::nan("")), "NaN");
}

TEST(MetricsText, NamesFollowThePrometheusRules) {
    EXPECT_TRUE(valid_metric_name("podlane_map_entries"));
    EXPECT_TRUE(valid_metric_name("podlane:rate5m"));
    EXPECT_FALSE(valid_metric_name(""));
    EXPECT_FALSE(valid_metric_name("9lives"));
    EXPECT_FALSE(valid_metric_name("podlane-packets"));
    EXPECT_TRUE(valid_label_name("reason"));
    EXPECT_FALSE(valid_label_name("__name__"));
    EXPECT_FALSE(valid_label_name("re:ason"));
    EXPECT_FALSE(valid_label_name("1st"));
}

}  // namespace
}  // namespace podlane
