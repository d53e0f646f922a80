// What the router needs to know of its own interfaces beyond LinkInfo.
#pragma once

#include "podlane/result.h"

namespace podlane {

// True when ifindex is a veth whose peer lives in another network namespace
// (netlink IFLA_LINK_NETNSID present): bpf_redirect_peer can then hand a
// frame straight to the peer. False for other devices and same-namespace pairs.
Result<bool> veth_peer_in_other_netns(int ifindex);

}  // namespace podlane
