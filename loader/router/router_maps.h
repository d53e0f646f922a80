// Typed access to the router role's own pinned maps (abi/maps.h): the
// neighbours (node IP -> MAC, interface), the router's ports (ifindex ->
// MAC) and the tx-ports devmap the XDP program redirects through. The node
// maps (routes, config, stats) are reached with NodeMaps as on a node.
#pragma once

#include <map>

#include "podlane/abi/maps.h"
#include "podlane/ip.h"
#include "podlane/maps.h"
#include "podlane/result.h"

namespace podlane {

struct RouterPort {
    Mac mac;
    unsigned mtu = 0;
    unsigned flags = 0;  // enum podlane_router_port_flags
    bool operator==(const RouterPort &) const = default;
};

struct NeighbourEntry {
    Mac mac;
    int ifindex = 0;
    bool operator==(const NeighbourEntry &) const = default;
};

class RouterMaps {
public:
    static Result<RouterMaps> open(const std::string &pin_dir);

    Result<std::map<Ipv4, NeighbourEntry>> neighbours() const;
    Status put_neighbour(Ipv4 ip, const NeighbourEntry &entry);
    Result<bool> delete_neighbour(Ipv4 ip);

    Result<std::map<int, RouterPort>> ports() const;
    // Both the port's MAC and its devmap slot (XDP_REDIRECT target).
    Status put_port(int ifindex, const RouterPort &port);
    Status delete_port(int ifindex);

    std::vector<const PinnedMap *> all() const { return {&neigh_, &ports_, &tx_}; }

private:
    RouterMaps(PinnedMap neigh, PinnedMap ports, PinnedMap tx)
        : neigh_(std::move(neigh)), ports_(std::move(ports)), tx_(std::move(tx)) {}
    PinnedMap neigh_, ports_, tx_;
};

}  // namespace podlane
