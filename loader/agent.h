// podlaned: brings a node's dataplane up, keeps its routes in step with the
// cluster, and leaves everything in place when it stops.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "agent_modes.h"
#include "datapath.h"
#include "datastore/source.h"
#include "podlane/result.h"

namespace podlane {

struct AgentOptions {
    std::string config_path;
    std::string pin_root;  // overrides the config's pinRoot when set
    UplinkHook uplink_hook = UplinkHook::Auto;
    PodAttach attach = PodAttach::Veth;
    NextHopMethod next_hop = NextHopMethod::Neigh;
    NetfilterMode netfilter = NetfilterMode::Compat;
    Role role = Role::Node;
    RouterHook router_hook = RouterHook::Xdp;  // router role
    std::string run_dir = "/run/podlane";
    // The CNI plugin's IPAM store for this network: its dataDir + "/" + the
    // conflist's network name (cni/config.h); the defaults of the conflist
    // deploy/ installs.
    std::string ipam_dir = "/var/lib/cni/podlane/podlane";
    datastore::Options datastore;
    // Where /metrics is served ("host:port", ":port"); empty: not served.
    // podlaned's command line defaults it to :9965.
    std::string metrics_address;
};

using Logger = std::function<void(const std::string &)>;

class Agent {
public:
    // Everything up to "ready": programs attached, routes filled.
    static Result<std::unique_ptr<Agent>> start(const AgentOptions &options, Logger log);
    virtual ~Agent() = default;
    // Reconciles on config change (inotify), SIGHUP and datastore updates,
    // until SIGTERM/SIGINT. Returns with the dataplane still in place.
    virtual Status run() = 0;
};

// `podlaned --detach`: removes what the agent attached, created and pinned.
Status detach_dataplane(const AgentOptions &options, Logger log);

}  // namespace podlane
