#include "podlane/node_file_fields.h"

#include <set>

namespace podlane {

Result<ClusterNode> parse_cluster_node(const ConfigFields &entry) {
    ClusterNode node;
    auto name = entry.required_string("name");
    if (!name) return name.error();
    node.name = *name;
    auto ip = entry.required<Ipv4>("nodeIP");
    if (!ip) return ip.error();
    node.node_ip = *ip;
    auto cidr = entry.required<Cidr>("podCIDR");
    if (!cidr) return cidr.error();
    node.pod_cidr = *cidr;
    return node;
}

Result<AgentIdentity> parse_agent_identity(const ConfigFields &top) {
    AgentIdentity id;
    auto name = top.required_folder_name("nodeName");
    if (!name) return name.error();
    id.node_name = *name;
    auto ip = top.required<Ipv4>("nodeIP");
    if (!ip) return ip.error();
    id.node_ip = *ip;
    auto pin_root = top.string_or("pinRoot", kDefaultPinRoot);
    if (!pin_root) return pin_root.error();
    id.pin_root = *pin_root;
    auto cluster = top.value_or<Cidr>("clusterCIDR", *Cidr::parse(kDefaultClusterCidr));
    if (!cluster) return cluster.error();
    id.cluster_cidr = *cluster;
    return id;
}

Result<std::optional<std::vector<ClusterNode>>> parse_cluster_nodes(const ConfigFields &top, const Cidr &cluster_cidr) {
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
        if (!cluster_cidr.contains(node->pod_cidr))
            return entry.error("podCIDR", node->pod_cidr.str() + " is outside clusterCIDR " + cluster_cidr.str());
        if (!names.insert(node->name).second) return entry.error("name", "'" + node->name + "' appears twice");
        for (const auto &other : nodes)
            if (other.pod_cidr.overlaps(node->pod_cidr))
                return entry.error("podCIDR", node->pod_cidr.str() + " overlaps node '" + other.name + "' (" +
                                                  other.pod_cidr.str() + ")");
        nodes.push_back(*node);
    }
    return std::optional<std::vector<ClusterNode>>{std::move(nodes)};
}

}  // namespace podlane
