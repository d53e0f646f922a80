// The conntrack kfuncs exist only while the nf_conntrack module is loaded.
// On most nodes kube-proxy has loaded it; on a fresh node (a new VM, a node
// with no iptables rule yet) nothing has, and the netfilter-compatible mode
// could not start.
#pragma once

#include "podlane/result.h"

namespace podlane {

// Asks the kernel to load nf_conntrack without running modprobe: one
// ctnetlink request on a NETLINK_NETFILTER socket makes nfnetlink load its
// conntrack subsystem (nf_conntrack_netlink, which needs nf_conntrack), as
// the `conntrack` tool's first request does. Needs CAP_NET_ADMIN. Ok at once
// when the module is already there.
Status load_conntrack_module();

}  // namespace podlane
