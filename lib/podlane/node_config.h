// The node file: what podlaned (and, through `nodeConfig`, the CNI plugin)
// knows of this node and of the cluster. One source of truth for both.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podlane/files.h"
#include "podlane/ip.h"
#include "podlane/pod_gateway.h"
#include "podlane/result.h"

namespace podlane {

// The defaults of both roles' files.
inline constexpr const char *kDefaultPinRoot = "/sys/fs/bpf/podlane";
inline constexpr const char *kDefaultClusterCidr = "10.244.0.0/16";

// A node has an IPv4 side (nodeIP, podCIDR), an IPv6 side (nodeIPv6,
// podCIDRv6) or both. An IPv6-only node's IPv4 fields are both empty: node_ip
// 0.0.0.0 and pod_cidr 0.0.0.0/0 (either alone is a bad claim, refused).
struct ClusterNode {
    std::string name;
    Ipv4 node_ip;
    Cidr pod_cidr;
    // The node's IPv6 address and IPv6 pod CIDR, both or neither.
    std::optional<Ipv6> node_ip6;
    std::optional<Cidr6> pod_cidr6;
    bool has_ipv4() const { return node_ip.be != 0 || pod_cidr.length != 0 || pod_cidr.prefix.be != 0; }
    bool operator==(const ClusterNode &) const = default;
};

// Who an agent is, in both roles' files (parsed by parse_agent_identity).
struct AgentIdentity {
    std::string node_name;  // also the folder of its pins
    Ipv4 node_ip;           // 0.0.0.0 on an IPv6-only node
    std::string pin_root = kDefaultPinRoot;
    Cidr cluster_cidr;  // every pod CIDR lies inside it
    // Dual-stack: set together, or neither (an IPv4-only agent).
    std::optional<Ipv6> node_ip6;
    std::optional<Cidr6> cluster_cidr6;  // every IPv6 pod CIDR lies inside it

    // False on an IPv6-only node: it routes no IPv4 pods.
    bool has_ipv4() const { return node_ip.be != 0; }

    // Where this agent's maps live: one folder per node, so lab nodes sharing
    // one machine never share maps.
    std::string pin_dir() const { return pin_root + "/" + node_name; }
};

struct NodeConfig : AgentIdentity {
    std::string uplink;               // interface toward the other nodes
    std::string bridge = "podlane0";  // the pods' bridge
    Cidr pod_cidr;                    // this node's pods
    std::optional<Cidr6> pod_cidr6;   // this node's pods' IPv6 addresses (dual-stack)
    std::vector<ClusterNode> nodes;   // the cluster, this node included or not
    std::optional<Ipv4> router_ip;    // set: router mode, one entry via the router

    Ipv4 gateway() const { return pod_cidr.first_host(); }
    // The bridge's IPv6 address: the CIDR's first address after the
    // subnet-router anycast, as for IPv4.
    std::optional<Ipv6> gateway6() const { return pod_cidr6 ? std::optional{pod_cidr6->at(1)} : std::nullopt; }
    // The bridge's address of each family this node routes.
    PodGatewayAddresses gateway_addresses() const {
        PodGatewayAddresses out;
        if (has_ipv4()) out.ipv4 = Cidr{gateway(), pod_cidr.length};
        if (pod_cidr6) out.ipv6 = Cidr6{*gateway6(), pod_cidr6->length};
        return out;
    }
};

// The longest IPv6 pod CIDR: room for a gateway and 254 pods, as a /24 for IPv4.
inline constexpr int kMaxPodCidr6Length = 120;

// "10.244.1.0/24", "fd00:10:244:1::/64" or both joined by " and ": the pod
// CIDRs of each family the node has, for logs and status.
std::string pod_cidrs_text(const ClusterNode &node);
std::string node_ips_text(const ClusterNode &node);

// This node as an entry of the cluster's node list.
inline ClusterNode self_entry(const NodeConfig &cfg) {
    return {cfg.node_name, cfg.node_ip, cfg.pod_cidr, cfg.node_ip6, cfg.pod_cidr6};
}

struct NodeConfigRules {
    // A datastore (etcd, Kubernetes) may supply this node's pod CIDR later;
    // then pod_cidr is left empty (length 0, address 0) when absent.
    bool pod_cidr_required = true;
};

// Parses and validates; an error names the offending field.
Result<NodeConfig> parse_node_config(const std::string &json_text, NodeConfigRules rules = {});
Result<NodeConfig> load_node_config(const std::string &path, NodeConfigRules rules = {});
bool has_pod_cidr(const NodeConfig &cfg);
inline std::string pod_cidrs_text(const NodeConfig &cfg) {
    return pod_cidrs_text(self_entry(cfg));
}

}  // namespace podlane
