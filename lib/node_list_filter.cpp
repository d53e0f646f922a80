#include "podlane/node_list_filter.h"

#include <algorithm>
#include <cstdint>

namespace podlane {
namespace {

// Addresses a node can never be reached at: "this network" (0/8), loopback,
// link-local (169.254/16: not routed beyond one link, and where cloud
// metadata services live), multicast (224/4), reserved and the limited
// broadcast (240/4).
bool unicast_node_ip(Ipv4 ip) {
    const uint32_t h = ip.host();
    const uint8_t first = static_cast<uint8_t>(h >> 24);
    if (first == 0 || first == 127 || first >= 224) return false;
    if ((h >> 16) == ((169u << 8) | 254u)) return false;
    return true;
}

// The reason an entry is refused on its own (nullopt: none), with the words.
std::optional<std::pair<NodeRefusal, std::string>> check_alone(const ClusterNode &n, const NodeListPolicy &p) {
    const std::string cidr = n.pod_cidr.str(), ip = n.node_ip.str();
    if (!p.cluster_cidr.contains(n.pod_cidr))
        return std::pair{NodeRefusal::PodCidrOutsideCluster,
                         "pod CIDR " + cidr + " is outside clusterCIDR " + p.cluster_cidr.str()};
    if (n.pod_cidr.length < p.cluster_cidr.length || n.pod_cidr.length > kMaxPodCidrLength)
        return std::pair{NodeRefusal::PodCidrLength, "pod CIDR " + cidr + " is not between /" +
                                                         std::to_string(p.cluster_cidr.length) + " and /" +
                                                         std::to_string(kMaxPodCidrLength)};
    if (!unicast_node_ip(n.node_ip))
        return std::pair{NodeRefusal::NodeIpNotUnicast,
                         "node IP " + ip + " is no unicast address (0/8, 127/8, 169.254/16, 224/4, 240/4)"};
    if (p.cluster_cidr.contains(n.node_ip))
        return std::pair{NodeRefusal::NodeIpInCluster,
                         "node IP " + ip + " is inside clusterCIDR " + p.cluster_cidr.str() + " (a pod's address)"};
    if (n.node_ip == p.self_ip) return std::pair{NodeRefusal::NodeIpIsSelf, "node IP " + ip + " is this agent's own"};
    if (p.self_cidr && n.pod_cidr.overlaps(*p.self_cidr))
        return std::pair{NodeRefusal::PodCidrOverlapsSelf,
                         "pod CIDR " + cidr + " overlaps this node's " + p.self_cidr->str()};
    return std::nullopt;
}

bool is_self(const ClusterNode &n, const NodeListPolicy &p) {
    return !p.self_name.empty() && n.name == p.self_name;
}

}  // namespace

const char *refusal_word(NodeRefusal reason) {
    switch (reason) {
        case NodeRefusal::PodCidrOutsideCluster:
            return "pod-cidr-outside-cluster";
        case NodeRefusal::PodCidrLength:
            return "pod-cidr-length";
        case NodeRefusal::PodCidrOverlapsSelf:
            return "pod-cidr-overlaps-self";
        case NodeRefusal::PodCidrOverlap:
            return "pod-cidr-overlap";
        case NodeRefusal::NodeIpNotUnicast:
            return "node-ip-not-unicast";
        case NodeRefusal::NodeIpInCluster:
            return "node-ip-in-cluster";
        case NodeRefusal::NodeIpIsSelf:
            return "node-ip-is-self";
        case NodeRefusal::NameTwice:
            return "name-twice";
        case NodeRefusal::TooMany:
            return "too-many-nodes";
        case NodeRefusal::SelfMismatch:
            return "self-mismatch";
    }
    return "unknown";
}

FilteredNodes filter_node_list(const std::vector<ClusterNode> &nodes, const NodeListPolicy &p) {
    const size_t n = nodes.size();
    std::vector<std::optional<std::pair<NodeRefusal, std::string>>> verdict(n);
    std::vector<bool> self(n, false);

    std::map<std::string, int> names;
    for (const auto &node : nodes) names[node.name]++;
    for (size_t i = 0; i < n; i++) {
        const ClusterNode &node = nodes[i];
        if (names[node.name] > 1) {
            verdict[i] = std::pair{NodeRefusal::NameTwice, "name '" + node.name + "' is listed twice"};
        } else if (is_self(node, p)) {
            // This node's own entry gets no route; it must agree with what
            // this node is, or the list is not about this cluster.
            if ((p.self_cidr && !(node.pod_cidr == *p.self_cidr)) || !(node.node_ip == p.self_ip))
                verdict[i] = std::pair{
                    NodeRefusal::SelfMismatch,
                    "this node's name with pod CIDR " + node.pod_cidr.str() + " and IP " + node.node_ip.str() +
                        ", not " + (p.self_cidr ? p.self_cidr->str() : std::string("-")) + " and " + p.self_ip.str()};
            else
                self[i] = true;
        } else {
            verdict[i] = check_alone(node, p);
        }
    }

    // Overlaps among the remaining claims. CIDRs are nested or disjoint, so
    // after sorting by (start, length) an entry overlaps another exactly when
    // the next one starts inside it or an earlier one reaches its start.
    // O(n log n): a list of 16k nodes costs no quadratic scan.
    std::vector<size_t> order;
    for (size_t i = 0; i < n; i++)
        if (!verdict[i] && !self[i]) order.push_back(i);
    auto start = [&](size_t i) { return int64_t{nodes[i].pod_cidr.network().host()}; };
    auto end = [&](size_t i) { return int64_t{nodes[i].pod_cidr.broadcast().host()}; };
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (start(a) != start(b)) return start(a) < start(b);
        if (nodes[a].pod_cidr.length != nodes[b].pod_cidr.length)
            return nodes[a].pod_cidr.length < nodes[b].pod_cidr.length;
        return a < b;
    });
    std::vector<std::optional<size_t>> overlaps(n);
    int64_t reach = -1;
    size_t reach_holder = 0;
    for (size_t k = 0; k < order.size(); k++) {
        const size_t i = order[k];
        if (k + 1 < order.size() && start(order[k + 1]) <= end(i)) overlaps[i] = order[k + 1];
        if (reach >= start(i)) overlaps[i] = reach_holder;
        if (end(i) > reach) {
            reach = end(i);
            reach_holder = i;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (overlaps[i])
            verdict[i] =
                std::pair{NodeRefusal::PodCidrOverlap, "pod CIDR " + nodes[i].pod_cidr.str() + " overlaps node '" +
                                                           nodes[*overlaps[i]].name + "' (" +
                                                           nodes[*overlaps[i]].pod_cidr.str() + "); both are refused"};

    FilteredNodes out;
    size_t routed = 0;
    for (size_t i = 0; i < n; i++) {
        if (!verdict[i] && !self[i] && ++routed > p.max_nodes)
            verdict[i] = std::pair{NodeRefusal::TooMany,
                                   "the list holds more than " + std::to_string(p.max_nodes) + " nodes to route"};
        if (verdict[i])
            out.refused.push_back({nodes[i], verdict[i]->first, verdict[i]->second});
        else
            out.accepted.push_back(nodes[i]);
    }
    return out;
}

std::map<std::string, int> count_refusals(const std::vector<RefusedNode> &refused) {
    std::map<std::string, int> out;
    for (const auto &r : refused) out[refusal_word(r.reason)]++;
    return out;
}

}  // namespace podlane
