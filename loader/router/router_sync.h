// What the router's maps should hold, computed from the config and the
// kernel's tables (pure functions: the agent applies them, tests check them).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "podlane/maps.h"
#include "podlane/neighbours.h"
#include "podlane/node_config.h"
#include "podlane/node_list_filter.h"
#include "router/router_maps.h"

namespace podlane {

struct NodeSelection {
    std::vector<ClusterNode> usable;
    std::vector<RefusedNode> refused;  // left out, with the reason
};

// The shared node-list filter (podlane/node_list_filter.h) with the router's
// policy: pod CIDRs inside the cluster CIDR and clear of each other (an
// overlap refuses both claims), next hops unicast, outside the cluster CIDR
// and not the router's own IP. Refused nodes are left out, the others routed.
NodeSelection usable_router_nodes(const std::vector<ClusterNode> &nodes, const Cidr &cluster_cidr, Ipv4 router_ip);

// The router interface each node is reached on: the one whose connected
// subnet contains the node's IP (longest prefix wins). Nodes on no connected
// subnet of the router's interfaces are left out.
std::map<Ipv4, int> node_interfaces(const std::vector<ClusterNode> &nodes, const std::vector<InterfaceSubnet> &subnets,
                                    const std::set<int> &router_ifindexes);

// Every node's pod CIDR via that node (flag ROUTER_NEXTHOP), on the
// interface it is reached on (0 when none is known).
std::vector<RouteEntry> router_desired_routes(const std::vector<ClusterNode> &nodes,
                                              const std::map<Ipv4, int> &node_if);

struct NeighbourPlan {
    std::map<Ipv4, NeighbourEntry> entries;     // what the neighbours map should hold
    std::vector<std::pair<int, Ipv4>> resolve;  // (ifindex, ip) the kernel should (re)resolve
};

// From the kernel's neighbour table: a node with a usable entry on its
// interface gets a map entry; a node with none (or INCOMPLETE / FAILED) is
// asked for; a STALE one keeps its entry and is re-probed, so a node whose
// MAC changed is noticed.
NeighbourPlan plan_neighbours(const std::map<Ipv4, int> &node_if, const std::vector<Neighbour> &table);

}  // namespace podlane
