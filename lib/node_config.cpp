#include "podlane/node_config.h"

#include "podlane/node_file_fields.h"

namespace podlane {
namespace {

// The IPv6 pod CIDR, when there is one, against the node's IPv6 identity and
// the cluster's other IPv6 claims.
Status check_pod_cidr6(const ConfigFields &top, const NodeConfig &cfg) {
    if (!cfg.pod_cidr6) return {};
    const Cidr6 &mine = *cfg.pod_cidr6;
    if (!cfg.cluster_cidr6)
        return top.error("podCIDRv6", mine.str() + " needs nodeIPv6 and clusterCIDRv6 beside it (dual-stack)");
    if (mine.length > kMaxPodCidr6Length || mine.length < cfg.cluster_cidr6->length)
        return top.error("podCIDRv6", mine.str() + " is not between /" + std::to_string(cfg.cluster_cidr6->length) +
                                          " and /" + std::to_string(kMaxPodCidr6Length));
    if (!cfg.cluster_cidr6->contains(mine))
        return top.error("podCIDRv6", mine.str() + " is outside clusterCIDRv6 " + cfg.cluster_cidr6->str());
    for (const auto &n : cfg.nodes) {
        if (!n.pod_cidr6) continue;
        if (n.name == cfg.node_name && !(*n.pod_cidr6 == mine))
            return top.error("podCIDRv6",
                             mine.str() + " disagrees with this node's entry in nodes (" + n.pod_cidr6->str() + ")");
        if (n.name != cfg.node_name && n.pod_cidr6->overlaps(mine))
            return top.error("podCIDRv6", mine.str() + " overlaps node '" + n.name + "' (" + n.pod_cidr6->str() + ")");
    }
    return {};
}

}  // namespace

Result<NodeConfig> parse_node_config(const std::string &json_text, NodeConfigRules rules) {
    auto doc = parse_json_object(json_text);
    if (!doc) return doc.error();
    const ConfigFields top(*doc);

    NodeConfig cfg;
    auto id = parse_agent_identity(top);
    if (!id) return id.error();
    static_cast<AgentIdentity &>(cfg) = *id;

    auto uplink = top.required_ifname("uplink");
    if (!uplink) return uplink.error();
    cfg.uplink = *uplink;
    auto bridge = top.ifname_or("bridge", cfg.bridge);
    if (!bridge) return bridge.error();
    cfg.bridge = *bridge;

    auto router = top.optional<Ipv4>("routerIP");
    if (!router) return router.error();
    cfg.router_ip = *router;

    auto nodes = parse_cluster_nodes(top, cfg.cluster_cidr, cfg.cluster_cidr6);
    if (!nodes) return nodes.error();
    if (*nodes) cfg.nodes = std::move(**nodes);

    // This node's pod CIDR: given, or taken from its own entry in `nodes`.
    auto own = top.optional<Cidr>("podCIDR");
    if (!own) return own.error();
    auto own6 = top.optional<Cidr6>("podCIDRv6");
    if (!own6) return own6.error();
    cfg.pod_cidr6 = *own6;
    for (const auto &n : cfg.nodes)
        if (n.name == cfg.node_name && !cfg.pod_cidr6) cfg.pod_cidr6 = n.pod_cidr6;
    if (auto st = check_pod_cidr6(top, cfg); !st) return st.error();
    if (!cfg.has_ipv4()) {
        // IPv6-only: podCIDRv6 is this node's pod CIDR, as podCIDR otherwise.
        if (*own) return top.error("podCIDR", (*own)->str() + " given, but nodeIP is not (an IPv6-only node)");
        if (!cfg.pod_cidr6 && rules.pod_cidr_required)
            return top.error("podCIDRv6", "missing, and nodes has no entry named '" + cfg.node_name +
                                              "' to take it from (an IPv6-only node)");
        return cfg;
    }
    if (*own) {
        cfg.pod_cidr = **own;
    } else {
        bool found = false;
        for (const auto &n : cfg.nodes)
            if (n.name == cfg.node_name && n.has_ipv4()) {
                cfg.pod_cidr = n.pod_cidr;
                found = true;
            }
        if (!found && !rules.pod_cidr_required) return cfg;
        if (!found)
            return top.error("podCIDR",
                             "missing, and nodes has no entry named '" + cfg.node_name + "' to take it from");
    }
    if (cfg.pod_cidr.length > 30)
        return top.error("podCIDR", cfg.pod_cidr.str() + " is too small for a gateway and pods (at most /30)");
    if (!cfg.cluster_cidr.contains(cfg.pod_cidr))
        return top.error("podCIDR", cfg.pod_cidr.str() + " is outside clusterCIDR " + cfg.cluster_cidr.str());
    for (const auto &n : cfg.nodes) {
        if (!n.has_ipv4()) continue;
        if (n.name == cfg.node_name && !(n.pod_cidr == cfg.pod_cidr))
            return top.error("podCIDR", cfg.pod_cidr.str() + " disagrees with this node's entry in nodes (" +
                                            n.pod_cidr.str() + ")");
        if (n.name != cfg.node_name && n.pod_cidr.overlaps(cfg.pod_cidr))
            return top.error("podCIDR",
                             cfg.pod_cidr.str() + " overlaps node '" + n.name + "' (" + n.pod_cidr.str() + ")");
    }
    return cfg;
}

namespace {
std::string both(const std::string &v4, const std::string &v6) {
    if (v4.empty() || v6.empty()) return v4 + v6;
    return v4 + " and " + v6;
}
}  // namespace

std::string pod_cidrs_text(const ClusterNode &node) {
    return both(node.has_ipv4() ? node.pod_cidr.str() : "", node.pod_cidr6 ? node.pod_cidr6->str() : "");
}

std::string node_ips_text(const ClusterNode &node) {
    return both(node.has_ipv4() ? node.node_ip.str() : "", node.node_ip6 ? node.node_ip6->str() : "");
}

bool has_pod_cidr(const NodeConfig &cfg) {
    return cfg.pod_cidr.length != 0 || cfg.pod_cidr.prefix.be != 0;
}

Result<NodeConfig> load_node_config(const std::string &path, NodeConfigRules rules) {
    auto text = read_file(path);
    if (!text) return text.error();
    auto cfg = parse_node_config(*text, rules);
    if (!cfg) return cfg.error().wrap("config " + path);
    return cfg;
}

}  // namespace podlane
