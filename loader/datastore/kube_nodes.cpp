#include "datastore/kube_nodes.h"

namespace podlane::datastore {

using nlohmann::json;

std::string resource_version_of(const json &object) {
    if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return {};
    auto it = object["metadata"].find("resourceVersion");
    return it != object["metadata"].end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string name_of(const json &object) {
    if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return {};
    auto it = object["metadata"].find("name");
    return it != object["metadata"].end() && it->is_string() ? it->get<std::string>() : std::string{};
}

namespace {
Result<ClusterNode> parse_node(const json &node);
}

Result<ClusterNode> cluster_node_from_object(const json &node) {
    try {
        return parse_node(node);
    } catch (const json::exception &e) {
        return Error{"Node: unexpected field type: " + std::string(e.what())};
    }
}

namespace {

Result<ClusterNode> parse_node(const json &node) {
    if (!node.is_object()) return Error{"Node: not an object"};
    ClusterNode out;
    if (node.contains("metadata") && node["metadata"].is_object())
        out.name = node["metadata"].value("name", std::string{});
    if (out.name.empty()) return Error{"Node: metadata.name missing"};
    auto fail = [&](const std::string &msg) { return Error{"Node " + out.name + ": " + msg}; };

    const json spec = node.value("spec", json::object());
    std::vector<std::string> cidrs;
    if (spec.contains("podCIDRs") && spec["podCIDRs"].is_array())
        for (const auto &c : spec["podCIDRs"])
            if (c.is_string()) cidrs.push_back(c.get<std::string>());
    if (cidrs.empty() && spec.contains("podCIDR") && spec["podCIDR"].is_string())
        cidrs.push_back(spec["podCIDR"].get<std::string>());
    // At most one CIDR per family, in either order (dual-stack).
    bool found_cidr = false;
    for (const auto &c : cidrs) {
        if (c.find(':') == std::string::npos || out.pod_cidr6) continue;
        auto cidr6 = Cidr6::parse(c);
        if (!cidr6) return fail("spec.podCIDRs: " + cidr6.error().message);
        out.pod_cidr6 = *cidr6;
    }
    for (const auto &c : cidrs) {
        if (c.find(':') != std::string::npos) continue;
        auto cidr = Cidr::parse(c);
        if (!cidr) return fail("spec.podCIDRs: " + cidr.error().message);
        out.pod_cidr = *cidr;
        found_cidr = true;
        break;
    }
    if (!found_cidr) return fail("no IPv4 pod CIDR in spec.podCIDRs (not allocated yet?)");

    const json status = node.value("status", json::object());
    bool found_ip = false;
    if (status.contains("addresses") && status["addresses"].is_array())
        for (const auto &a : status["addresses"]) {
            if (!a.is_object() || a.value("type", std::string{}) != "InternalIP") continue;
            const std::string text = a.value("address", std::string{});
            if (auto ip6 = Ipv6::parse(text); ip6 && !out.node_ip6) out.node_ip6 = *ip6;
            auto ip = Ipv4::parse(text);
            if (!ip || found_ip) continue;
            out.node_ip = *ip;
            found_ip = true;
        }
    if (!found_ip) return fail("no IPv4 InternalIP in status.addresses");
    // Routed over IPv6 only with both halves: a node with an IPv6 pod CIDR
    // but no IPv6 InternalIP has no next hop to reach them by.
    if (!out.node_ip6 || !out.pod_cidr6) out.node_ip6.reset(), out.pod_cidr6.reset();
    return out;
}

}  // namespace

}  // namespace podlane::datastore
