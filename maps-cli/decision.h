// The forwarding decision of the BPF programs (bpf/lib/decide.h and the
// hook code around it), replayed in user space over map contents, for
// `podlanectl lookup`. Pure: tests feed it vectors of entries.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "podlane/abi/maps.h"
#include "podlane/maps.h"

namespace podlane::ctl {

enum class Direction {
    FromPod,     // sent by a local pod or the node itself (tc_from_pod)
    FromUplink,  // arriving from another node (tc_uplink / xdp_uplink)
};

struct DecideOptions {
    // The packet's TTL: <= 1 is handed to the kernel for time-exceeded.
    uint8_t ttl = 64;
    // Whether an ifindex exists in the node's namespace (the program's MTU
    // check fails on a missing device). Unset: assume it exists.
    std::function<bool(uint32_t)> interface_exists;
};

struct Decision {
    podlane_reason reason = PODLANE_PASS_NO_ROUTE;
    std::optional<RouteEntry> route;        // the longest-prefix match, when any
    std::optional<EndpointEntry> endpoint;  // the local pod, for PODLANE_FWD_LOCAL
};

// The config as the programs see it: absent until the agent wrote a node IP.
std::optional<podlane_node_config> effective_config(const std::optional<podlane_node_config> &config);

// What the program does with an IPv4 packet to dst, given the maps' entries.
// Packet-size dependent outcomes (PODLANE_PASS_FRAG_NEEDED) are not modelled.
Decision decide(const std::vector<RouteEntry> &routes, const std::vector<EndpointEntry> &endpoints,
                const std::optional<podlane_node_config> &config, Ipv4 dst, Direction from,
                const DecideOptions &options = {});

}  // namespace podlane::ctl
