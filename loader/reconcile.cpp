#include "reconcile.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

namespace podlane {
namespace {

uint64_t order_key(const Cidr &c) {
    return (uint64_t{c.prefix.host()} << 8) | c.length;
}

std::pair<std::array<uint8_t, 16>, uint8_t> order_key(const Cidr6 &c) {
    return {c.network().bytes, c.length};
}

template <typename Value>
bool same_value(const Value &a, const Value &b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

template <typename Entry>
RouteDiffOf<Entry> diff_entries(const std::vector<Entry> &current, const std::vector<Entry> &desired) {
    using Key = decltype(order_key(current.front().cidr));
    std::map<Key, const Entry *> have, want;
    for (const auto &r : current) have[order_key(r.cidr)] = &r;
    for (const auto &r : desired) want[order_key(r.cidr)] = &r;

    RouteDiffOf<Entry> diff;
    for (const auto &[key, entry] : want) {
        auto it = have.find(key);
        if (it == have.end())
            diff.add.push_back(*entry);
        else if (!(it->second->value.flags & PODLANE_ROUTE_F_STATIC) && !same_value(it->second->value, entry->value))
            diff.update.push_back(*entry);
    }
    for (const auto &[key, entry] : have)
        if (!want.count(key) && !(entry->value.flags & PODLANE_ROUTE_F_STATIC)) diff.remove.push_back(*entry);
    return diff;
}

template <typename CidrT, typename Value, typename Entry>
Status apply_entries(const RouteWriterOf<CidrT, Value> &writer, const RouteDiffOf<Entry> &diff,
                     const std::function<void(const std::string &)> &log) {
    // Removals first: with the map full, additions made first would fail
    // (E2BIG) and the departed nodes would never make room. A node whose
    // CIDR moves loses a route to its old CIDR only, whose pods are gone;
    // an update rewrites its entry in place and never has a window.
    for (const auto &r : diff.remove) {
        auto del = writer.remove(r.cidr);
        if (!del) return del.error();
        log("route removed: " + describe_route(r));
    }
    for (const auto *list : {&diff.update, &diff.add})
        for (const auto &r : *list) {
            auto put = writer.put(r.cidr, r.value);
            if (!put) return put.error();
            log((list == &diff.add ? "route added: " : "route updated: ") + describe_route(r));
        }
    return {};
}

podlane_route6_value route6_value(const Ipv6 &next_hop, int uplink_ifindex, uint32_t flags) {
    podlane_route6_value v{};
    v.node_ip = to_in6(next_hop);
    v.uplink_ifindex = static_cast<__u32>(uplink_ifindex);
    v.flags = flags;
    return v;
}

podlane_route_value route_value(Ipv4 next_hop, int uplink_ifindex, uint32_t flags) {
    podlane_route_value v{};
    v.node_ip = next_hop.be;
    v.uplink_ifindex = static_cast<__u32>(uplink_ifindex);
    v.flags = flags;
    v.family = PODLANE_FAMILY_IPV4;
    return v;
}

}  // namespace

std::vector<RouteEntry> desired_routes(const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                       int uplink_ifindex) {
    std::vector<RouteEntry> out;
    if (!self.has_ipv4()) return out;  // an IPv6-only node
    out.push_back({self.pod_cidr, route_value(self.node_ip, uplink_ifindex, PODLANE_ROUTE_F_LOCAL)});
    if (self.router_ip) {
        out.push_back({self.cluster_cidr, route_value(*self.router_ip, uplink_ifindex, 0)});
        return out;
    }
    for (const auto &node : cluster) {
        if (node.name == self.node_name || !node.has_ipv4() || node.pod_cidr == self.pod_cidr) continue;
        out.push_back({node.pod_cidr, route_value(node.node_ip, uplink_ifindex, 0)});
    }
    return out;
}

std::set<NextHop> next_hops(const std::vector<RouteEntry> &routes) {
    std::set<NextHop> out;
    for (const auto &r : routes)
        if (!(r.value.flags & PODLANE_ROUTE_F_LOCAL) && r.value.uplink_ifindex && r.value.node_ip)
            out.insert({static_cast<int>(r.value.uplink_ifindex), Ipv4{r.value.node_ip}});
    return out;
}

std::set<NextHop6> next_hops(const std::vector<Route6Entry> &routes) {
    std::set<NextHop6> out;
    for (const auto &r : routes) {
        const Ipv6 hop = from_in6(r.value.node_ip);
        if (!(r.value.flags & PODLANE_ROUTE_F_LOCAL) && r.value.uplink_ifindex && !(hop == Ipv6{}))
            out.insert({static_cast<int>(r.value.uplink_ifindex), hop});
    }
    return out;
}

RouteDiff diff_routes(const std::vector<RouteEntry> &current, const std::vector<RouteEntry> &desired) {
    return diff_entries(current, desired);
}

RouteDiff6 diff_routes(const std::vector<Route6Entry> &current, const std::vector<Route6Entry> &desired) {
    return diff_entries(current, desired);
}

std::vector<Route6Entry> desired_routes6(const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                         int uplink_ifindex) {
    std::vector<Route6Entry> out;
    if (!self.pod_cidr6 || !self.node_ip6) return out;
    out.push_back({*self.pod_cidr6, route6_value(*self.node_ip6, uplink_ifindex, PODLANE_ROUTE_F_LOCAL)});
    for (const auto &node : cluster) {
        if (node.name == self.node_name || !node.pod_cidr6 || !node.node_ip6 || *node.pod_cidr6 == *self.pod_cidr6)
            continue;
        out.push_back({*node.pod_cidr6, route6_value(*node.node_ip6, uplink_ifindex, 0)});
    }
    return out;
}

std::string describe_route(const RouteEntry &r) {
    if (r.value.flags & PODLANE_ROUTE_F_LOCAL) return r.cidr.str() + " local (this node's pods)";
    return r.cidr.str() + " via " + Ipv4{r.value.node_ip}.str() + " dev #" + std::to_string(r.value.uplink_ifindex);
}

std::string describe_route(const Route6Entry &r) {
    if (r.value.flags & PODLANE_ROUTE_F_LOCAL) return r.cidr.str() + " local (this node's pods)";
    return r.cidr.str() + " via " + from_in6(r.value.node_ip).str() + " dev #" + std::to_string(r.value.uplink_ifindex);
}

Status apply_route_diff(const RouteWriter &writer, const RouteDiff &diff,
                        const std::function<void(const std::string &)> &log) {
    return apply_entries(writer, diff, log);
}

Status apply_route_diff(const RouteWriter6 &writer, const RouteDiff6 &diff,
                        const std::function<void(const std::string &)> &log) {
    return apply_entries(writer, diff, log);
}

Status apply_route_diff(NodeMaps &maps, const RouteDiff &diff, const std::function<void(const std::string &)> &log) {
    return apply_route_diff(
        RouteWriter{[&](const Cidr &c, const podlane_route_value &v) { return maps.put_route(c, v); },
                    [&](const Cidr &c) { return maps.delete_route(c); }},
        diff, log);
}

Status apply_route_diff(NodeMaps &maps, const RouteDiff6 &diff, const std::function<void(const std::string &)> &log) {
    return apply_route_diff(
        RouteWriter6{[&](const Cidr6 &c, const podlane_route6_value &v) { return maps.put_route6(c, v); },
                     [&](const Cidr6 &c) { return maps.delete_route6(c); }},
        diff, log);
}

NodeListPolicy node_list_policy(const NodeConfig &self) {
    return {.cluster_cidr = self.cluster_cidr,
            .self_name = self.node_name,
            .self_cidr = self.has_ipv4() ? std::optional{self.pod_cidr} : std::nullopt,
            .self_ip = self.node_ip,
            .max_nodes = PODLANE_ROUTES_MAX - 1,
            .cluster_cidr6 = self.cluster_cidr6,
            .self_cidr6 = self.pod_cidr6,
            .self_ip6 = self.node_ip6};
}

FilteredNodes filter_for_node(const NodeConfig &self, const std::vector<ClusterNode> &nodes) {
    return filter_node_list(nodes, node_list_policy(self));
}

std::vector<AgentRefusedNode> refusal_records(const std::vector<RefusedNode> &refused) {
    std::vector<AgentRefusedNode> out;
    for (const auto &r : refused)
        out.push_back({r.node.name, pod_cidrs_text(r.node), node_ips_text(r.node), refusal_word(r.reason), r.why});
    return out;
}

Result<RouteDiff> reconcile_routes(NodeMaps &maps, const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                   int uplink_ifindex, const std::function<void(const std::string &)> &log) {
    auto current = maps.routes();
    if (!current) return current.error();
    RouteDiff diff = diff_routes(*current, desired_routes(self, cluster, uplink_ifindex));
    if (auto st = apply_route_diff(maps, diff, log); !st) return st.error();
    return diff;
}

Result<RouteDiff6> reconcile_routes6(NodeMaps &maps, const NodeConfig &self, const std::vector<ClusterNode> &cluster,
                                     int uplink_ifindex, const std::function<void(const std::string &)> &log) {
    auto current = maps.routes6();
    if (!current) return current.error();
    RouteDiff6 diff = diff_routes(*current, desired_routes6(self, cluster, uplink_ifindex));
    if (auto st = apply_route_diff(maps, diff, log); !st) return st.error();
    return diff;
}

}  // namespace podlane
