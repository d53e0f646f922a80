#include "podlane/pod_gateway.h"

namespace podlane {

Result<LinkInfo> ensure_pod_gateway(Netlink &nl, const std::string &bridge_name, Ipv4 gateway, uint8_t prefix_length) {
    auto bridge = nl.ensure_bridge(bridge_name);
    if (!bridge) return bridge.error();
    if (auto st = nl.add_address(bridge->index, Cidr{gateway, prefix_length}); !st)
        return st.error().wrap("gateway address of bridge " + bridge_name);
    // Pin the gateway MAC: the programs write it as the source of delivered
    // packets, pods cache it, and an unpinned bridge takes its lowest port's
    // MAC, which changes as pods come and go.
    if (const Mac gateway_mac = gateway_mac_for(gateway); !(bridge->mac == gateway_mac)) {
        if (auto st = nl.set_mac(bridge->index, gateway_mac); !st)
            return st.error().wrap("gateway MAC of bridge " + bridge_name);
        bridge->mac = gateway_mac;
    }
    return bridge;
}

}  // namespace podlane
