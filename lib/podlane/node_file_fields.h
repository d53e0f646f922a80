// The fields podlaned's node file and the router's file share: who this
// agent is (nodeName, nodeIP, pinRoot, clusterCIDR) and the cluster's node
// list. Parsed once here, so the two roles accept and refuse the same files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podlane/config_fields.h"
#include "podlane/node_config.h"

namespace podlane {

struct AgentIdentity {
    std::string node_name;  // also the folder of its pins
    Ipv4 node_ip;
    std::string pin_root;
    Cidr cluster_cidr;
};

// nodeName (a folder name), nodeIP, pinRoot (default kDefaultPinRoot),
// clusterCIDR (default kDefaultClusterCidr).
Result<AgentIdentity> parse_agent_identity(const ConfigFields &top);

// "nodes": nullopt when absent; else every entry {name, nodeIP, podCIDR}
// with its pod CIDR inside the cluster CIDR, no name twice and no two pod
// CIDRs overlapping. Errors name the entry ("nodes[2].podCIDR: ...").
Result<std::optional<std::vector<ClusterNode>>> parse_cluster_nodes(const ConfigFields &top, const Cidr &cluster_cidr);

}  // namespace podlane
