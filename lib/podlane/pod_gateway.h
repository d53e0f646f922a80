// The pods' gateway on a node: the bridge, its addresses and its MAC, set up
// by one function whoever asks. podlaned owns them and sets them up at start;
// the CNI plugin calls the same function on ADD, where it changes nothing
// when podlaned ran first and makes a node without podlaned (a plain bridge
// network) work. See docs/dataplane.md, "Who owns what".
#pragma once

#include <optional>
#include <string>

#include "podlane/ip.h"
#include "podlane/netlink.h"
#include "podlane/result.h"

namespace podlane {

// The bridge's gateway address of each family the node's pods have, with
// the pod CIDR's prefix length: IPv4-only, dual-stack or IPv6-only.
struct PodGatewayAddresses {
    std::optional<Cidr> ipv4;
    std::optional<Cidr6> ipv6;
};

// The bridge `bridge_name` exists and is up, holds the gateway addresses
// (other addresses are left alone; the IPv6 one without duplicate address
// detection) and carries gateway_mac_for() the IPv4 gateway, or the IPv6 one
// on an IPv6-only node. Idempotent, and safe when several processes race.
Result<LinkInfo> ensure_pod_gateway(Netlink &nl, const std::string &bridge_name, const PodGatewayAddresses &gateways);

}  // namespace podlane
