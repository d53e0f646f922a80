#include "node_attach.h"

#include <cstring>

#include "podlane/attach.h"
#include "podlane/ethtool.h"

namespace podlane {

Result<UplinkHook> pick_uplink_hook(UplinkHook requested, const std::string &uplink) {
    if (requested != UplinkHook::Auto) return requested;
    auto driver = interface_driver(uplink);
    if (!driver) return driver.error();
    // XDP on a veth loses the partial-checksum state of TCP/UDP and GRO
    // (docs/dataplane.md); physical and virtio NICs get the XDP program.
    return *driver == "veth" ? UplinkHook::Tc : UplinkHook::Xdp;
}

podlane_node_config node_config_value(const NodeConfig &cfg, const NodeDevices &dev, bool per_veth, bool uplink_xdp,
                                      NetfilterMode netfilter) {
    podlane_node_config v{};
    // An IPv6-only node leaves the IPv4 fields 0: its programs then pass
    // IPv4 to the kernel (pass-no-config) and use only the shared fields.
    if (cfg.has_ipv4()) {
        v.node_ip = cfg.node_ip.be;
        v.gateway_ip = cfg.gateway().be;
        v.pod_cidr = cfg.pod_cidr.prefix.be;
        v.pod_prefixlen = cfg.pod_cidr.length;
    }
    v.bridge_ifindex = dev.bridge.index;
    v.uplink_ifindex = dev.uplink.index;
    v.hostdev_ifindex = dev.hostdev.index;
    std::memcpy(v.gateway_mac, dev.bridge.mac.bytes.data(), 6);
    v.role = PODLANE_ROLE_NODE;
    v.flags = (per_veth ? PODLANE_CONFIG_F_PER_VETH : 0) | (cfg.router_ip ? PODLANE_CONFIG_F_VIA_ROUTER : 0) |
              (uplink_xdp ? PODLANE_CONFIG_F_UPLINK_XDP : 0) |
              (netfilter == NetfilterMode::Bypass ? PODLANE_CONFIG_F_NETFILTER_BYPASS : 0);
    v.uplink_mtu = dev.uplink.mtu;
    return v;
}

podlane_node_config6 node_config6_value(const NodeConfig &cfg) {
    podlane_node_config6 v{};
    const auto gateway = cfg.gateway6();
    if (!gateway || !cfg.node_ip6) return v;
    v.node_ip = to_in6(*cfg.node_ip6);
    v.gateway_ip = to_in6(*gateway);
    v.pod_cidr = to_in6(cfg.pod_cidr6->network());
    v.pod_prefixlen = cfg.pod_cidr6->length;
    return v;
}

Result<UplinkAttached> attach_uplink(const Datapath &dp, const LinkInfo &uplink, UplinkHook requested,
                                     const Logger &log) {
    auto hook = pick_uplink_hook(requested, uplink.name);
    if (!hook) return hook.error();
    if (*hook == UplinkHook::Xdp) {
        // `auto` chose XDP for a non-veth driver; if that driver has no XDP of
        // its own, generic XDP would be slower than TC, so TC it is.
        const bool automatic = requested == UplinkHook::Auto;
        auto st =
            attach_xdp(uplink.index, dp.uplink_xdp_fd(), automatic ? XdpMode::NativeOnly : XdpMode::NativeOrGeneric);
        if (!st && automatic && st.error().errnum == EOPNOTSUPP) {
            log("uplink " + uplink.name + ": " + st.error().message + "; using TC");
            *hook = UplinkHook::Tc;
        } else if (!st) {
            return st.error();
        }
    }
    if (*hook == UplinkHook::Xdp) {
        if (auto st = detach_tc(uplink.index, TcDirection::Ingress); !st) return st.error();
        return UplinkAttached{*hook, {uplink.name, uplink.index, "xdp", "podlane_xdp_uplink"}};
    }
    if (auto st = attach_tc(uplink.index, TcDirection::Ingress, dp.uplink_tc_fd()); !st) return st.error();
    if (auto st = detach_xdp(uplink.index); !st) return st.error();
    return UplinkAttached{*hook, {uplink.name, uplink.index, "tc-ingress", "podlane_uplink_ingress"}};
}

// A pod whose veth fails (deleted since the stale-endpoint check: a CNI DEL
// racing the start) is logged and skipped: one pod never stops the node's
// dataplane.
Result<unsigned> attach_pod_side(const Datapath &dp, const NodeDevices &dev, const NodeMaps &maps, bool per_veth,
                                 std::vector<AgentAttachment> &records, const Logger &log) {
    auto endpoints = maps.endpoints();
    if (!endpoints) return endpoints.error();
    if (per_veth) {
        unsigned attached = 0;
        for (const auto &ep : *endpoints) {
            int ifindex = static_cast<int>(ep.value.host_ifindex);
            if (auto st = attach_tc(ifindex, TcDirection::Ingress, dp.from_pod_fd()); !st)
                log("warning: pod " + ep.pod_ip.str() + ": " + st.error().message + " (pod skipped)");
            else
                ++attached;
        }
        // Pod veths come and go with pods (the CNI plugin attaches new ones), so
        // they are not recorded: `podlanectl status` checks each endpoint's veth.
        if (auto st = detach_tc(dev.bridge.index, TcDirection::Ingress); !st) return st.error();
        return attached;
    }
    if (auto st = attach_tc(dev.bridge.index, TcDirection::Ingress, dp.from_pod_fd()); !st) return st.error();
    records.push_back({dev.bridge.name, dev.bridge.index, "tc-ingress", "podlane_from_pod"});
    for (const auto &ep : *endpoints)
        if (auto st = detach_tc(static_cast<int>(ep.value.host_ifindex), TcDirection::Ingress); !st)
            log("warning: pod " + ep.pod_ip.str() + ": " + st.error().message + " (pod skipped)");
    return 0u;
}

}  // namespace podlane
