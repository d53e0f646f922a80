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

// --- IPv6 (the *6 paths of bpf/lib/decide.h and the hooks)

struct Decision6 {
    podlane_reason reason = PODLANE_PASS_NO_ROUTE;
    std::optional<Route6Entry> route;        // the longest-prefix match, when any
    std::optional<Endpoint6Entry> endpoint;  // the local pod, for PODLANE_FWD_LOCAL
};

// The IPv6 config as the programs see it (pl_config6()): absent while the
// node routes no IPv6 pods (pod_prefixlen 0), and the parser then leaves
// every IPv6 packet to the kernel as pass-not-ipv4.
std::optional<podlane_node_config6> effective_config6(const podlane_node_config6 &config);

// Never routed (pl_ipv6_not_routed() on the destination): link-local and the
// unspecified address, multicast.
bool is_ipv6_link_scope(const Ipv6 &addr);
bool is_ipv6_multicast(const Ipv6 &addr);

// What the program does with an IPv6 packet to dst (hop limit in
// options.ttl). The sender is assumed to pass the source checks; link-local
// senders (pass-ipv6-scope) and extension headers (pass-ipv6-exthdr) are
// properties of the packet, not of the destination, and not modelled.
Decision6 decide6(const std::vector<Route6Entry> &routes, const std::vector<Endpoint6Entry> &endpoints,
                  const podlane_node_config6 &config, const Ipv6 &dst, Direction from,
                  const DecideOptions &options = {});

}  // namespace podlane::ctl
