// Whether the endpoints map still describes live pod veths: an entry outlives
// its veth when a pod's network namespace is deleted without a CNI DEL (node
// crash, runtime bug), and its ifindex may since have been reused by another
// interface. The agent prunes such entries at start instead of failing on
// them: one lost pod must never take the whole node's fast path down.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "podlane/abi/maps.h"
#include "podlane/maps.h"
#include "podlane/netlink.h"
#include "podlane/reservation.h"
#include "podlane/result.h"

namespace podlane {

// Why the entry does not describe `link` (the interface now at its
// host_ifindex, nullopt when none): "" when it does (a veth with the
// entry's host MAC).
std::string endpoint_mismatch(const podlane_endpoint_value &entry, const std::optional<LinkInfo> &link);

struct EndpointPrune {
    unsigned kept = 0;
    unsigned removed = 0;
};

// Removes every entry whose veth is gone or is no longer the entry's, logging
// one line per removed pod. Fails only when netlink or the map cannot be read.
Result<EndpointPrune> prune_stale_endpoints(Netlink &nl, NodeMaps &maps,
                                            const std::function<void(const std::string &)> &log);

struct EndpointRebuild {
    unsigned registered = 0;  // put into the map now
    unsigned present = 0;     // already there
    unsigned no_veth = 0;     // the pod's host veth is gone: nothing to register
    unsigned failed = 0;      // logged one by one
};

// Registers the pods of `live` (this boot's IPAM reservations) that the map
// lacks: added while the maps were not pinned (podlaned not yet running,
// crash-looping, detached, or a map layout change), they would otherwise
// never be reached by the fast path. The entry is the one the plugin writes
// on ADD: host veth (named by host_veth_name) ifindex and MAC, and the pod's
// MAC, its peer's. With `per_veth` it carries PODLANE_ENDPOINT_F_PROG_ATTACHED:
// the caller attaches the pod-side program to every endpoint next.
// Both families: `live` from the IPv4 store or from a dual-stack network's IPv6 store.
template <typename Addr>
Result<EndpointRebuild> rebuild_endpoints(Netlink &nl, NodeMaps &maps, const std::vector<BasicReservation<Addr>> &live,
                                          bool per_veth, const std::function<void(const std::string &)> &log);

}  // namespace podlane
