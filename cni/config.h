// The network configuration on stdin: the keys this plugin reads, with their
// defaults resolved (nodeConfig fills what the config leaves out). Unknown
// keys are ignored, as the spec allows.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cni_error.h"
#include "podlane/ip.h"

namespace podlane::cni {

struct Attachment {
    std::string container_id;
    std::string ifname;
    bool operator==(const Attachment &) const = default;
};

struct PluginConfig {
    std::string cni_version;
    std::string name;  // network name: the IPAM store's folder
    std::string bridge = "podlane0";
    // Pods get an address of each range that is set: IPv4, IPv6 or both.
    // The gateway of each is the bridge's address in it.
    std::optional<Cidr> pod_cidr;
    std::optional<Ipv4> gateway;
    std::optional<Cidr6> pod_cidr6;
    std::optional<Ipv6> gateway6;
    std::optional<unsigned> mtu;  // unset: the uplink's, else the kernel default
    std::string uplink;           // from nodeConfig, for the default MTU
    std::string data_dir = "/var/lib/cni/podlane";
    // Where the dataplane's maps are pinned; unset when neither pinRoot nor
    // nodeConfig says (a plain bridge network with no fast path expected).
    std::optional<std::string> pin_dir;
    nlohmann::json dns;          // passed through to the result; null if absent
    nlohmann::json prev_result;  // null if absent
    // args.podlane.allowAnySource: the pod may send from addresses not its
    // own (a router, a VPN gateway, a VM); the dataplane's anti-spoofing
    // check lets it through. Off by default.
    bool allow_any_source = false;
    // GC: cni.dev/valid-attachments; unset when the key is absent.
    std::optional<std::vector<Attachment>> valid_attachments;

    // Where this network's reservations live.
    std::string store_dir() const { return data_dir + "/" + name; }
};

// Parses stdin. Errors: 6 when not JSON, 1 when cniVersion is not one we
// speak, 7 naming the key for any invalid value.
CniResult<PluginConfig> parse_config(const std::string &text);

// The cniVersion of a config that may not parse, for the error reply.
std::string best_effort_version(const std::string &text);

}  // namespace podlane::cni
