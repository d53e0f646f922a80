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
    // Attaches <pin_dir>/prog_from_pod at TC ingress of the host veth.
    Status attach_pod_program(int host_ifindex);

private:
    Dataplane(NodeMaps maps, bool per_veth) : maps_(std::move(maps)), per_veth_(per_veth) {}
    NodeMaps maps_;
    bool per_veth_ = false;
};

}  // namespace podlane::cni
