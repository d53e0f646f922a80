#include "dataplane_metrics.h"

#include <map>

#include "podlane/reasons.h"

namespace podlane {

void write_packet_counters(MetricsText &out, const std::vector<podlane_stat_value> &stats) {
    for (auto [family, help, bytes] :
         {std::tuple{"podlane_packets_total", "Packets the BPF programs decided, by verdict and reason", false},
          std::tuple{"podlane_bytes_total", "Bytes of the packets the BPF programs decided, by verdict and reason",
                     true}}) {
        out.family(family, help, "counter");
        for (const auto &info : all_reasons()) {
            const auto index = static_cast<size_t>(info.reason);
            const podlane_stat_value v = index < stats.size() ? stats[index] : podlane_stat_value{};
            out.sample(family,
                       {{"verdict", std::string(verdict_name(info.verdict))}, {"reason", std::string(info.name)}},
                       static_cast<double>(bytes ? v.bytes : v.packets));
        }
    }
}

void write_map_usage(MetricsText &out, const std::vector<MapUsage> &maps) {
    out.family("podlane_map_entries", "Entries in a pinned BPF map", "gauge");
    for (const auto &m : maps) out.sample("podlane_map_entries", {{"map", m.name}}, m.entries);
    out.family("podlane_map_capacity", "max_entries of a pinned BPF map", "gauge");
    for (const auto &m : maps) out.sample("podlane_map_capacity", {{"map", m.name}}, m.max_entries);
}

void write_route_counts(MetricsText &out, const std::vector<RouteEntry> &routes) {
    std::map<std::string, unsigned> by_kind{{"remote", 0}, {"local", 0}, {"static", 0}};
    for (const auto &r : routes) {
        if (r.value.flags & PODLANE_ROUTE_F_STATIC)
            ++by_kind["static"];
        else if (r.value.flags & PODLANE_ROUTE_F_LOCAL)
            ++by_kind["local"];
        else
            ++by_kind["remote"];
    }
    out.family("podlane_routes",
               "Entries of the routes map by kind: remote (another node's pod CIDR), "
               "local (this node's own), static (written by podlanectl)",
               "gauge");
    for (const auto &[kind, n] : by_kind) out.sample("podlane_routes", {{"kind", kind}}, n);
}

void write_dataplane_metrics(MetricsText &out, const NodeMaps &maps, const std::vector<const PinnedMap *> &extra_maps) {
    if (auto stats = maps.stats(); stats) write_packet_counters(out, *stats);
    std::vector<MapUsage> usage;
    unsigned endpoints = 0;
    auto all = maps.all();
    all.insert(all.end(), extra_maps.begin(), extra_maps.end());
    for (const PinnedMap *m : all)
        if (auto u = m->usage(); u) {
            if (u->name == PODLANE_MAP_ENDPOINTS) endpoints = u->entries;
            usage.push_back(*u);
        }
    write_map_usage(out, usage);
    if (auto routes = maps.routes(); routes) write_route_counts(out, *routes);
    out.family("podlane_endpoints", "Local pods registered in the endpoints map", "gauge");
    out.sample("podlane_endpoints", {}, endpoints);
}

}  // namespace podlane
