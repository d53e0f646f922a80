#include "config.h"

#include "env.h"
#include "podlane/config_fields.h"
#include "podlane/node_config.h"
#include "version.h"

namespace podlane::cni {
namespace {

using nlohmann::json;

// A file name's limit (NAME_MAX).
constexpr std::size_t kMaxNetworkNameLength = 255;

CniError invalid(const Error &err) {
    return CniError{kInvalidConfig, "invalid network config: " + err.message, ""};
}

CniResult<std::optional<std::vector<Attachment>>> parse_attachments(const ConfigFields &top) {
    const std::string key = "cni.dev/valid-attachments";
    auto list = top.optional_array(key, "of {containerID, ifname}");
    if (!list) return invalid(list.error());
    if (!*list) return std::optional<std::vector<Attachment>>{};
    std::vector<Attachment> out;
    for (const auto &a : **list) {
        if (!a.is_object() || !a.contains("containerID") || !a["containerID"].is_string() || !a.contains("ifname") ||
            !a["ifname"].is_string())
            return invalid(top.error(key, "every entry needs string containerID and ifname"));
        out.push_back({a["containerID"].get<std::string>(), a["ifname"].get<std::string>()});
    }
    return std::optional<std::vector<Attachment>>{std::move(out)};
}

// Per-pod options the runtime passes in the conventions' "args" object,
// under our plugin's name: {"args": {"podlane": {"allowAnySource": true}}}.
// Other plugins' args are not ours to judge.
CniResult<bool> parse_allow_any_source(const ConfigFields &top) {
    if (!top.has("args") || !top.object()["args"].is_object() || !top.object()["args"].contains("podlane"))
        return false;
    const json &ours = top.object()["args"]["podlane"];
    if (!ours.is_object())
        return invalid(top.error("args.podlane", "must be an object like {\"allowAnySource\": true}"));
    ConfigFields fields(ours, "args.podlane.");
    auto allow = fields.optional_bool("allowAnySource");
    if (!allow) return invalid(allow.error());
    return allow->value_or(false);
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
    const ConfigFields top(doc);

    PluginConfig cfg;
    auto version = top.required_string("cniVersion");
    if (!version) return invalid(version.error());
    cfg.cni_version = *version;
    if (!version_supported(cfg.cni_version)) {
        std::string list;
        for (const auto &v : supported_versions()) list += (list.empty() ? "" : ", ") + v;
        return CniError{kIncompatibleVersion, "cniVersion " + cfg.cni_version + " is not supported; supported: " + list,
                        ""};
    }

    auto name = top.required_folder_name("name");
    if (!name) return invalid(name.error());
    // The store folder is named after it: a NUL would truncate it (two
    // networks, one store), a '/' or ".." would leave dataDir.
    if (!valid_cni_identifier(*name, kMaxNetworkNameLength))
        return invalid(top.error("name",
                                 "is not a valid network name (letters, digits, '_', '.', '-', starting with "
                                 "a letter or digit, at most " +
                                     std::to_string(kMaxNetworkNameLength) + " characters)"));
    cfg.name = *name;

    // nodeConfig first: the explicit keys below override what it gives. The
    // node file is parsed by podlaned's own parser, so its bridge and pod
    // CIDR arrive checked by the same rules as the keys below.
    auto node_path = top.optional_string("nodeConfig");
    if (!node_path) return invalid(node_path.error());
    std::optional<NodeConfig> node;
    if (*node_path) {
        auto loaded = load_node_config(**node_path);
        if (!loaded) return invalid(top.error("nodeConfig", loaded.error().message));
        node = *loaded;
        cfg.bridge = node->bridge;
        if (node->has_ipv4()) cfg.pod_cidr = node->pod_cidr;
        cfg.pod_cidr6 = node->pod_cidr6;
        cfg.uplink = node->uplink;
        cfg.pin_dir = node->pin_dir();
    }

    auto bridge = top.ifname_or("bridge", cfg.bridge);
    if (!bridge) return invalid(bridge.error());
    cfg.bridge = *bridge;

    auto cidr = top.optional<Cidr>("podCIDR");
    if (!cidr) return invalid(cidr.error());
    if (*cidr) cfg.pod_cidr = **cidr;
    auto cidr6 = top.optional<Cidr6>("podCIDRv6");
    if (!cidr6) return invalid(cidr6.error());
    if (*cidr6) cfg.pod_cidr6 = **cidr6;
    // IPv4-only, dual-stack, or IPv6-only (podCIDRv6 alone).
    if (!cfg.pod_cidr && !cfg.pod_cidr6)
        return invalid(top.error("podCIDR",
                                 "missing: give podCIDR (and/or podCIDRv6), or nodeConfig naming the node "
                                 "file of podlaned"));
    if (cfg.pod_cidr) {
        const Cidr &range = *cfg.pod_cidr;
        if (range.length > 30 || range.length < 8)
            return invalid(top.error("podCIDR", range.str() + " must have a prefix length between /8 and /30"));
        auto gateway = top.value_or<Ipv4>("gateway", range.first_host());
        if (!gateway) return invalid(gateway.error());
        if (!range.contains(*gateway) || *gateway == range.network() || *gateway == range.broadcast())
            return invalid(
                top.error("gateway", gateway->str() + " must be a host address inside podCIDR " + range.str()));
        cfg.gateway = *gateway;
    } else if (top.has("gateway")) {
        return invalid(
            top.error("gateway", "given without podCIDR (an IPv6 pod's gateway is podCIDRv6's first address)"));
    }
    if (cfg.pod_cidr6) {
        if (cfg.pod_cidr6->length > kMaxPodCidr6Length || cfg.pod_cidr6->length < 16)
            return invalid(top.error("podCIDRv6", cfg.pod_cidr6->str() +
                                                      " must have a prefix length between /16 and /" +
                                                      std::to_string(kMaxPodCidr6Length)));
        cfg.gateway6 = cfg.pod_cidr6->at(1);
    }

    auto mtu = top.optional_uint("mtu", 68, 65535);
    if (!mtu) return invalid(mtu.error());
    cfg.mtu = *mtu;

    auto data_dir = top.optional_absolute_path("dataDir");
    if (!data_dir) return invalid(data_dir.error());
    if (*data_dir) cfg.data_dir = **data_dir;

    auto pin_root = top.optional_absolute_path("pinRoot");
    if (!pin_root) return invalid(pin_root.error());
    if (*pin_root) cfg.pin_dir = **pin_root;

    auto dns = top.optional_object("dns", "{nameservers, domain, search, options}");
    if (!dns) return invalid(dns.error());
    if (*dns) cfg.dns = std::move(**dns);
    auto prev_result = top.optional_object("prevResult");
    if (!prev_result) return invalid(prev_result.error());
    if (*prev_result) cfg.prev_result = std::move(**prev_result);

    auto allow_any_source = parse_allow_any_source(top);
    if (!allow_any_source) return allow_any_source.error();
    cfg.allow_any_source = *allow_any_source;

    auto attachments = parse_attachments(top);
    if (!attachments) return attachments.error();
    cfg.valid_attachments = std::move(*attachments);
    return cfg;
}

}  // namespace podlane::cni
