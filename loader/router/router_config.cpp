#include "router/router_config.h"

#include <nlohmann/json.hpp>
#include <set>

namespace podlane {
namespace {

using nlohmann::json;

bool valid_ifname(const std::string &name) {
    return !name.empty() && name.size() < 16 && name.find('/') == std::string::npos;
}

Result<std::string> string_field(const json &obj, const std::string &where, const std::string &key, bool required,
                                 const std::string &fallback = "") {
    auto it = obj.find(key);
    if (it == obj.end()) {
        if (required) return Error{where + key + ": missing (required)"};
        return fallback;
    }
    if (!it->is_string() || it->get<std::string>().empty()) return Error{where + key + ": must be a non-empty string"};
    return it->get<std::string>();
}

template <typename T, typename Parse>
Result<T> parsed_field(const json &obj, const std::string &where, const std::string &key, Parse parse) {
    auto text = string_field(obj, where, key, true);
    if (!text) return text.error();
    auto value = parse(*text);
    if (!value) return value.error().wrap(where + key);
    return *value;
}

Result<std::vector<std::string>> interfaces_field(const json &doc) {
    std::vector<std::string> out;
    auto it = doc.find("interfaces");
    if (it == doc.end()) {
        if (!doc.contains("uplink"))
            return Error{"interfaces: missing (required): the router's interface names, e.g. [\"eth0\"]"};
        auto uplink = string_field(doc, "", "uplink", true);
        if (!uplink) return uplink.error();
        out.push_back(*uplink);
    } else {
        if (!it->is_array() || it->empty()) return Error{"interfaces: must be a non-empty array of interface names"};
        for (size_t i = 0; i < it->size(); i++) {
            const json &v = (*it)[i];
            if (!v.is_string()) return Error{"interfaces[" + std::to_string(i) + "]: must be a string"};
            out.push_back(v.get<std::string>());
        }
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < out.size(); i++) {
        if (!valid_ifname(out[i]))
            return Error{"interfaces[" + std::to_string(i) + "]: '" + out[i] +
                         "' is not an interface name (1-15 characters, no '/')"};
        if (!seen.insert(out[i]).second)
            return Error{"interfaces[" + std::to_string(i) + "]: '" + out[i] + "' appears twice"};
    }
    return out;
}

}  // namespace

Result<RouterConfig> parse_router_config(const std::string &json_text, RouterConfigRules rules) {
    json doc = json::parse(json_text, nullptr, false);
    if (doc.is_discarded()) return Error{"not valid JSON"};
    if (!doc.is_object()) return Error{"top level must be a JSON object"};

    RouterConfig cfg;
    auto name = string_field(doc, "", "nodeName", true);
    if (!name) return name.error();
    cfg.node_name = *name;
    if (cfg.node_name.find('/') != std::string::npos || cfg.node_name == "." || cfg.node_name == "..")
        return Error{"nodeName: '" + cfg.node_name + "' cannot be used as a folder name"};
    auto ip = parsed_field<Ipv4>(doc, "", "nodeIP", Ipv4::parse);
    if (!ip) return ip.error();
    cfg.node_ip = *ip;
    auto ifaces = interfaces_field(doc);
    if (!ifaces) return ifaces.error();
    cfg.interfaces = *ifaces;
    auto pin_root = string_field(doc, "", "pinRoot", false, cfg.pin_root);
    if (!pin_root) return pin_root.error();
    cfg.pin_root = *pin_root;
    auto cluster = doc.contains("clusterCIDR") ? parsed_field<Cidr>(doc, "", "clusterCIDR", Cidr::parse)
                                               : Cidr::parse("10.244.0.0/16");
    if (!cluster) return cluster.error();
    cfg.cluster_cidr = *cluster;

    auto nodes = doc.find("nodes");
    if (nodes == doc.end()) {
        if (rules.nodes_required)
            return Error{
                "nodes: missing (required without --datastore): the nodes whose pod CIDRs the router forwards to"};
        return cfg;
    }
    if (!nodes->is_array()) return Error{"nodes: must be an array of {name, nodeIP, podCIDR}"};
    std::set<std::string> names;
    for (size_t i = 0; i < nodes->size(); i++) {
        const json &n = (*nodes)[i];
        std::string where = "nodes[" + std::to_string(i) + "].";
        if (!n.is_object()) return Error{"nodes[" + std::to_string(i) + "]: must be an object"};
        ClusterNode node;
        auto nname = string_field(n, where, "name", true);
        if (!nname) return nname.error();
        node.name = *nname;
        auto nip = parsed_field<Ipv4>(n, where, "nodeIP", Ipv4::parse);
        if (!nip) return nip.error();
        node.node_ip = *nip;
        auto ncidr = parsed_field<Cidr>(n, where, "podCIDR", Cidr::parse);
        if (!ncidr) return ncidr.error();
        node.pod_cidr = *ncidr;
        if (!cfg.cluster_cidr.contains(node.pod_cidr))
            return Error{where + "podCIDR: " + node.pod_cidr.str() + " is outside clusterCIDR " +
                         cfg.cluster_cidr.str()};
        if (node.node_ip == cfg.node_ip)
            return Error{where + "nodeIP: " + node.node_ip.str() + " is the router's own nodeIP"};
        if (!names.insert(node.name).second) return Error{where + "name: '" + node.name + "' appears twice"};
        for (const auto &other : cfg.nodes)
            if (other.pod_cidr.overlaps(node.pod_cidr))
                return Error{where + "podCIDR: " + node.pod_cidr.str() + " overlaps node '" + other.name + "' (" +
                             other.pod_cidr.str() + ")"};
        cfg.nodes.push_back(node);
    }
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
