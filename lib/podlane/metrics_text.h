// The Prometheus text exposition format (0.0.4), written by hand: Debian 12
// packages no Prometheus client for C++, and the format is small. One
// writer per scrape; families are written whole, one after the other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace podlane {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Cumulative-bucket histogram as Prometheus wants it; bounds ascending,
// +Inf implied.
struct MetricHistogram {
    std::vector<double> bounds;
    std::vector<uint64_t> counts;  // per bucket (not cumulative), bounds.size() + 1 (the last: above every bound)
    double sum = 0;
    uint64_t count = 0;

    explicit MetricHistogram(std::vector<double> upper_bounds);
    void observe(double value);
};

// [a-zA-Z_:][a-zA-Z0-9_:]* and [a-zA-Z_][a-zA-Z0-9_]* (no "__" prefix).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);

class MetricsText {
public:
    // # HELP and # TYPE (counter, gauge, histogram, untyped).
    void family(std::string_view name, std::string_view help, std::string_view type);
    void sample(std::string_view name, const MetricLabels &labels, double value);
    // name_bucket{...,le="..."} for each bound and +Inf, name_sum, name_count.
    void histogram(std::string_view name, const MetricLabels &labels, const MetricHistogram &h);

    const std::string &text() const { return out_; }

private:
    std::string out_;
};

// A sample value as the format spells it: integers without a fraction or an
// exponent, +Inf, -Inf, NaN.
std::string metric_value(double value);

}  // namespace podlane
