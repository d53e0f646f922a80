#include "podlane/metrics_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace podlane {
namespace {

bool name_char(char c, bool first, bool colon_ok) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
    if (colon_ok && c == ':') return true;
    return !first && c >= '0' && c <= '9';
}

void escape_into(std::string &out, std::string_view text, bool quotes) {
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (quotes && c == '"')
            out += "\\\"";
        else
            out += c;
    }
}

void labels_into(std::string &out, const MetricLabels &labels) {
    if (labels.empty()) return;
    out += '{';
    bool first = true;
    for (const auto &[name, value] : labels) {
        if (!first) out += ',';
        first = false;
        out += name;
        out += "=\"";
        escape_into(out, value, true);
        out += '"';
    }
    out += '}';
}

}  // namespace

MetricHistogram::MetricHistogram(std::vector<double> upper_bounds)
    : bounds(std::move(upper_bounds)), counts(bounds.size() + 1, 0) {}

void MetricHistogram::observe(double value) {
    size_t i = 0;
    while (i < bounds.size() && value > bounds[i]) ++i;
    ++counts[i];
    sum += value;
    ++count;
}

bool valid_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, true)) return false;
    return true;
}

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.substr(0, 2) == "__") return false;
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0, false)) return false;
    return true;
}

std::string metric_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    char buf[64];
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        std::snprintf(buf, sizeof buf, "%.0f", value);
    else
        // The shortest spelling that reads back as the same double ("0.1",
        // not "0.10000000000000001").
        for (int precision = 1; precision <= 17; ++precision) {
            std::snprintf(buf, sizeof buf, "%.*g", precision, value);
            if (std::strtod(buf, nullptr) == value) break;
        }
    return buf;
}

void MetricsText::family(std::string_view name, std::string_view help, std::string_view type) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    escape_into(out_, help, false);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
}

void MetricsText::sample(std::string_view name, const MetricLabels &labels, double value) {
    out_ += name;
    labels_into(out_, labels);
    out_ += ' ';
    out_ += metric_value(value);
    out_ += '\n';
}

void MetricsText::histogram(std::string_view name, const MetricLabels &labels, const MetricHistogram &h) {
    const std::string bucket = std::string(name) + "_bucket";
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= h.bounds.size(); ++i) {
        cumulative += i < h.counts.size() ? h.counts[i] : 0;
        MetricLabels with_le = labels;
        with_le.emplace_back("le", i < h.bounds.size() ? metric_value(h.bounds[i]) : "+Inf");
        sample(bucket, with_le, static_cast<double>(cumulative));
    }
    sample(std::string(name) + "_sum", labels, h.sum);
    sample(std::string(name) + "_count", labels, static_cast<double>(h.count));
}

}  // namespace podlane
