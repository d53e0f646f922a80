// The one check every node list passes before it reaches a routes map:
// Kubernetes Node objects, etcd values and the files' "nodes", in both roles.
// A node list is untrusted input: anyone who can write a Node object or an
// etcd key could otherwise route this node's pods (or the whole Internet)
// anywhere. A refused entry is left out; the others are still routed.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "podlane/abi/maps.h"
#include "podlane/node_config.h"

namespace podlane {

enum class NodeRefusal {
    PodCidrOutsideCluster,  // not inside clusterCIDR
    PodCidrLength,          // shorter than clusterCIDR's prefix or longer than kMaxPodCidrLength
    PodCidrOverlapsSelf,    // overlaps this node's own pod CIDR
    PodCidrOverlap,         // overlaps another node's claim (both are refused)
    NodeIpNotUnicast,       // 0/8, 127/8, 169.254/16, multicast, 240/4, broadcast
    NodeIpInCluster,        // inside clusterCIDR: a pod's address
    NodeIpIsSelf,           // this agent's own IP
    NameTwice,              // a second entry with the same name (both are refused)
    TooMany,                // beyond max_nodes
    SelfMismatch,           // this node's name with another pod CIDR or IP
};

// "pod-cidr-outside-cluster", ...: the words of the logs, agent.json and status.
const char *refusal_word(NodeRefusal reason);

// A pod CIDR longer than this has no room for a gateway and a pod.
inline constexpr int kMaxPodCidrLength = 30;

struct NodeListPolicy {
    Cidr cluster_cidr;
    std::string self_name;                      // this node (empty: the router, which is no node)
    std::optional<Cidr> self_cidr;              // this node's pod CIDR
    Ipv4 self_ip;                               // this agent's IP (node or router); 0: IPv6-only
    size_t max_nodes = PODLANE_ROUTES_MAX - 1;  // the routes map minus this node's own entry
    // Dual-stack: a node's IPv6 claim is held to the same rules; without a
    // cluster IPv6 CIDR (an IPv4-only agent) IPv6 claims are ignored, as an
    // IPv6-only agent (self_ip 0) ignores IPv4 claims.
    std::optional<Cidr6> cluster_cidr6;
    std::optional<Cidr6> self_cidr6;
    std::optional<Ipv6> self_ip6;
};

struct RefusedNode {
    ClusterNode node;
    NodeRefusal reason;
    std::string why;  // "pod CIDR 10.244.1.0/25 overlaps this node's 10.244.1.0/24"
    bool operator==(const RefusedNode &) const = default;
};

struct FilteredNodes {
    std::vector<ClusterNode> accepted;  // in the input's order; this node's own entry kept when it agrees
    std::vector<RefusedNode> refused;
};

// Pure: the same list and policy always give the same answer, whatever the
// order of the entries (an overlap refuses both claims, so no name wins by
// sorting last).
FilteredNodes filter_node_list(const std::vector<ClusterNode> &nodes, const NodeListPolicy &policy);

// Refusals per reason word, for agent.json and podlanectl status.
std::map<std::string, int> count_refusals(const std::vector<RefusedNode> &refused);

// Logs each refusal once per distinct (name, why), not on every resync; one
// that stops and comes back later is logged again.
class RefusalLog {
public:
    // Calls log(line, refusal) for the refusals not in the previous call's
    // list.
    template <typename LogFn>
    void report(const std::vector<RefusedNode> &refused, const LogFn &log) {
        std::set<std::pair<std::string, std::string>> now;
        for (const auto &r : refused) {
            auto key = std::pair{r.node.name, r.why};
            if (!seen_.count(key))
                log("node " + (r.node.name.empty() ? std::string("(unnamed)") : r.node.name) +
                        " is not routed: " + r.why + " (" + refusal_word(r.reason) + ")",
                    r);
            now.insert(std::move(key));
        }
        seen_ = std::move(now);
    }

private:
    std::set<std::pair<std::string, std::string>> seen_;
};

}  // namespace podlane
