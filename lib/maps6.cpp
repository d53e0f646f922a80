// The IPv6 maps of a node (pl_routes6_v1, pl_endpts6_v1, pl_config6_v1).
#include <bpf/bpf.h>

#include <cstring>

#include "podlane/maps.h"

namespace podlane {
namespace {

podlane_route6_key route6_key(const Cidr6 &cidr) {
    podlane_route6_key key{};
    key.prefixlen = cidr.length;
    key.prefix = to_in6(cidr.network());
    return key;
}

podlane_endpoint6_key endpoint6_key(const Ipv6 &pod_ip) {
    return podlane_endpoint6_key{to_in6(pod_ip)};
}

// The map, or nullopt when this node's agent predates IPv6 (no such pin).
Result<std::optional<PinnedMap>> open_if_present(const std::string &pin_dir, const char *name) {
    auto map = PinnedMap::open(pin_dir, name);
    if (map) return std::optional<PinnedMap>{std::move(*map)};
    if (map.error().errnum == ENOENT) return std::optional<PinnedMap>{};
    return map.error();
}

Result<PinnedMap> open_for_write(const std::string &pin_dir, const char *name) {
    auto map = PinnedMap::open(pin_dir, name);
    if (!map) return map.error().wrap("IPv6 needs a podlaned that has created " + std::string(name));
    return map;
}

}  // namespace

podlane_in6 to_in6(const Ipv6 &addr) {
    podlane_in6 out{};
    std::memcpy(out.words, addr.bytes.data(), sizeof out.words);
    return out;
}

Ipv6 from_in6(const podlane_in6 &addr) {
    Ipv6 out;
    std::memcpy(out.bytes.data(), addr.words, sizeof addr.words);
    return out;
}

Result<std::vector<Route6Entry>> NodeMaps::routes6() const {
    std::vector<Route6Entry> out;
    auto map = open_if_present(pin_dir_, PODLANE_MAP_ROUTES6);
    if (!map) return map.error();
    if (!*map) return out;
    auto st = for_each_entry<podlane_route6_key, podlane_route6_value>(**map, [&](auto &k, auto &v) {
        out.push_back({Cidr6{from_in6(k.prefix), static_cast<uint8_t>(k.prefixlen)}, v});
    });
    if (!st) return st.error();
    return out;
}

Result<bool> NodeMaps::put_route6(const Cidr6 &cidr, const podlane_route6_value &value) {
    auto map = open_for_write(pin_dir_, PODLANE_MAP_ROUTES6);
    if (!map) return map.error();
    auto key = route6_key(cidr);
    podlane_route6_value old{};
    bool existed = bpf_map_lookup_elem(map->fd(), &key, &old) == 0;
    if (bpf_map_update_elem(map->fd(), &key, &value, BPF_ANY) != 0) {
        int err = errno;
        if (err == E2BIG || err == ENOSPC)
            return errno_error("IPv6 route map " + map->path() + " is full (" + std::to_string(PODLANE_ROUTES_MAX) +
                                   " entries); cannot add " + cidr.str(),
                               err);
        return errno_error("update route " + cidr.str() + " in " + map->path(), err);
    }
    return existed;
}

Result<bool> NodeMaps::delete_route6(const Cidr6 &cidr) {
    auto map = open_if_present(pin_dir_, PODLANE_MAP_ROUTES6);
    if (!map) return map.error();
    if (!*map) return false;
    auto key = route6_key(cidr);
    if (bpf_map_delete_elem((*map)->fd(), &key) != 0) {
        if (errno == ENOENT) return false;
        return errno_error("delete route " + cidr.str() + " from " + (*map)->path(), errno);
    }
    return true;
}

Result<std::vector<Endpoint6Entry>> NodeMaps::endpoints6() const {
    std::vector<Endpoint6Entry> out;
    auto map = open_if_present(pin_dir_, PODLANE_MAP_ENDPOINTS6);
    if (!map) return map.error();
    if (!*map) return out;
    auto st = for_each_entry<podlane_endpoint6_key, podlane_endpoint_value>(**map, [&](auto &k, auto &v) {
        out.push_back({from_in6(k.pod_ip), v});
    });
    if (!st) return st.error();
    return out;
}

Result<std::optional<podlane_endpoint_value>> NodeMaps::endpoint6(const Ipv6 &pod_ip) const {
    auto map = open_if_present(pin_dir_, PODLANE_MAP_ENDPOINTS6);
    if (!map) return map.error();
    if (!*map) return std::optional<podlane_endpoint_value>{};
    auto key = endpoint6_key(pod_ip);
    podlane_endpoint_value value{};
    if (bpf_map_lookup_elem((*map)->fd(), &key, &value) != 0) {
        if (errno == ENOENT) return std::optional<podlane_endpoint_value>{};
        return errno_error("look up endpoint " + pod_ip.str(), errno);
    }
    return std::optional<podlane_endpoint_value>{value};
}

Status NodeMaps::put_endpoint6(const Ipv6 &pod_ip, const podlane_endpoint_value &value) {
    auto map = open_for_write(pin_dir_, PODLANE_MAP_ENDPOINTS6);
    if (!map) return map.error();
    auto key = endpoint6_key(pod_ip);
    if (bpf_map_update_elem(map->fd(), &key, &value, BPF_ANY) != 0) {
        int err = errno;
        if (err == E2BIG || err == ENOSPC) return errno_error("IPv6 endpoint map " + map->path() + " is full", err);
        return errno_error("register endpoint " + pod_ip.str() + " in " + map->path(), err);
    }
    return {};
}

Result<bool> NodeMaps::delete_endpoint6(const Ipv6 &pod_ip) {
    auto map = open_if_present(pin_dir_, PODLANE_MAP_ENDPOINTS6);
    if (!map) return map.error();
    if (!*map) return false;
    auto key = endpoint6_key(pod_ip);
    if (bpf_map_delete_elem((*map)->fd(), &key) != 0) {
        if (errno == ENOENT) return false;
        return errno_error("delete endpoint " + pod_ip.str(), errno);
    }
    return true;
}

Result<podlane_node_config6> NodeMaps::config6() const {
    podlane_node_config6 cfg{};
    auto map = open_if_present(pin_dir_, PODLANE_MAP_CONFIG6);
    if (!map) return map.error();
    if (!*map) return cfg;
    __u32 zero = 0;
    if (bpf_map_lookup_elem((*map)->fd(), &zero, &cfg) != 0) return errno_error("read " + (*map)->path(), errno);
    return cfg;
}

Status NodeMaps::set_config6(const podlane_node_config6 &cfg) {
    auto map = open_for_write(pin_dir_, PODLANE_MAP_CONFIG6);
    if (!map) return map.error();
    __u32 zero = 0;
    if (bpf_map_update_elem(map->fd(), &zero, &cfg, BPF_ANY) != 0) return errno_error("write " + map->path(), errno);
    return {};
}

std::optional<Route6Entry> longest_prefix_match(const std::vector<Route6Entry> &routes, const Ipv6 &dst) {
    std::optional<Route6Entry> best;
    for (const auto &r : routes)
        if (r.cidr.contains(dst) && (!best || r.cidr.length > best->cidr.length)) best = r;
    return best;
}

}  // namespace podlane
