#include "podlane/node_file_fields.h"

#include <set>

namespace podlane {

Result<ClusterNode> parse_cluster_node(const ConfigFields &entry) {
    ClusterNode node;
    auto name = entry.required_string("name");
    if (!name) return name.error();
    node.name = *name;
    auto ip = entry.optional<Ipv4>("nodeIP");
    if (!ip) return ip.error();
    auto cidr = entry.optional<Cidr>("podCIDR");
    if (!cidr) return cidr.error();
    auto ip6 = entry.optional<Ipv6>("nodeIPv6");
    if (!ip6) return ip6.error();
    auto cidr6 = entry.optional<Cidr6>("podCIDRv6");
    if (!cidr6) return cidr6.error();
    // Each family's pair is whole or absent, and a node has at least one.
    if (!*ip && !*cidr && !*ip6) return entry.error("nodeIP", "missing (required, or nodeIPv6 for an IPv6-only node)");
    if (ip->has_value() != cidr->has_value())
        return entry.error(*ip ? "podCIDR" : "nodeIP", "missing: a node's IPv4 side has nodeIP and podCIDR");
    if (ip6->has_value() != cidr6->has_value())
        return entry.error(*ip6 ? "podCIDRv6" : "nodeIPv6", "missing: a dual-stack node has nodeIPv6 and podCIDRv6");
    if (*ip && (*ip)->be == 0) return entry.error("nodeIP", "0.0.0.0 is no node address");
    if (*ip) {
        node.node_ip = **ip;
        node.pod_cidr = **cidr;
    }
    node.node_ip6 = *ip6;
    node.pod_cidr6 = *cidr6;
    return node;
}

Result<AgentIdentity> parse_agent_identity(const ConfigFields &top) {
    AgentIdentity id;
    auto name = top.required_folder_name("nodeName");
    if (!name) return name.error();
    id.node_name = *name;
    auto ip = top.optional<Ipv4>("nodeIP");
    if (!ip) return ip.error();
    auto pin_root = top.string_or("pinRoot", kDefaultPinRoot);
    if (!pin_root) return pin_root.error();
    id.pin_root = *pin_root;
    auto cluster = top.value_or<Cidr>("clusterCIDR", *Cidr::parse(kDefaultClusterCidr));
    if (!cluster) return cluster.error();
    id.cluster_cidr = *cluster;
    auto ip6 = top.optional<Ipv6>("nodeIPv6");
    if (!ip6) return ip6.error();
    auto cluster6 = top.optional<Cidr6>("clusterCIDRv6");
    if (!cluster6) return cluster6.error();
    if (ip6->has_value() != cluster6->has_value())
        return top.error(*ip6 ? "clusterCIDRv6" : "nodeIPv6",
                         "missing: dual-stack needs both nodeIPv6 and clusterCIDRv6 (e.g. fd00:10:244::/56)");
    id.node_ip6 = *ip6;
    id.cluster_cidr6 = *cluster6;
    // An IPv6-only node leaves nodeIP out.
    if (!*ip && !*ip6)
        return top.error("nodeIP", "missing (required, or nodeIPv6 and clusterCIDRv6 for an IPv6-only node)");
    if (*ip && (*ip)->be == 0) return top.error("nodeIP", "0.0.0.0 is no node address");
    if (*ip) id.node_ip = **ip;
    return id;
}

Result<std::optional<std::vector<ClusterNode>>> parse_cluster_nodes(const ConfigFields &top, const Cidr &cluster_cidr,
                                                                    const std::optional<Cidr6> &cluster_cidr6) {
    auto list = top.optional_array("nodes", "of {name, nodeIP, podCIDR}");
    if (!list) return list.error();
    if (!*list) return std::optional<std::vector<ClusterNode>>{};
    std::vector<ClusterNode> nodes;
    std::set<std::string> names;
    for (size_t i = 0; i < (*list)->size(); i++) {
        const std::string entry_name = top.where() + "nodes[" + std::to_string(i) + "]";
        const nlohmann::json &value = (**list)[i];
        if (!value.is_object()) return Error{entry_name + ": must be an object"};
        const ConfigFields entry(value, entry_name + ".");
        auto node = parse_cluster_node(entry);
        if (!node) return node.error();
        if (node->has_ipv4() && !cluster_cidr.contains(node->pod_cidr))
            return entry.error("podCIDR", node->pod_cidr.str() + " is outside clusterCIDR " + cluster_cidr.str());
        if (node->pod_cidr6 && !(cluster_cidr6 && cluster_cidr6->contains(*node->pod_cidr6)))
            return entry.error("podCIDRv6", node->pod_cidr6->str() + " is outside clusterCIDRv6 " +
                                                (cluster_cidr6 ? cluster_cidr6->str() : std::string("(not set)")));
        if (!names.insert(node->name).second) return entry.error("name", "'" + node->name + "' appears twice");
        for (const auto &other : nodes) {
            if (other.has_ipv4() && node->has_ipv4() && other.pod_cidr.overlaps(node->pod_cidr))
                return entry.error("podCIDR", node->pod_cidr.str() + " overlaps node '" + other.name + "' (" +
                                                  other.pod_cidr.str() + ")");
            if (other.pod_cidr6 && node->pod_cidr6 && other.pod_cidr6->overlaps(*node->pod_cidr6))
                return entry.error("podCIDRv6", node->pod_cidr6->str() + " overlaps node '" + other.name + "' (" +
                                                    other.pod_cidr6->str() + ")");
        }
        nodes.push_back(*node);
    }
    return std::optional<std::vector<ClusterNode>>{std::move(nodes)};
}

}  // namespace podlane
