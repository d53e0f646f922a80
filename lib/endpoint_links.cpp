#include "podlane/endpoint_links.h"

#include <cstring>

#include "podlane/host_veth.h"
#include "podlane/veth_peer.h"

namespace podlane {
namespace {

// The endpoints map of each family, by the address type.
Result<std::vector<EndpointEntry>> endpoints_of(NodeMaps &maps, Ipv4) {
    return maps.endpoints();
}
Result<std::vector<Endpoint6Entry>> endpoints_of(NodeMaps &maps, const Ipv6 &) {
    return maps.endpoints6();
}
Result<std::optional<podlane_endpoint_value>> endpoint_of(NodeMaps &maps, Ipv4 ip) {
    return maps.endpoint(ip);
}
Result<std::optional<podlane_endpoint_value>> endpoint_of(NodeMaps &maps, const Ipv6 &ip) {
    return maps.endpoint6(ip);
}
Status put_endpoint_of(NodeMaps &maps, Ipv4 ip, const podlane_endpoint_value &v) {
    return maps.put_endpoint(ip, v);
}
Status put_endpoint_of(NodeMaps &maps, const Ipv6 &ip, const podlane_endpoint_value &v) {
    return maps.put_endpoint6(ip, v);
}
Result<bool> delete_endpoint_of(NodeMaps &maps, Ipv4 ip) {
    return maps.delete_endpoint(ip);
}
Result<bool> delete_endpoint_of(NodeMaps &maps, const Ipv6 &ip) {
    return maps.delete_endpoint6(ip);
}

template <typename Addr>
Status prune_family(Netlink &nl, NodeMaps &maps, const std::function<void(const std::string &)> &log,
                    EndpointPrune &counts) {
    auto endpoints = endpoints_of(maps, Addr{});
    if (!endpoints) return endpoints.error().wrap("check the pods' veths");
    for (const auto &ep : *endpoints) {
        auto link = nl.find_link(static_cast<int>(ep.value.host_ifindex));
        if (!link) return link.error().wrap("check pod " + ep.pod_ip.str());
        auto why = endpoint_mismatch(ep.value, *link);
        if (why.empty()) {
            ++counts.kept;
            continue;
        }
        if (auto del = delete_endpoint_of(maps, ep.pod_ip); !del) return del.error().wrap("remove stale pod");
        ++counts.removed;
        log("endpoint " + ep.pod_ip.str() + " removed: its host veth " + why + " (pod deleted without CNI DEL?)");
    }
    return {};
}

}  // namespace

std::string endpoint_mismatch(const podlane_endpoint_value &entry, const std::optional<LinkInfo> &link) {
    const std::string where = "interface #" + std::to_string(entry.host_ifindex);
    if (!link) return where + " no longer exists";
    if (link->kind != "veth") return where + " is now " + link->name + ", not a veth";
    Mac want;
    std::memcpy(want.bytes.data(), entry.host_mac, 6);
    // A veth re-created with the same name gets a new ifindex; one that took
    // the old ifindex has another MAC: either way not this pod's.
    if (link->mac != want)
        return where + " is now " + link->name + " with MAC " + link->mac.str() + ", not " + want.str();
    return "";
}

Result<EndpointPrune> prune_stale_endpoints(Netlink &nl, NodeMaps &maps,
                                            const std::function<void(const std::string &)> &log) {
    EndpointPrune counts;
    if (auto st = prune_family<Ipv4>(nl, maps, log, counts); !st) return st.error();
    if (auto st = prune_family<Ipv6>(nl, maps, log, counts); !st) return st.error();
    return counts;
}

template <typename Addr>
Result<EndpointRebuild> rebuild_endpoints(Netlink &nl, NodeMaps &maps, const std::vector<BasicReservation<Addr>> &live,
                                          bool per_veth, const std::function<void(const std::string &)> &log) {
    EndpointRebuild counts;
    for (const auto &r : live) {
        auto existing = endpoint_of(maps, r.ip);
        if (!existing) return existing.error().wrap("rebuild endpoints");
        if (*existing) {
            ++counts.present;
            continue;
        }
        const std::string veth = host_veth_name(r.container_id, r.ifname);
        auto link = nl.find_link(veth);
        if (!link) return link.error().wrap("rebuild endpoints");
        if (!*link) {
            ++counts.no_veth;
            continue;
        }
        auto pod_mac = veth_peer_mac((*link)->index);
        if (!pod_mac) {
            ++counts.failed;
            log("warning: pod " + r.ip.str() + " (container " + r.container_id + "): " + pod_mac.error().message +
                "; not registered");
            continue;
        }
        podlane_endpoint_value ep{};
        ep.host_ifindex = static_cast<__u32>((*link)->index);
        std::memcpy(ep.pod_mac, pod_mac->bytes.data(), 6);
        std::memcpy(ep.host_mac, (*link)->mac.bytes.data(), 6);
        if (per_veth) ep.flags |= PODLANE_ENDPOINT_F_PROG_ATTACHED;
        if (auto st = put_endpoint_of(maps, r.ip, ep); !st) {
            ++counts.failed;
            log("warning: pod " + r.ip.str() + ": " + st.error().message + "; not registered");
            continue;
        }
        ++counts.registered;
        log("endpoint " + r.ip.str() + " registered from the IPAM store (host veth " + veth + ")");
    }
    return counts;
}

template Result<EndpointRebuild> rebuild_endpoints(Netlink &, NodeMaps &, const std::vector<Reservation> &, bool,
                                                   const std::function<void(const std::string &)> &);
template Result<EndpointRebuild> rebuild_endpoints(Netlink &, NodeMaps &, const std::vector<Reservation6> &, bool,
                                                   const std::function<void(const std::string &)> &);

}  // namespace podlane
