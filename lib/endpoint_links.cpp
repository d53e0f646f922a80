#include "podlane/endpoint_links.h"

#include <cstring>

namespace podlane {

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
    auto endpoints = maps.endpoints();
    if (!endpoints) return endpoints.error().wrap("check the pods' veths");
    EndpointPrune counts;
    for (const auto &ep : *endpoints) {
        auto link = nl.find_link(static_cast<int>(ep.value.host_ifindex));
        if (!link) return link.error().wrap("check pod " + ep.pod_ip.str());
        auto why = endpoint_mismatch(ep.value, *link);
        if (why.empty()) {
            ++counts.kept;
            continue;
        }
        if (auto del = maps.delete_endpoint(ep.pod_ip); !del) return del.error().wrap("remove stale pod");
        ++counts.removed;
        log("endpoint " + ep.pod_ip.str() + " removed: its host veth " + why + " (pod deleted without CNI DEL?)");
    }
    return counts;
}

}  // namespace podlane
