// The dataplane as the plugin sees it: the node's pinned maps, when podlaned
// has loaded them. Absent maps are not an error: ADD then works over the
// plain bridge and skips the fast-path registration.
#pragma once

#include <optional>
#include <string>

#include "podlane/maps.h"
#include "podlane/result.h"

namespace podlane::cni {

class Dataplane {
public:
    // nullopt when nothing is pinned at pin_dir (podlaned not running);
    // an error when the maps are there but cannot be opened.
    static Result<std::optional<Dataplane>> open(const std::string &pin_dir);

    NodeMaps &maps() { return maps_; }
    // The node runs the pod-side program on every host veth.
    bool per_veth() const { return per_veth_; }
    // The uplink receives with XDP: redirects into a pod's veth need GRO
    // (NAPI) on the pod's side.
    bool uplink_xdp() const { return uplink_xdp_; }
    // Attaches <pin_dir>/prog_from_pod at TC ingress of the host veth.
    Status attach_pod_program(int host_ifindex);

private:
    Dataplane(NodeMaps maps, uint32_t flags)
        : maps_(std::move(maps)),
          per_veth_(flags & PODLANE_CONFIG_F_PER_VETH),
          uplink_xdp_(flags & PODLANE_CONFIG_F_UPLINK_XDP) {}
    NodeMaps maps_;
    bool per_veth_ = false;
    bool uplink_xdp_ = false;
};

}  // namespace podlane::cni
