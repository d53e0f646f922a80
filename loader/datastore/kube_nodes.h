// Kubernetes Node objects -> cluster nodes: name, the first IPv4
// InternalIP of status.addresses, the first IPv4 of spec.podCIDRs (or
// spec.podCIDR on servers older than 1.16).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "podlane/node_config.h"
#include "podlane/result.h"

namespace podlane::datastore {

// An Error says what the node lacks (e.g. no pod CIDR allocated yet).
Result<ClusterNode> cluster_node_from_object(const nlohmann::json &node);

// metadata.resourceVersion of any object or list; "" when absent.
std::string resource_version_of(const nlohmann::json &object);
// metadata.name; "" when absent.
std::string name_of(const nlohmann::json &object);

}  // namespace podlane::datastore
