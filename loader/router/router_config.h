// The router role's config file: the router itself (name, IP, interfaces)
// and the cluster's nodes with their pod CIDRs.
//   {"nodeName": "router", "nodeIP": "192.160.1.1", "interfaces": ["eth0"],
//    "pinRoot": "/sys/fs/bpf/podlane", "clusterCIDR": "10.244.0.0/16",
//    "nodes": [{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"}, ...]}
// "uplink": "eth0" is accepted instead of "interfaces" (one interface), so a
// node-style file works too; a "podCIDR" of the router's own is ignored.
// With --datastore etcd|kubernetes "nodes" may be left out: the router then
// watches the datastore's node list (and ignores any list in the file).
#pragma once

#include <string>
#include <vector>

#include "podlane/node_config.h"

namespace podlane {

struct RouterConfig : AgentIdentity {
    std::vector<std::string> interfaces;
    std::vector<ClusterNode> nodes;
};

struct RouterConfigRules {
    // With a datastore the nodes come from it and the file may list none.
    bool nodes_required = true;
};

// Parses and validates; an error names the offending field.
Result<RouterConfig> parse_router_config(const std::string &json_text, RouterConfigRules rules = {});
Result<RouterConfig> load_router_config(const std::string &path, RouterConfigRules rules = {});

}  // namespace podlane
