// Typed access to a node's pinned maps (the layouts of abi/maps.h), shared by
// the agent, the CNI plugin and podlanectl.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "podlane/abi/maps.h"
#include "podlane/ip.h"
#include "podlane/result.h"
#include "podlane/unique_fd.h"

namespace podlane {

struct RouteEntry {
    Cidr cidr;
    podlane_route_value value{};
};

struct EndpointEntry {
    Ipv4 pod_ip;
    podlane_endpoint_value value{};
};

struct Route6Entry {
    Cidr6 cidr;
    podlane_route6_value value{};
};

struct Endpoint6Entry {
    Ipv6 pod_ip;
    podlane_endpoint_value value{};
};

// The ABI's IPv6 address (four network-order words) and ours (16 bytes):
// the same bytes.
podlane_in6 to_in6(const Ipv6 &addr);
Ipv6 from_in6(const podlane_in6 &addr);

struct MapUsage {
    std::string name;
    unsigned entries = 0;
    unsigned max_entries = 0;
};

// One pinned map, by path. Operations are single-entry, and so atomic.
// One entry of the anti-spoofing opt-out map (PODLANE_MAP_SRC_EXEMPT).
struct SourceExemption {
    podlane_src_exempt_key key{};
    podlane_src_exempt_value value{};
};

class PinnedMap {
public:
    // Error (ENOENT) says where it looked and what to check.
    static Result<PinnedMap> open(const std::string &pin_dir, const std::string &name);

    int fd() const { return fd_.get(); }
    const std::string &path() const { return path_; }
    Result<MapUsage> usage() const;

    // Walks the keys: each step writes the next key into `key` (the map's
    // key size) and calls visit. For typed walks use for_each_entry below.
    Status for_each_key(std::span<std::byte> key, const std::function<void()> &visit) const;
    // false when there is no entry for key (also one deleted meanwhile).
    bool lookup(const void *key, void *value) const;

private:
    PinnedMap(UniqueFd fd, std::string path, std::string name)
        : fd_(std::move(fd)), path_(std::move(path)), name_(std::move(name)) {}
    UniqueFd fd_;
    std::string path_;
    std::string name_;
    friend class NodeMaps;
};

class NodeMaps {
public:
    static Result<NodeMaps> open(const std::string &pin_dir);

    // --- routes
    Result<std::vector<RouteEntry>> routes() const;
    // true when it replaced an entry for the same CIDR.
    Result<bool> put_route(const Cidr &cidr, const podlane_route_value &value);
    // false when there was no such entry.
    Result<bool> delete_route(const Cidr &cidr);

    // --- endpoints
    Result<std::vector<EndpointEntry>> endpoints() const;
    Result<std::optional<podlane_endpoint_value>> endpoint(Ipv4 pod_ip) const;
    Status put_endpoint(Ipv4 pod_ip, const podlane_endpoint_value &value);
    Result<bool> delete_endpoint(Ipv4 pod_ip);

    // --- config
    Result<podlane_node_config> config() const;
    Status set_config(const podlane_node_config &config);

    // --- IPv6 (maps opened on use: tools keep working against an agent
    // that predates them; reads then return nothing)
    Result<std::vector<Route6Entry>> routes6() const;
    Result<bool> put_route6(const Cidr6 &cidr, const podlane_route6_value &value);
    Result<bool> delete_route6(const Cidr6 &cidr);
    Result<std::vector<Endpoint6Entry>> endpoints6() const;
    Result<std::optional<podlane_endpoint_value>> endpoint6(const Ipv6 &pod_ip) const;
    Status put_endpoint6(const Ipv6 &pod_ip, const podlane_endpoint_value &value);
    Result<bool> delete_endpoint6(const Ipv6 &pod_ip);
    // All zero (pod_prefixlen 0: no IPv6) when the map is absent.
    Result<podlane_node_config6> config6() const;
    Status set_config6(const podlane_node_config6 &config);

    // --- anti-spoofing opt-out: a pod allowed to send from any address. Two
    // entries per pod, by host veth (per-veth mode) and by pod MAC (bridge
    // mode). The map is opened on use, so tools that never touch it keep
    // working against an agent that predates it.
    Status put_source_exemption(uint32_t host_ifindex, const uint8_t (&pod_mac)[PODLANE_ETH_ALEN]);
    // Succeeds when the entries (or the map) are already gone.
    Status delete_source_exemption(uint32_t host_ifindex, const uint8_t (&pod_mac)[PODLANE_ETH_ALEN]);
    Result<std::vector<SourceExemption>> source_exemptions() const;

    // --- stats, summed over CPUs, indexed by podlane_reason
    Result<std::vector<podlane_stat_value>> stats() const;

    std::vector<const PinnedMap *> all() const { return {&routes_, &endpoints_, &config_, &stats_}; }
    const std::string &pin_dir() const { return pin_dir_; }

private:
    NodeMaps(std::string pin_dir, PinnedMap routes, PinnedMap endpoints, PinnedMap config, PinnedMap stats)
        : pin_dir_(std::move(pin_dir)),
          routes_(std::move(routes)),
          endpoints_(std::move(endpoints)),
          config_(std::move(config)),
          stats_(std::move(stats)) {}
    std::string pin_dir_;
    PinnedMap routes_, endpoints_, config_, stats_;
};

// Calls visit(key, value) for every entry of a hash or LPM map, typed by the
// layouts of abi/maps.h. An entry deleted during the walk is skipped.
template <typename Key, typename Value, typename Visit>
Status for_each_entry(const PinnedMap &map, Visit &&visit) {
    Key key{};
    return map.for_each_key(std::as_writable_bytes(std::span{&key, 1}), [&] {
        Value value{};
        if (map.lookup(&key, &value)) visit(std::as_const(key), std::as_const(value));
    });
}

// The route the BPF programs would pick for dst: the longest prefix that
// contains it, as the LPM trie does.
std::optional<RouteEntry> longest_prefix_match(const std::vector<RouteEntry> &routes, Ipv4 dst);
std::optional<Route6Entry> longest_prefix_match(const std::vector<Route6Entry> &routes, const Ipv6 &dst);

}  // namespace podlane
