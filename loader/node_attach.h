// Where a node's programs go and what the config map says about it: shared
// by the agent's start and by its recovery when the uplink or the bridge is
// re-created under the same name (new ifindex).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "agent_modes.h"
#include "datapath.h"
#include "host_setup.h"
#include "podlane/abi/maps.h"
#include "podlane/agent_state.h"
#include "podlane/maps.h"
#include "podlane/node_config.h"

namespace podlane {

using Logger = std::function<void(const std::string &)>;

// Tc or Xdp: what Auto means for this uplink (XDP unless it is a veth).
Result<UplinkHook> pick_uplink_hook(UplinkHook requested, const std::string &uplink);

podlane_node_config node_config_value(const NodeConfig &cfg, const NodeDevices &dev, bool per_veth, bool uplink_xdp,
                                      NetfilterMode netfilter);
// The IPv6 side of the config map (pl_config6_v1): all zero for an
// IPv4-only node, which turns the programs' IPv6 paths off.
podlane_node_config6 node_config6_value(const NodeConfig &cfg);

// The uplink's receive program at the hook `requested` picks (the other
// hook's program removed). Auto falls back to TC when the driver has no
// native XDP. Returns the hook used and its agent.json record.
struct UplinkAttached {
    UplinkHook hook = UplinkHook::Tc;
    AgentAttachment record;
};
Result<UplinkAttached> attach_uplink(const Datapath &dp, const LinkInfo &uplink, UplinkHook requested,
                                     const Logger &log);

// Moves the pod-side program between the bridge and the pods' veths, so a
// restart in another mode never leaves both attached; the bridge's record is
// appended in bridge mode.
// Returns how many pod veths got the program (per-veth mode; 0 on the bridge).
Result<unsigned> attach_pod_side(const Datapath &dp, const NodeDevices &dev, const NodeMaps &maps, bool per_veth,
                                 std::vector<AgentAttachment> &records, const Logger &log);

}  // namespace podlane
