// The lab's node 1 as the agent sees it, and cluster node entries, for the
// tests of what the agent does with a node list (filter, reconcile).
#pragma once

#include "podlane/node_config.h"

namespace podlane::test {

inline ClusterNode node(const char *name, const char *ip, const char *cidr) {
    return {name, *Ipv4::parse(ip), *Cidr::parse(cidr), {}, {}};
}

// node1, 192.160.1.11, pods 10.244.1.0/24 in cluster 10.244.0.0/16.
inline NodeConfig self() {
    NodeConfig cfg;
    cfg.node_name = "node1";
    cfg.node_ip = *Ipv4::parse("192.160.1.11");
    cfg.pod_cidr = *Cidr::parse("10.244.1.0/24");
    cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
    return cfg;
}

}  // namespace podlane::test
