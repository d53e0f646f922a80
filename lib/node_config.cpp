#include "podlane/node_config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace podlane {
namespace {

using nlohmann::json;

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

bool valid_ifname(const std::string &name) {
    return !name.empty() && name.size() < 16 && name.find('/') == std::string::npos;
}

}  // namespace

Result<NodeConfig> parse_node_config(const std::string &json_text, NodeConfigRules rules) {
    json doc = json::parse(json_text, nullptr, false);
    if (doc.is_discarded()) return Error{"not valid JSON"};
    if (!doc.is_object()) return Error{"top level must be a JSON object"};

    NodeConfig cfg;
    auto name = string_field(doc, "", "nodeName", true);
    if (!name) return name.error();
    cfg.node_name = *name;
    if (cfg.node_name.find('/') != std::string::npos || cfg.node_name == "." || cfg.node_name == "..")
        return Error{"nodeName: '" + cfg.node_name + "' cannot be used as a folder name"};

    auto ip = parsed_field<Ipv4>(doc, "", "nodeIP", Ipv4::parse);
    if (!ip) return ip.error();
    cfg.node_ip = *ip;

    auto uplink = string_field(doc, "", "uplink", true);
    if (!uplink) return uplink.error();
    auto bridge = string_field(doc, "", "bridge", false, cfg.bridge);
    if (!bridge) return bridge.error();
    for (auto [key, value] : {std::pair{"uplink", *uplink}, std::pair{"bridge", *bridge}})
        if (!valid_ifname(value))
            return Error{std::string(key) + ": '" + value + "' is not an interface name (1-15 characters, no '/')"};
    cfg.uplink = *uplink;
    cfg.bridge = *bridge;

    auto pin_root = string_field(doc, "", "pinRoot", false, cfg.pin_root);
    if (!pin_root) return pin_root.error();
    cfg.pin_root = *pin_root;

    auto cluster = doc.contains("clusterCIDR") ? parsed_field<Cidr>(doc, "", "clusterCIDR", Cidr::parse)
                                               : Cidr::parse("10.244.0.0/16");
    if (!cluster) return cluster.error();
    cfg.cluster_cidr = *cluster;

    if (doc.contains("routerIP")) {
        auto router = parsed_field<Ipv4>(doc, "", "routerIP", Ipv4::parse);
        if (!router) return router.error();
        cfg.router_ip = *router;
    }

    auto nodes = doc.find("nodes");
    if (nodes != doc.end()) {
        if (!nodes->is_array()) return Error{"nodes: must be an array of {name, nodeIP, podCIDR}"};
        std::set<std::string> names;
        for (size_t i = 0; i < nodes->size(); i++) {
            const json &n = (*nodes)[i];
            std::string where = "nodes[" + std::to_string(i) + "].";
            if (!n.is_object()) return Error{where.substr(0, where.size() - 1) + ": must be an object"};
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
            if (!names.insert(node.name).second) return Error{where + "name: '" + node.name + "' appears twice"};
            for (const auto &other : cfg.nodes)
                if (other.pod_cidr.overlaps(node.pod_cidr))
                    return Error{where + "podCIDR: " + node.pod_cidr.str() + " overlaps node '" + other.name + "' (" +
                                 other.pod_cidr.str() + ")"};
            cfg.nodes.push_back(node);
        }
    }

    // This node's pod CIDR: given, or taken from its own entry in `nodes`.
    if (doc.contains("podCIDR")) {
        auto own = parsed_field<Cidr>(doc, "", "podCIDR", Cidr::parse);
        if (!own) return own.error();
        cfg.pod_cidr = *own;
    } else {
        bool found = false;
        for (const auto &n : cfg.nodes)
            if (n.name == cfg.node_name) {
                cfg.pod_cidr = n.pod_cidr;
                found = true;
            }
        if (!found && !rules.pod_cidr_required) return cfg;
        if (!found)
            return Error{"podCIDR: missing, and nodes has no entry named '" + cfg.node_name + "' to take it from"};
    }
    if (cfg.pod_cidr.length > 30)
        return Error{"podCIDR: " + cfg.pod_cidr.str() + " is too small for a gateway and pods (at most /30)"};
    if (!cfg.cluster_cidr.contains(cfg.pod_cidr))
        return Error{"podCIDR: " + cfg.pod_cidr.str() + " is outside clusterCIDR " + cfg.cluster_cidr.str()};
    for (const auto &n : cfg.nodes) {
        if (n.name == cfg.node_name && !(n.pod_cidr == cfg.pod_cidr))
            return Error{"podCIDR: " + cfg.pod_cidr.str() + " disagrees with this node's entry in nodes (" +
                         n.pod_cidr.str() + ")"};
        if (n.name != cfg.node_name && n.pod_cidr.overlaps(cfg.pod_cidr))
            return Error{"podCIDR: " + cfg.pod_cidr.str() + " overlaps node '" + n.name + "' (" + n.pod_cidr.str() +
                         ")"};
    }
    return cfg;
}

Result<std::string> read_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) return errno_error("cannot read " + path, errno ? errno : ENOENT);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
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
