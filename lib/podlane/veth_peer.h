// The other end of a host veth, read from the node's network namespace
// without entering the pod's: RTM_GETLINK with IFLA_TARGET_NETNSID (kernel
// >= 4.20) asks for the peer by its ifindex (IFLA_LINK) in the namespace the
// host veth names (IFLA_LINK_NETNSID). podlaned rebuilds endpoints this way
// on its own thread, where entering a namespace would be one more thing to
// get wrong.
#pragma once

#include "podlane/ip.h"
#include "podlane/result.h"

namespace podlane {

// The MAC of the peer of the veth `host_ifindex` (in the calling thread's
// namespace). ENODEV when either end is gone.
Result<Mac> veth_peer_mac(int host_ifindex);

}  // namespace podlane
