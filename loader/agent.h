// podlaned: brings a node's dataplane up, keeps its routes in step with the
// cluster, and leaves everything in place when it stops.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "datapath.h"
#include "datastore/source.h"
#include "podlane/result.h"

namespace podlane {

struct AgentOptions {
    std::string config_path;
    std::string pin_root;              // overrides the config's pinRoot when set
    std::string uplink_hook = "auto";  // auto | tc | xdp
    std::string attach = "veth";       // veth | bridge: where the pod-side program runs (veth measured faster)
    std::string next_hop = "neigh";    // neigh (bpf_redirect_neigh) | fib (bpf_fib_lookup)
    NetfilterMode netfilter = NetfilterMode::Compat;
    std::string role = "node";        // node | router
    std::string router_hook = "xdp";  // router role: xdp | tc
    std::string run_dir = "/run/podlane";
    datastore::Options datastore;
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
