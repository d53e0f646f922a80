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

}  // namespace podlane
