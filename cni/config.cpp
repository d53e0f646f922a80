#include "config.h"

#include "podlane/node_config.h"
#include "version.h"

namespace podlane::cni {
namespace {

using nlohmann::json;

CniError invalid(const std::string &key, const std::string &why) {
    return CniError{kInvalidConfig, "invalid network config: " + key + ": " + why, ""};
}

bool valid_ifname(const std::string &name) {
    return !name.empty() && name.size() <= 15 && name.find_first_of("/: \t\n") == std::string::npos && name != "." &&
           name != "..";
}

// A string value or an error naming the key; nullopt when absent.
CniResult<std::optional<std::string>> optional_string(const json &doc, const std::string &key) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return std::optional<std::string>{};
    if (!it->is_string() || it->get<std::string>().empty()) return invalid(key, "must be a non-empty string");
    return std::optional<std::string>{it->get<std::string>()};
}

CniResult<std::optional<std::vector<Attachment>>> parse_attachments(const json &doc) {
    auto it = doc.find("cni.dev/valid-attachments");
    if (it == doc.end()) return std::optional<std::vector<Attachment>>{};
    const std::string key = "cni.dev/valid-attachments";
    if (!it->is_array()) return invalid(key, "must be an array of {containerID, ifname}");
    std::vector<Attachment> out;
    for (const auto &a : *it) {
        if (!a.is_object() || !a.contains("containerID") || !a["containerID"].is_string() || !a.contains("ifname") ||
            !a["ifname"].is_string())
            return invalid(key, "every entry needs string containerID and ifname");
        out.push_back({a["containerID"].get<std::string>(), a["ifname"].get<std::string>()});
    }
    return std::optional<std::vector<Attachment>>{std::move(out)};
}

}  // namespace

std::string best_effort_version(const std::string &text) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_object() && doc.contains("cniVersion") && doc["cniVersion"].is_string()) {
        std::string v = doc["cniVersion"].get<std::string>();
        if (version_supported(v)) return v;
    }
    return kLatestVersion;
}

CniResult<PluginConfig> parse_config(const std::string &text) {
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return CniError{kDecodeFailure, "network config on stdin is not valid JSON", ""};
    if (!doc.is_object()) return CniError{kDecodeFailure, "network config on stdin must be a JSON object", ""};

    PluginConfig cfg;
    auto version = optional_string(doc, "cniVersion");
    if (!version) return version.error();
    if (!*version) return invalid("cniVersion", "missing (required)");
    cfg.cni_version = **version;
    if (!version_supported(cfg.cni_version)) {
        std::string list;
        for (const auto &v : supported_versions()) list += (list.empty() ? "" : ", ") + v;
        return CniError{kIncompatibleVersion, "cniVersion " + cfg.cni_version + " is not supported; supported: " + list,
                        ""};
    }

    auto name = optional_string(doc, "name");
    if (!name) return name.error();
    if (!*name) return invalid("name", "missing (required)");
    cfg.name = **name;
    if (cfg.name.find('/') != std::string::npos || cfg.name == "." || cfg.name == "..")
        return invalid("name", "'" + cfg.name + "' cannot be used as a folder name");

    // nodeConfig first: the explicit keys below override what it gives.
    auto node_path = optional_string(doc, "nodeConfig");
    if (!node_path) return node_path.error();
    std::optional<NodeConfig> node;
    if (*node_path) {
        auto loaded = load_node_config(**node_path);
        if (!loaded) return invalid("nodeConfig", loaded.error().message);
        node = *loaded;
        cfg.bridge = node->bridge;
        cfg.pod_cidr = node->pod_cidr;
        cfg.uplink = node->uplink;
        cfg.pin_dir = node->pin_dir();
    }

    auto bridge = optional_string(doc, "bridge");
    if (!bridge) return bridge.error();
    if (*bridge) {
        if (!valid_ifname(**bridge))
            return invalid("bridge",
                           "'" + **bridge + "' is not an interface name (1-15 characters, no '/', ':' or spaces)");
        cfg.bridge = **bridge;
    }

    auto cidr = optional_string(doc, "podCIDR");
    if (!cidr) return cidr.error();
    if (*cidr) {
        auto parsed = Cidr::parse(**cidr);
        if (!parsed) return invalid("podCIDR", parsed.error().message);
        cfg.pod_cidr = *parsed;
    } else if (!node) {
        return invalid("podCIDR", "missing: give podCIDR, or nodeConfig naming the node file of podlaned");
    }
    if (cfg.pod_cidr.length > 30 || cfg.pod_cidr.length < 8)
        return invalid("podCIDR", cfg.pod_cidr.str() + " must have a prefix length between /8 and /30");

    auto gateway = optional_string(doc, "gateway");
    if (!gateway) return gateway.error();
    cfg.gateway = cfg.pod_cidr.first_host();
    if (*gateway) {
        auto gw = Ipv4::parse(**gateway);
        if (!gw) return invalid("gateway", gw.error().message);
        if (!cfg.pod_cidr.contains(*gw) || *gw == cfg.pod_cidr.network() || *gw == cfg.pod_cidr.broadcast())
            return invalid("gateway", gw->str() + " must be a host address inside podCIDR " + cfg.pod_cidr.str());
        cfg.gateway = *gw;
    }

    if (auto it = doc.find("mtu"); it != doc.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<long long>() < 68 || it->get<long long>() > 65535)
            return invalid("mtu", "must be an integer between 68 and 65535");
        cfg.mtu = it->get<unsigned>();
    }

    auto data_dir = optional_string(doc, "dataDir");
    if (!data_dir) return data_dir.error();
    if (*data_dir) {
        if ((**data_dir)[0] != '/') return invalid("dataDir", "'" + **data_dir + "' must be an absolute path");
        cfg.data_dir = **data_dir;
    }

    auto pin_root = optional_string(doc, "pinRoot");
    if (!pin_root) return pin_root.error();
    if (*pin_root) {
        if ((**pin_root)[0] != '/') return invalid("pinRoot", "'" + **pin_root + "' must be an absolute path");
        cfg.pin_dir = **pin_root;
    }

    if (auto it = doc.find("dns"); it != doc.end() && !it->is_null()) {
        if (!it->is_object()) return invalid("dns", "must be an object {nameservers, domain, search, options}");
        cfg.dns = *it;
    }
    if (auto it = doc.find("prevResult"); it != doc.end() && !it->is_null()) {
        if (!it->is_object()) return invalid("prevResult", "must be an object");
        cfg.prev_result = *it;
    }
    auto attachments = parse_attachments(doc);
    if (!attachments) return attachments.error();
    cfg.valid_attachments = std::move(*attachments);
    return cfg;
}

}  // namespace podlane::cni
