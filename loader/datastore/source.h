// Where the cluster's node list comes from. The config file is the simplest
// source (handled by the agent itself); etcd and Kubernetes plug in here.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mode_words.h"
#include "podlane/node_config.h"
#include "podlane/result.h"

namespace CLI {
class App;
}

namespace podlane::datastore {

enum class Kind { File, Etcd, Kubernetes };

// The words of --datastore, the logs and agent.json.
inline constexpr ModeWord<Kind> kKindWords[] = {
    {Kind::File, "file"}, {Kind::Etcd, "etcd"}, {Kind::Kubernetes, "kubernetes"}};
inline const char *kind_name(Kind kind) {
    return word_of(kKindWords, kind);
}

struct Options {
    Kind kind = Kind::File;
    std::vector<std::string> etcd_endpoints;
    std::string etcd_prefix = "/podlane/";
    std::string etcd_ca, etcd_cert, etcd_key;
    int etcd_lease_ttl_s = 10;   // a node that stops renewing leaves after this long
    int pod_cidr_length = 24;    // size of the block claimed from clusterCIDR (etcd)
    std::string kubeconfig;      // empty: in-cluster service account
    int startup_timeout_s = 60;  // resolve_self gives up after this long
};

// Registers --datastore and its options on the agent's command line.
void add_cli_options(CLI::App &app, Options &options);

using NodesCallback = std::function<void(std::vector<ClusterNode>)>;
using LogFn = std::function<void(const std::string &)>;
// Called from the source's thread: up (the datastore answered) or not, and
// for a failed request its kind ("list", "watch", "register", "lease").
using HealthFn = std::function<void(bool up, const std::string &failed_kind)>;

class ClusterSource {
public:
    virtual ~ClusterSource() = default;
    // Completes this node's config from the datastore before the datapath
    // starts: e.g. claims a pod CIDR (etcd) or reads it from the Node object
    // (Kubernetes). May block until the datastore answers.
    virtual Result<NodeConfig> resolve_self(NodeConfig self) = 0;
    // Starts watching (own thread). on_change receives the whole node list
    // each time it changes; an unreachable datastore never produces a
    // shorter list, it produces nothing.
    virtual Status start(const NodeConfig &self, NodesCallback on_change, LogFn log) = 0;
    // Watches without joining: registers nothing and claims no pod CIDR, so
    // the lists hold only the nodes (the router role, which routes to the
    // nodes but is not one). Same callback contract as start().
    virtual Status watch(NodesCallback on_change, LogFn log) = 0;
    // Stops watching; the agent's routes stay as they are.
    virtual void stop() = 0;
    // Before start()/watch(): who hears of outages and failed requests
    // (podlaned's datastore metrics).
    virtual void set_health_listener(HealthFn health) = 0;
    // After start(): this node's network readiness (every other node's
    // route and its own pod CIDR in the routes map), published where the
    // cluster looks for it: the Node's NetworkUnavailable condition
    // (Kubernetes), the node's registration (etcd). Never blocks: written
    // from the source's own thread, the newest state only.
    virtual void publish_readiness(bool ready, const std::string &reason) = 0;
};

// nullptr for kind "file": the agent reads the node list from its config.
// Loads the datastore module (module_loader.cpp), so that a node on a config
// file never maps libcurl and its TLS stack.
Result<std::unique_ptr<ClusterSource>> make_source(const Options &options);

// The same, in process: what the module exports (source.cpp).
Result<std::unique_ptr<ClusterSource>> create_source(const Options &options);

// The module's entry point, C linkage so dlsym finds it by this name. The
// version in the name changes when Options or ClusterSource change.
#define PODLANE_DATASTORE_ENTRY "podlane_datastore_create_v4"
using ModuleEntry = bool (*)(const Options *options, std::unique_ptr<ClusterSource> *source, std::string *error);

}  // namespace podlane::datastore
