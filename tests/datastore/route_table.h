// What podlaned's reconcile makes of a published node list (after the
// node-list filter, as the agent does), as a readable table, so datastore
// tests assert routes and not only node lists.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "podlane/ip.h"
#include "reconcile.h"

namespace podlane::test {

using RouteTable = std::map<std::string, std::string>;  // CIDR -> next hop ("local")

inline RouteTable routes_for(const NodeConfig &self, const std::vector<ClusterNode> &nodes) {
    RouteTable out;
    for (const auto &r : desired_routes(self, filter_for_node(self, nodes).accepted, 2)) {
        bool local = r.value.flags & PODLANE_ROUTE_F_LOCAL;
        out[r.cidr.str()] = local ? "local" : Ipv4{r.value.node_ip}.str();
    }
    return out;
}

}  // namespace podlane::test
