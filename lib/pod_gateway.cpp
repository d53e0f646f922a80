#include "podlane/pod_gateway.h"

namespace podlane {

Result<LinkInfo> ensure_pod_gateway(Netlink &nl, const std::string &bridge_name, const PodGatewayAddresses &gateways) {
    auto bridge = nl.ensure_bridge(bridge_name);
    if (!bridge) return bridge.error();
    if (gateways.ipv4)
        if (auto st = nl.add_address(bridge->index, *gateways.ipv4); !st)
            return st.error().wrap("gateway address of bridge " + bridge_name);
    if (gateways.ipv6)
        if (auto st = nl.add_address6(bridge->index, gateways.ipv6->prefix, gateways.ipv6->length); !st)
            return st.error().wrap("IPv6 gateway address of bridge " + bridge_name);
    // Pin the gateway MAC: the programs write it as the source of delivered
    // packets, pods cache it, and an unpinned bridge takes its lowest port's
    // MAC, which changes as pods come and go.
    std::optional<Mac> gateway_mac;
    if (gateways.ipv4)
        gateway_mac = gateway_mac_for(gateways.ipv4->prefix);
    else if (gateways.ipv6)
        gateway_mac = gateway_mac_for(gateways.ipv6->prefix);
    if (gateway_mac && !(bridge->mac == *gateway_mac)) {
        if (auto st = nl.set_mac(bridge->index, *gateway_mac); !st)
            return st.error().wrap("gateway MAC of bridge " + bridge_name);
        bridge->mac = *gateway_mac;
    }
    return bridge;
}

}  // namespace podlane
