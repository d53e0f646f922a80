#include "router/router_sync.h"

namespace podlane {

NodeSelection usable_router_nodes(const std::vector<ClusterNode> &nodes, const Cidr &cluster_cidr, Ipv4 router_ip) {
    // The router is no node: no name, no pod CIDR of its own. It routes no
    // IPv6 (yet): the nodes' IPv6 claims are ignored.
    auto filtered = filter_node_list(nodes, {.cluster_cidr = cluster_cidr,
                                             .self_name = {},
                                             .self_cidr = std::nullopt,
                                             .self_ip = router_ip,
                                             .max_nodes = PODLANE_ROUTES_MAX,
                                             .cluster_cidr6 = std::nullopt,
                                             .self_cidr6 = std::nullopt,
                                             .self_ip6 = std::nullopt});
    NodeSelection out;
    out.usable = std::move(filtered.accepted);
    out.refused = std::move(filtered.refused);
    return out;
}

std::map<Ipv4, int> node_interfaces(const std::vector<ClusterNode> &nodes, const std::vector<InterfaceSubnet> &subnets,
                                    const std::set<int> &router_ifindexes) {
    std::map<Ipv4, int> out;
    for (const auto &node : nodes) {
        int best = -1, best_len = -1;
        for (const auto &s : subnets)
            if (router_ifindexes.count(s.ifindex) && s.subnet.contains(node.node_ip) && s.subnet.length > best_len) {
                best = s.ifindex;
                best_len = s.subnet.length;
            }
        if (best > 0) out[node.node_ip] = best;
    }
    return out;
}

std::vector<RouteEntry> router_desired_routes(const std::vector<ClusterNode> &nodes,
                                              const std::map<Ipv4, int> &node_if) {
    std::vector<RouteEntry> out;
    for (const auto &node : nodes) {
        if (!node.has_ipv4()) continue;  // the router forwards IPv4 only
        auto it = node_if.find(node.node_ip);
        RouteEntry r{node.pod_cidr, {}};
        r.value.node_ip = node.node_ip.be;
        r.value.uplink_ifindex = it == node_if.end() ? 0 : static_cast<__u32>(it->second);
        r.value.flags = PODLANE_ROUTE_F_ROUTER_NEXTHOP;
        r.value.family = PODLANE_FAMILY_IPV4;
        out.push_back(r);
    }
    return out;
}

NeighbourPlan plan_neighbours(const std::map<Ipv4, int> &node_if, const std::vector<Neighbour> &table) {
    NeighbourPlan plan;
    for (const auto &[ip, ifindex] : node_if) {
        const Neighbour *found = nullptr;
        for (const auto &n : table)
            if (n.ip == ip && n.ifindex == ifindex) found = &n;
        if (found && found->usable()) {
            plan.entries[ip] = NeighbourEntry{*found->mac, ifindex};
            if (found->stale()) plan.resolve.emplace_back(ifindex, ip);
        } else {
            plan.resolve.emplace_back(ifindex, ip);
        }
    }
    return plan;
}

}  // namespace podlane
