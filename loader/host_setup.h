// The node's kernel-side plumbing that the programs rely on.
#pragma once

#include <string>

#include "podlane/netlink.h"
#include "podlane/node_config.h"

namespace podlane {

// The host device that carries the node's one cluster-wide route: packets the
// node itself sends to remote pods (probes, host-network pods, ICMP errors)
// reach the pod-side program at its TC egress. A veth, since the dummy
// driver may be missing; its peer only ever sees what the program passes.
inline constexpr const char *kHostDevice = "podlane_host";
inline constexpr const char *kHostDevicePeer = "podlane_hostp";

struct NodeDevices {
    LinkInfo uplink;
    LinkInfo bridge;
    LinkInfo hostdev;
};

// bpffs at /sys/fs/bpf (mounted if absent).
Status ensure_bpffs();

// "" unless strict reverse-path filtering on the uplink would drop what the
// netfilter-compatible mode hands the kernel; else the warning to log.
std::string strict_rp_filter_warning(const std::string &uplink);
// Bridge with the gateway address, host device with the aggregate route,
// IPv4 forwarding on (the kernel path: TTL-exceeded, fragmentation-needed).
Result<NodeDevices> setup_node_devices(Netlink &nl, const NodeConfig &cfg);
Status remove_host_device(Netlink &nl);
// Dual-stack (cfg has an IPv6 pod CIDR): the bridge's IPv6 gateway address
// (no DAD), IPv6 forwarding, the IPv6 cluster route through the host device.
// Nothing for an IPv4-only node. Called by setup_node_devices.
Status setup_ipv6(Netlink &nl, const NodeConfig &cfg, const NodeDevices &dev);
// "" unless IPv6 forwarding makes the uplink ignore router advertisements.
std::string accept_ra_warning(const std::string &uplink);

}  // namespace podlane
