#include "podlane/maps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace podlane {
namespace {

podlane_route_key route_key(const Cidr &cidr) {
    return {cidr.length, cidr.prefix.be};
}

}  // namespace

Result<PinnedMap> PinnedMap::open(const std::string &pin_dir, const std::string &name) {
    std::string path = pin_dir + "/" + name;
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
        int err = errno;
        if (err == ENOENT)
            return Error{
                "no pinned map at " + path + ": is podlaned running for this node? (looked in " + pin_dir + ")", err};
        if (err == EPERM || err == EACCES) return errno_error("open pinned map " + path + " (run as root)", err);
        return errno_error("open pinned map " + path, err);
    }
    return PinnedMap(UniqueFd(fd), path, name);
}

Result<MapUsage> PinnedMap::usage() const {
    bpf_map_info info{};
    __u32 len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd(), &info, &len) != 0) return errno_error("map info " + path_, errno);
    MapUsage usage{name_, 0, info.max_entries};
    if (info.type == BPF_MAP_TYPE_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_ARRAY) {
        usage.entries = info.max_entries;
        return usage;
    }
    std::vector<std::byte> key(info.key_size);
    if (auto st = for_each_key(key, [&] { usage.entries++; }); !st) return st.error();
    return usage;
}

Status PinnedMap::for_each_key(std::span<std::byte> key, const std::function<void()> &visit) const {
    std::vector<std::byte> previous(key.size());
    const void *cursor = nullptr;  // NULL: start from the first key
    while (bpf_map_get_next_key(fd(), cursor, key.data()) == 0) {
        visit();
        std::copy(key.begin(), key.end(), previous.begin());
        cursor = previous.data();
    }
    if (errno != ENOENT) return errno_error("iterate map " + path_, errno);
    return {};
}

bool PinnedMap::lookup(const void *key, void *value) const {
    return bpf_map_lookup_elem(fd(), key, value) == 0;
}

Result<NodeMaps> NodeMaps::open(const std::string &pin_dir) {
    auto routes = PinnedMap::open(pin_dir, PODLANE_MAP_ROUTES);
    if (!routes) return routes.error();
    auto endpoints = PinnedMap::open(pin_dir, PODLANE_MAP_ENDPOINTS);
    if (!endpoints) return endpoints.error();
    auto config = PinnedMap::open(pin_dir, PODLANE_MAP_CONFIG);
    if (!config) return config.error();
    auto stats = PinnedMap::open(pin_dir, PODLANE_MAP_STATS);
    if (!stats) return stats.error();
    return NodeMaps(pin_dir, std::move(*routes), std::move(*endpoints), std::move(*config), std::move(*stats));
}

Result<std::vector<RouteEntry>> NodeMaps::routes() const {
    std::vector<RouteEntry> out;
    auto st = for_each_entry<podlane_route_key, podlane_route_value>(routes_, [&](auto &k, auto &v) {
        out.push_back({Cidr{Ipv4{k.prefix}, static_cast<uint8_t>(k.prefixlen)}, v});
    });
    if (!st) return st.error();
    return out;
}

Result<bool> NodeMaps::put_route(const Cidr &cidr, const podlane_route_value &value) {
    auto key = route_key(cidr);
    podlane_route_value old{};
    bool existed = bpf_map_lookup_elem(routes_.fd(), &key, &old) == 0;
    if (bpf_map_update_elem(routes_.fd(), &key, &value, BPF_ANY) != 0) {
        int err = errno;
        if (err == E2BIG || err == ENOSPC)
            return errno_error("route map " + routes_.path() + " is full (" + std::to_string(PODLANE_ROUTES_MAX) +
                                   " entries); cannot add " + cidr.str(),
                               err);
        return errno_error("update route " + cidr.str() + " in " + routes_.path(), err);
    }
    return existed;
}

Result<bool> NodeMaps::delete_route(const Cidr &cidr) {
    auto key = route_key(cidr);
    if (bpf_map_delete_elem(routes_.fd(), &key) != 0) {
        if (errno == ENOENT) return false;
        return errno_error("delete route " + cidr.str() + " from " + routes_.path(), errno);
    }
    return true;
}

Result<std::vector<EndpointEntry>> NodeMaps::endpoints() const {
    std::vector<EndpointEntry> out;
    auto st = for_each_entry<podlane_endpoint_key, podlane_endpoint_value>(endpoints_, [&](auto &k, auto &v) {
        out.push_back({Ipv4{k.pod_ip}, v});
    });
    if (!st) return st.error();
    return out;
}

Result<std::optional<podlane_endpoint_value>> NodeMaps::endpoint(Ipv4 pod_ip) const {
    podlane_endpoint_key key{pod_ip.be};
    podlane_endpoint_value value{};
    if (bpf_map_lookup_elem(endpoints_.fd(), &key, &value) != 0) {
        if (errno == ENOENT) return std::optional<podlane_endpoint_value>{};
        return errno_error("look up endpoint " + pod_ip.str(), errno);
    }
    return std::optional<podlane_endpoint_value>{value};
}

Status NodeMaps::put_endpoint(Ipv4 pod_ip, const podlane_endpoint_value &value) {
    podlane_endpoint_key key{pod_ip.be};
    if (bpf_map_update_elem(endpoints_.fd(), &key, &value, BPF_ANY) != 0) {
        int err = errno;
        if (err == E2BIG || err == ENOSPC) return errno_error("endpoint map " + endpoints_.path() + " is full", err);
        return errno_error("register endpoint " + pod_ip.str() + " in " + endpoints_.path(), err);
    }
    return {};
}

Result<bool> NodeMaps::delete_endpoint(Ipv4 pod_ip) {
    podlane_endpoint_key key{pod_ip.be};
    if (bpf_map_delete_elem(endpoints_.fd(), &key) != 0) {
        if (errno == ENOENT) return false;
        return errno_error("delete endpoint " + pod_ip.str(), errno);
    }
    return true;
}

namespace {

std::array<podlane_src_exempt_key, 2> exemption_keys(uint32_t host_ifindex,
                                                     const uint8_t (&pod_mac)[PODLANE_ETH_ALEN]) {
    podlane_src_exempt_key by_veth{}, by_mac{};
    by_veth.ifindex = host_ifindex;
    std::memcpy(by_mac.mac, pod_mac, PODLANE_ETH_ALEN);
    return {by_veth, by_mac};
}

}  // namespace

Status NodeMaps::put_source_exemption(uint32_t host_ifindex, const uint8_t (&pod_mac)[PODLANE_ETH_ALEN]) {
    auto map = PinnedMap::open(pin_dir_, PODLANE_MAP_SRC_EXEMPT);
    if (!map) return map.error().wrap("allow any source address (podlaned too old for the opt-out?)");
    const podlane_src_exempt_value value{PODLANE_SRC_EXEMPT_F_ANY_SOURCE};
    for (const auto &key : exemption_keys(host_ifindex, pod_mac)) {
        if (bpf_map_update_elem(map->fd(), &key, &value, BPF_ANY) != 0)
            return errno_error("allow any source for link #" + std::to_string(host_ifindex) + " in " + map->path(),
                               errno);
    }
    return {};
}

Status NodeMaps::delete_source_exemption(uint32_t host_ifindex, const uint8_t (&pod_mac)[PODLANE_ETH_ALEN]) {
    auto map = PinnedMap::open(pin_dir_, PODLANE_MAP_SRC_EXEMPT);
    if (!map) return map.error().errnum == ENOENT ? Status{} : Status{map.error()};
    for (const auto &key : exemption_keys(host_ifindex, pod_mac)) {
        if (bpf_map_delete_elem(map->fd(), &key) != 0 && errno != ENOENT)
            return errno_error("remove the source exemption of link #" + std::to_string(host_ifindex), errno);
    }
    return {};
}

Result<std::vector<SourceExemption>> NodeMaps::source_exemptions() const {
    std::vector<SourceExemption> out;
    auto map = PinnedMap::open(pin_dir_, PODLANE_MAP_SRC_EXEMPT);
    if (!map) {
        if (map.error().errnum == ENOENT) return out;
        return map.error();
    }
    auto st = for_each_entry<podlane_src_exempt_key, podlane_src_exempt_value>(*map, [&](auto &k, auto &v) {
        out.push_back({k, v});
    });
    if (!st) return st.error();
    return out;
}

Result<podlane_node_config> NodeMaps::config() const {
    __u32 zero = 0;
    podlane_node_config cfg{};
    if (bpf_map_lookup_elem(config_.fd(), &zero, &cfg) != 0) return errno_error("read " + config_.path(), errno);
    return cfg;
}

Status NodeMaps::set_config(const podlane_node_config &cfg) {
    __u32 zero = 0;
    if (bpf_map_update_elem(config_.fd(), &zero, &cfg, BPF_ANY) != 0)
        return errno_error("write " + config_.path(), errno);
    return {};
}

Result<std::vector<podlane_stat_value>> NodeMaps::stats() const {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0) return errno_error("count possible CPUs", -cpus);
    std::vector<podlane_stat_value> sums(PODLANE_REASON_MAX), per_cpu(cpus);
    for (__u32 reason = 0; reason < PODLANE_REASON_MAX; reason++) {
        if (bpf_map_lookup_elem(stats_.fd(), &reason, per_cpu.data()) != 0)
            return errno_error("read " + stats_.path(), errno);
        for (const auto &v : per_cpu) {
            sums[reason].packets += v.packets;
            sums[reason].bytes += v.bytes;
        }
    }
    return sums;
}

std::optional<RouteEntry> longest_prefix_match(const std::vector<RouteEntry> &routes, Ipv4 dst) {
    std::optional<RouteEntry> best;
    for (const auto &r : routes)
        if (r.cidr.contains(dst) && (!best || r.cidr.length > best->cidr.length)) best = r;
    return best;
}

}  // namespace podlane
