// The pods' gateway on a node: the bridge, its address and its MAC, set up
// by one function whoever asks. podlaned owns them and sets them up at start;
// the CNI plugin calls the same function on ADD, where it changes nothing
// when podlaned ran first and makes a node without podlaned (a plain bridge
// network) work. See docs/dataplane.md, "Who owns what".
#pragma once

#include <string>

#include "podlane/ip.h"
#include "podlane/netlink.h"
#include "podlane/result.h"

namespace podlane {

// The bridge `bridge_name` exists and is up, holds gateway/prefix_length
// (other addresses are left alone) and carries gateway_mac_for(gateway).
// Idempotent, and safe when several processes race to do it.
Result<LinkInfo> ensure_pod_gateway(Netlink &nl, const std::string &bridge_name, Ipv4 gateway, uint8_t prefix_length);

}  // namespace podlane
