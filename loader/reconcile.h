// Keeps the routes map equal to what the cluster's node list implies,
// touching only the entries that differ.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "podlane/agent_state.h"
#include "podlane/maps.h"
#include "podlane/node_config.h"
#include "podlane/node_list_filter.h"

namespace podlane {

// What this node's routes map should hold for the given cluster: its own pod
// CIDR as LOCAL, and every other node's pod CIDR via that node (or, in router
// mode, the whole cluster CIDR via the router).
std::vector<RouteEntry> desired_routes(const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                       int uplink_ifindex);

// (uplink ifindex, node IP): where a non-LOCAL route sends its packets.
using NextHop = std::pair<int, Ipv4>;

// Every distinct next hop of a routes map: what the agent keeps resolved
// (managed neighbour entries) and what --detach forgets.
std::set<NextHop> next_hops(const std::vector<RouteEntry> &routes);
using NextHop6 = std::pair<int, Ipv6>;
std::set<NextHop6> next_hops(const std::vector<Route6Entry> &routes);

// Entry: RouteEntry (IPv4) or Route6Entry (IPv6).
template <typename Entry>
struct RouteDiffOf {
    std::vector<Entry> add;     // CIDR not in the map
    std::vector<Entry> update;  // CIDR in the map with another value
    std::vector<Entry> remove;  // CIDR in the map, not desired
    bool empty() const { return add.empty() && update.empty() && remove.empty(); }
};
using RouteDiff = RouteDiffOf<RouteEntry>;
using RouteDiff6 = RouteDiffOf<Route6Entry>;

// Entries flagged PODLANE_ROUTE_F_STATIC (written by an operator with
// podlanectl) are never updated or removed.
RouteDiff diff_routes(const std::vector<RouteEntry> &current, const std::vector<RouteEntry> &desired);
RouteDiff6 diff_routes(const std::vector<Route6Entry> &current, const std::vector<Route6Entry> &desired);

// The two writes a diff needs: NodeMaps' in the agent, a fake in the tests.
template <typename CidrT, typename Value>
struct RouteWriterOf {
    std::function<Result<bool>(const CidrT &, const Value &)> put;
    std::function<Result<bool>(const CidrT &)> remove;
};
using RouteWriter = RouteWriterOf<Cidr, podlane_route_value>;
using RouteWriter6 = RouteWriterOf<Cidr6, podlane_route6_value>;

// Applies a diff entry by entry (each write is atomic on its own) and logs
// each change through `log`: removals first, so a full routes map takes the
// new nodes in place of the departed ones; then updates and additions.
// Stops at the first failure (the next reconcile retries the rest).
Status apply_route_diff(const RouteWriter &writer, const RouteDiff &diff,
                        const std::function<void(const std::string &)> &log);
Status apply_route_diff(const RouteWriter6 &writer, const RouteDiff6 &diff,
                        const std::function<void(const std::string &)> &log);
Status apply_route_diff(NodeMaps &maps, const RouteDiff &diff, const std::function<void(const std::string &)> &log);
Status apply_route_diff(NodeMaps &maps, const RouteDiff6 &diff, const std::function<void(const std::string &)> &log);

// desired_routes + diff_routes + apply_route_diff against the live map.
Result<RouteDiff> reconcile_routes(NodeMaps &maps, const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                   int uplink_ifindex, const std::function<void(const std::string &)> &log);

// The IPv6 routes map's counterpart, for a dual-stack node: its own IPv6 pod
// CIDR as LOCAL and every other node's IPv6 pod CIDR via that node's IPv6
// address. Empty for an IPv4-only node (which then leaves the map empty),
// and nodes without an IPv6 claim get no IPv6 route.
std::vector<Route6Entry> desired_routes6(const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                         int uplink_ifindex);
Result<RouteDiff6> reconcile_routes6(NodeMaps &maps, const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                     int uplink_ifindex, const std::function<void(const std::string &)> &log);

std::string describe_route(const RouteEntry &route);
std::string describe_route(const Route6Entry &route);

// What a node agent accepts from a node list (filter_node_list): pod CIDRs
// inside its cluster CIDR and clear of its own, next hops that are unicast
// and not its own IP.
NodeListPolicy node_list_policy(const NodeConfig &self);

// What a node agent routes of a published list, and what it refuses: every
// list, from the file or a datastore, passes here before reconcile_routes.
FilteredNodes filter_for_node(const NodeConfig &self, const std::vector<ClusterNode> &nodes);

// The refusals as agent.json keeps them.
std::vector<AgentRefusedNode> refusal_records(const std::vector<RefusedNode> &refused);

}  // namespace podlane
