#include "router/router_config.h"

#include <set>

#include "podlane/ifname.h"
#include "podlane/node_file_fields.h"

namespace podlane {
namespace {

// "interfaces": ["eth0", ...], or a node file's "uplink": "eth0".
Result<std::vector<std::string>> interfaces_field(const ConfigFields &top) {
    auto list = top.optional_array("interfaces", "of interface names, e.g. [\"eth0\"]");
    if (!list) return list.error();
    if (!*list) {
        if (!top.has("uplink"))
            return top.error("interfaces", "missing (required): the router's interface names, e.g. [\"eth0\"]");
        auto uplink = top.required_ifname("uplink");
        if (!uplink) return uplink.error();
        return std::vector<std::string>{*uplink};
    }
    if ((*list)->empty()) return top.error("interfaces", "must be a non-empty array of interface names");
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (size_t i = 0; i < (*list)->size(); i++) {
        const std::string key = "interfaces[" + std::to_string(i) + "]";
        const nlohmann::json &value = (**list)[i];
        if (!value.is_string()) return top.error(key, "must be a string");
        const std::string name = value.get<std::string>();
        if (auto st = check_ifname(name); !st) return top.error(key, st.error().message);
        if (!seen.insert(name).second) return top.error(key, "'" + name + "' appears twice");
        out.push_back(name);
    }
    return out;
}

}  // namespace

Result<RouterConfig> parse_router_config(const std::string &json_text, RouterConfigRules rules) {
    auto doc = parse_json_object(json_text);
    if (!doc) return doc.error();
    const ConfigFields top(*doc);

    RouterConfig cfg;
    auto id = parse_agent_identity(top);
    if (!id) return id.error();
    static_cast<AgentIdentity &>(cfg) = *id;
    if (!cfg.has_ipv4()) return top.error("nodeIP", "missing (required: the router role forwards IPv4 only)");
    auto ifaces = interfaces_field(top);
    if (!ifaces) return ifaces.error();
    cfg.interfaces = *ifaces;

    auto nodes = parse_cluster_nodes(top, cfg.cluster_cidr);
    if (!nodes) return nodes.error();
    if (*nodes)
        for (size_t i = 0; i < (*nodes)->size(); i++)
            if (!(**nodes)[i].has_ipv4())
                return top.error("nodes[" + std::to_string(i) + "].nodeIP",
                                 "missing (required: the router role forwards IPv4 only)");
    if (!*nodes) {
        if (rules.nodes_required)
            return top.error(
                "nodes", "missing (required without --datastore): the nodes whose pod CIDRs the router forwards to");
        return cfg;
    }
    cfg.nodes = std::move(**nodes);
    for (size_t i = 0; i < cfg.nodes.size(); i++)
        if (cfg.nodes[i].node_ip == cfg.node_ip)
            return Error{"nodes[" + std::to_string(i) + "].nodeIP: " + cfg.node_ip.str() +
                         " is the router's own nodeIP"};
    return cfg;
}

Result<RouterConfig> load_router_config(const std::string &path, RouterConfigRules rules) {
    auto text = read_file(path);
    if (!text) return text.error();
    auto cfg = parse_router_config(*text, rules);
    if (!cfg) return cfg.error().wrap("router config " + path);
    return cfg;
}

}  // namespace podlane
