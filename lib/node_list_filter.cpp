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

// The IPv6 counterpart: no unspecified, loopback, IPv4-mapped, link-local
// (fe80::/10) or multicast (ff00::/8) address.
bool unicast_node_ip6(const Ipv6 &ip) {
    static const Cidr6 never[] = {*Cidr6::parse("::/127"), *Cidr6::parse("::ffff:0:0/96"), *Cidr6::parse("fe80::/10"),
                                  *Cidr6::parse("ff00::/8")};
    return std::none_of(std::begin(never), std::end(never), [&](const Cidr6 &c) { return c.contains(ip); });
}

using Refusal = std::optional<std::pair<NodeRefusal, std::string>>;

// A node's IPv6 claim, when it makes one, under the same rules as IPv4. An
// IPv4-only agent routes no IPv6 and ignores the claim: a dual-stack peer
// keeps its IPv4 route.
Refusal check_alone6(const ClusterNode &n, const NodeListPolicy &p) {
    if (!n.pod_cidr6 || !n.node_ip6 || !p.cluster_cidr6) return std::nullopt;
    const std::string cidr = n.pod_cidr6->str(), ip = n.node_ip6->str();
    if (!p.cluster_cidr6->contains(*n.pod_cidr6))
        return std::pair{NodeRefusal::PodCidrOutsideCluster,
                         "IPv6 pod CIDR " + cidr + " is outside clusterCIDRv6 " + p.cluster_cidr6->str()};
    if (n.pod_cidr6->length < p.cluster_cidr6->length || n.pod_cidr6->length > kMaxPodCidr6Length)
        return std::pair{NodeRefusal::PodCidrLength, "IPv6 pod CIDR " + cidr + " is not between /" +
                                                         std::to_string(p.cluster_cidr6->length) + " and /" +
                                                         std::to_string(kMaxPodCidr6Length)};
    if (!unicast_node_ip6(*n.node_ip6))
        return std::pair{NodeRefusal::NodeIpNotUnicast,
                         "node IPv6 " + ip + " is no unicast address (::, ::1, ::ffff:0:0/96, fe80::/10, ff00::/8)"};
    if (p.cluster_cidr6->contains(*n.node_ip6))
        return std::pair{NodeRefusal::NodeIpInCluster, "node IPv6 " + ip + " is inside clusterCIDRv6 " +
                                                           p.cluster_cidr6->str() + " (a pod's address)"};
    if (p.self_ip6 && *n.node_ip6 == *p.self_ip6)
        return std::pair{NodeRefusal::NodeIpIsSelf, "node IPv6 " + ip + " is this agent's own"};
    if (p.self_cidr6 && n.pod_cidr6->overlaps(*p.self_cidr6))
        return std::pair{NodeRefusal::PodCidrOverlapsSelf,
                         "IPv6 pod CIDR " + cidr + " overlaps this node's " + p.self_cidr6->str()};
    return std::nullopt;
}

// Marks in `overlaps` every entry whose claim overlaps another's. CIDRs are
// nested or disjoint, so after sorting by (start, length) an entry overlaps
// another exactly when the next one starts inside it or an earlier one
// reaches its start. O(n log n): a list of 16k nodes costs no quadratic
// scan. start/end give a claim's first and last address, comparable.
template <typename Start, typename End, typename Length>
void mark_overlaps(std::vector<size_t> order, Start start, End end, Length length,
                   std::vector<std::optional<size_t>> &overlaps) {
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (start(a) != start(b)) return start(a) < start(b);
        if (length(a) != length(b)) return length(a) < length(b);
        return a < b;
    });
    std::optional<decltype(end(0))> reach;
    size_t reach_holder = 0;
    for (size_t k = 0; k < order.size(); k++) {
        const size_t i = order[k];
        if (k + 1 < order.size() && start(order[k + 1]) <= end(i)) overlaps[i] = order[k + 1];
        if (reach && *reach >= start(i)) overlaps[i] = reach_holder;
        if (!reach || end(i) > *reach) {
            reach = end(i);
            reach_holder = i;
        }
    }
}

// The last address of an IPv6 CIDR (all host bits set).
Ipv6 last_address(const Cidr6 &c) {
    Ipv6 out = c.network();
    for (unsigned i = 0; i < 16; i++) {
        unsigned bits = c.length > i * 8 ? std::min(8u, c.length - i * 8u) : 0;
        out.bytes[i] |= static_cast<uint8_t>(0xFF >> bits);
    }
    return out;
}

// The agent routes IPv4 pods (it is no IPv6-only node) and the entry claims
// some.
bool routes_ipv4(const ClusterNode &n, const NodeListPolicy &p) {
    return p.self_ip.be != 0 && n.has_ipv4();
}

// The reason an entry is refused on its own (nullopt: none), with the words.
std::optional<std::pair<NodeRefusal, std::string>> check_alone(const ClusterNode &n, const NodeListPolicy &p) {
    // An entry this agent could route in no family (an IPv6-only one seen by
    // an IPv4-only agent or the router, or one of no family at all).
    const bool routed6 = n.pod_cidr6 && n.node_ip6 && p.cluster_cidr6;
    if (!routes_ipv4(n, p) && !routed6)
        return std::pair{NodeRefusal::PodCidrOutsideCluster, "claims no pod CIDR of a family this node routes"};
    if (!routes_ipv4(n, p)) return check_alone6(n, p);
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
    return check_alone6(n, p);
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
            if ((p.self_cidr && !(node.pod_cidr == *p.self_cidr)) || !(node.node_ip == p.self_ip) ||
                (p.self_cidr6 && node.pod_cidr6 && !(*node.pod_cidr6 == *p.self_cidr6)))
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

    // Overlaps among the remaining claims, per family.
    std::vector<size_t> order, order6;
    for (size_t i = 0; i < n; i++)
        if (!verdict[i] && !self[i]) {
            if (routes_ipv4(nodes[i], p)) order.push_back(i);
            if (nodes[i].pod_cidr6 && p.cluster_cidr6) order6.push_back(i);
        }
    std::vector<std::optional<size_t>> overlaps(n), overlaps6(n);
    mark_overlaps(
        order, [&](size_t i) { return int64_t{nodes[i].pod_cidr.network().host()}; },
        [&](size_t i) { return int64_t{nodes[i].pod_cidr.broadcast().host()}; },
        [&](size_t i) { return nodes[i].pod_cidr.length; }, overlaps);
    mark_overlaps(
        order6, [&](size_t i) { return nodes[i].pod_cidr6->network().bytes; },
        [&](size_t i) { return last_address(*nodes[i].pod_cidr6).bytes; },
        [&](size_t i) { return nodes[i].pod_cidr6->length; }, overlaps6);
    for (size_t i = 0; i < n; i++)
        if (overlaps6[i] && !overlaps[i])
            verdict[i] = std::pair{NodeRefusal::PodCidrOverlap, "IPv6 pod CIDR " + nodes[i].pod_cidr6->str() +
                                                                    " overlaps node '" + nodes[*overlaps6[i]].name +
                                                                    "' (" + nodes[*overlaps6[i]].pod_cidr6->str() +
                                                                    "); both are refused"};
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
