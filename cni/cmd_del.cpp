// DEL: endpoint, veth, address, in that order (the address last, so nobody
// gets it while the old pod's entry still points at it). Whatever is already
// gone counts as done.
#include "commands.h"
#include "node_context.h"
#include "podlane/host_veth.h"
#include "podlane/netlink.h"

namespace podlane::cni {

CniResult<nlohmann::json> cmd_del(const CniEnv &env, const PluginConfig &cfg) {
    auto store = open_store(cfg);
    if (!store) return from_error(store.error(), kStoreFailure);
    std::optional<Ipv4> ip;
    if (*store) {
        auto found = (*store)->find(env.container_id, env.ifname);
        if (!found) return from_error(found.error(), kStoreFailure);
        ip = *found;
    }
    auto store6 = open_store6(cfg);
    if (!store6) return from_error(store6.error(), kStoreFailure);
    std::optional<Ipv6> ip6;
    if (*store6) {
        auto found = (*store6)->find(env.container_id, env.ifname);
        if (!found) return from_error(found.error(), kStoreFailure);
        ip6 = *found;
    }

    if (ip || ip6) {
        auto dataplane = open_dataplane(cfg);
        if (!dataplane) return from_error(dataplane.error(), kDataplaneFailure);
        if (*dataplane) {
            NodeMaps &maps = (*dataplane)->maps();
            // The pod's anti-spoofing exemption is keyed by its veth and
            // MAC, which only its endpoint entries still know.
            std::optional<podlane_endpoint_value> ep;
            if (ip) {
                auto found = maps.endpoint(*ip);
                if (!found) return from_error(found.error(), kDataplaneFailure);
                ep = *found;
            }
            if (!ep && ip6) {
                auto found = maps.endpoint6(*ip6);
                if (!found) return from_error(found.error(), kDataplaneFailure);
                ep = *found;
            }
            if (ep)
                if (auto st = maps.delete_source_exemption(ep->host_ifindex, ep->pod_mac); !st)
                    return from_error(st.error(), kDataplaneFailure);
            if (ip6)
                if (auto removed = maps.delete_endpoint6(*ip6); !removed)
                    return from_error(removed.error(), kDataplaneFailure);
            if (ip)
                if (auto removed = maps.delete_endpoint(*ip); !removed)
                    return from_error(removed.error(), kDataplaneFailure);
        }
    }

    auto host = Netlink::open();
    if (!host) return from_error(host.error(), kInternal);
    // Takes the pod side with it, wherever it is.
    if (auto st = host->delete_link(host_veth_name(env.container_id, env.ifname)); !st)
        return from_error(st.error(), kInternal);

    if (*store6)
        if (auto released = (*store6)->release(env.container_id, env.ifname); !released)
            return from_error(released.error(), kStoreFailure);
    if (*store)
        if (auto released = (*store)->release(env.container_id, env.ifname); !released)
            return from_error(released.error(), kStoreFailure);
    return nlohmann::json();
}

}  // namespace podlane::cni
