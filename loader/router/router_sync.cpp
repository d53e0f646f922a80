#include "router/router_sync.h"

namespace podlane {

NodeSelection usable_router_nodes(const std::vector<ClusterNode> &nodes, const Cidr &cluster_cidr, Ipv4 router_ip) {
    NodeSelection out;
    for (const auto &node : nodes) {
        std::string why;
        if (!cluster_cidr.contains(node.pod_cidr))
            why = "pod CIDR " + node.pod_cidr.str() + " is outside clusterCIDR " + cluster_cidr.str();
        else if (node.node_ip == router_ip)
            why = "its IP " + node.node_ip.str() + " is the router's own";
        for (const auto &taken : out.usable)
            if (why.empty() && taken.pod_cidr.overlaps(node.pod_cidr))
                why = "pod CIDR " + node.pod_cidr.str() + " overlaps node " + taken.name + " (" + taken.pod_cidr.str() +
                      ")";
        if (why.empty())
            out.usable.push_back(node);
        else
            out.skipped.push_back("node " + node.name + " is not routed: " + why);
    }
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
