// The lab's node 1 as the agent sees it, and cluster node entries, for the
// tests of what the agent does with a node list (filter, reconcile).
#pragma once

#include "podlane/node_config.h"

namespace podlane::test {

inline ClusterNode node(const char *name, const char *ip, const char *cidr) {
    return {name, *Ipv4::parse(ip), *Cidr::parse(cidr), {}, {}};
}

// A node entry with its IPv6 half (dual-stack).
inline ClusterNode with_ipv6(ClusterNode n, const char *ip6, const char *cidr6) {
    n.node_ip6 = *Ipv6::parse(ip6);
    n.pod_cidr6 = *Cidr6::parse(cidr6);
    return n;
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

// The same node, dual-stack: fd00:192:160:1::11, pods fd00:10:244:1::/64
// in cluster fd00:10:244::/56.
inline NodeConfig dual_self() {
    NodeConfig cfg = self();
    cfg.node_ip6 = *Ipv6::parse("fd00:192:160:1::11");
    cfg.cluster_cidr6 = *Cidr6::parse("fd00:10:244::/56");
    cfg.pod_cidr6 = *Cidr6::parse("fd00:10:244:1::/64");
    return cfg;
}

// The same node, IPv6-only: no nodeIP, no IPv4 pod CIDR.
inline NodeConfig ipv6_only_self() {
    NodeConfig cfg = dual_self();
    cfg.node_ip = {};
    cfg.pod_cidr = {};
    return cfg;
}

// An IPv6-only node entry.
inline ClusterNode node6(const char *name, const char *ip6, const char *cidr6) {
    return {name, {}, {}, *Ipv6::parse(ip6), *Cidr6::parse(cidr6)};
}

}  // namespace podlane::test
