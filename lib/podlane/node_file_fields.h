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

// nodeName (a folder name), nodeIP, pinRoot (default kDefaultPinRoot),
// clusterCIDR (default kDefaultClusterCidr); dual-stack: nodeIPv6 and
// clusterCIDRv6, both or neither.
Result<AgentIdentity> parse_agent_identity(const ConfigFields &top);

// One entry of a node list, {name, nodeIP, podCIDR[, nodeIPv6, podCIDRv6]}:
// in the files' "nodes" and in the etcd datastore's node values.
Result<ClusterNode> parse_cluster_node(const ConfigFields &entry);

// "nodes": nullopt when absent; else every entry {name, nodeIP, podCIDR}
// with its pod CIDR inside the cluster CIDR, no name twice and no two pod
// CIDRs overlapping. Errors name the entry ("nodes[2].podCIDR: ...").
// IPv6 pod CIDRs must lie inside cluster_cidr6 and not overlap either.
Result<std::optional<std::vector<ClusterNode>>> parse_cluster_nodes(const ConfigFields &top, const Cidr &cluster_cidr,
                                                                    const std::optional<Cidr6> &cluster_cidr6 = {});

}  // namespace podlane
