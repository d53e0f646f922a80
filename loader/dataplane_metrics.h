// The dataplane's families for /metrics, read from the pinned maps at each
// scrape: per-reason packets and bytes, map fill, routes and endpoints.
// Shared by the node and router roles.
#pragma once

#include <vector>

#include "podlane/maps.h"
#include "podlane/metrics_text.h"

namespace podlane {

// podlane_packets_total and podlane_bytes_total{verdict,reason}: every named
// reason, zeros included, so a rate() exists before the first drop.
void write_packet_counters(MetricsText &out, const std::vector<podlane_stat_value> &stats);

// podlane_map_entries and podlane_map_capacity{map}.
void write_map_usage(MetricsText &out, const std::vector<MapUsage> &maps);

// podlane_routes{kind}: remote (another node's pod CIDR), local (this
// node's own), static (written by podlanectl).
void write_route_counts(MetricsText &out, const std::vector<RouteEntry> &routes);

// Everything above plus podlane_endpoints, from a node's maps (plus the
// router's own maps, for their fill). A map that cannot be read leaves its
// families out of this scrape and is logged by the caller's log.
void write_dataplane_metrics(MetricsText &out, const NodeMaps &maps, const std::vector<const PinnedMap *> &extra_maps);

}  // namespace podlane
