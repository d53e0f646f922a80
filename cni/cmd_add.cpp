// ADD: bridge, address, veth pair, pod interface, endpoint; every step has
// its undo, dismissed only when all of them succeeded.
#include "commands.h"
#include "node_context.h"
#include "podlane/ethtool.h"
#include "podlane/host_veth.h"
#include "podlane/netlink.h"
#include "podlane/netns.h"
#include "podlane/pod_gateway.h"
#include "podlane/scope_exit.h"
#include "podlane/sysctl.h"
#include "result_json.h"

namespace podlane::cni {
namespace {

CniError internal(const Error &err) {
    return from_error(err, kInternal);
}

// A netlink socket bound to the pod's namespace: sockets stay in the
// namespace they were opened in, so only the open needs the setns.
Result<Netlink> open_netlink_in(int netns_fd) {
    auto guard = NetnsGuard::enter(netns_fd);
    if (!guard) return guard.error();
    return Netlink::open();
}

// The config's mtu, else the uplink's (nodeConfig names it), else that of
// the node's default-route interface; unset leaves the kernel's default.
std::optional<unsigned> default_mtu(Netlink &host, const PluginConfig &cfg) {
    if (cfg.mtu) return cfg.mtu;
    if (!cfg.uplink.empty())
        if (auto uplink = host.find_link(cfg.uplink); uplink && *uplink) return (*uplink)->mtu;
    if (auto route = host.find_route(Cidr{Ipv4{}, 0}); route && *route && (*route)->oif > 0)
        if (auto link = host.find_link((*route)->oif); link && *link) return (*link)->mtu;
    return std::nullopt;
}

// Duplicate address detection would hold the pod's IPv6 addresses tentative
// for a second or more after link-up (readiness probes fail meanwhile); the
// IPAM store already keeps them unique. Off before the link comes up, so
// that its link-local address is not tentative either.
Status disable_dad(int netns_fd, const std::string &ifname) {
    auto guard = NetnsGuard::enter(netns_fd);
    if (!guard) return guard.error();
    if (auto st = write_sysctl("/proc/sys/net/ipv6/conf/" + ifname + "/accept_dad", "0"); !st)
        return st.error().wrap("turn off IPv6 duplicate address detection in the pod");
    return {};
}

}  // namespace

CniResult<nlohmann::json> cmd_add(const CniEnv &env, const PluginConfig &cfg) {
    auto netns = open_other_netns(env.netns);
    if (!netns) return CniError{kInvalidEnvironment, "CNI_NETNS: " + netns.error().message, ""};
    auto host = Netlink::open();
    if (!host) return internal(host.error());
    auto pod = open_netlink_in(netns->get());
    if (!pod) return internal(pod.error().wrap("CNI_NETNS " + env.netns));

    // The bridge, its gateway addresses and MAC: podlaned's, set up at its
    // start by this same function (then nothing changes here); without
    // podlaned this makes the plain bridge network. Shared by all pods, never
    // undone.
    PodGatewayAddresses gateways;
    if (cfg.pod_cidr) gateways.ipv4 = Cidr{*cfg.gateway, cfg.pod_cidr->length};
    if (cfg.pod_cidr6) gateways.ipv6 = Cidr6{*cfg.gateway6, cfg.pod_cidr6->length};
    auto bridge = ensure_pod_gateway(*host, cfg.bridge, gateways);
    if (!bridge) return internal(bridge.error());

    auto mtu = default_mtu(*host, cfg);

    // An address of each family the network has.
    auto store = open_store(cfg);
    if (!store) return from_error(store.error(), kStoreFailure);
    std::optional<Ipv4> ip;
    std::optional<ScopeExit<std::function<void()>>> undo_ip;
    if (*store) {
        auto got = (*store)->allocate(env.container_id, env.ifname);
        if (!got) return from_error(got.error(), got.error().errnum == ENOSPC ? kRangeExhausted : kStoreFailure);
        ip = *got;
        undo_ip.emplace([&] { (void)(*store)->release(env.container_id, env.ifname); });
    }
    auto store6 = open_store6(cfg);
    if (!store6) return from_error(store6.error(), kStoreFailure);
    std::optional<Ipv6> ip6;
    std::optional<ScopeExit<std::function<void()>>> undo_ip6;  // after store6: runs before it closes
    if (*store6) {
        auto got = (*store6)->allocate(env.container_id, env.ifname);
        if (!got) return from_error(got.error(), got.error().errnum == ENOSPC ? kRangeExhausted : kStoreFailure);
        ip6 = *got;
        undo_ip6.emplace([&] { (void)(*store6)->release(env.container_id, env.ifname); });
    }

    const std::string host_name = host_veth_name(env.container_id, env.ifname);
    if (auto st = host->create_veth(host_name, env.ifname, netns->get(), mtu); !st) {
        Error err = st.error();
        if (err.errnum == EEXIST)
            err = err.wrap(host_name + " or " + env.ifname + " in the pod already exists (ADD twice without DEL?)");
        return internal(err);
    }
    ScopeExit undo_veth([&] { (void)host->delete_link(host_name); });

    auto host_link = host->link(host_name);
    if (!host_link) return internal(host_link.error());
    if (auto st = host->set_master(host_link->index, bridge->index); !st) return internal(st.error());
    if (auto st = host->set_hairpin(host_link->index); !st) return internal(st.error());
    if (auto st = host->set_up(host_link->index); !st) return internal(st.error());

    const std::optional<Cidr> pod_addr = ip ? std::optional{Cidr{*ip, cfg.pod_cidr->length}} : std::nullopt;
    auto pod_link = pod->link(env.ifname);
    if (!pod_link) return internal(pod_link.error());
    if (pod_addr)
        if (auto st = pod->add_address(pod_link->index, *pod_addr); !st) return internal(st.error());
    if (ip6) {
        if (auto st = disable_dad(netns->get(), env.ifname); !st) return internal(st.error());
        if (auto st = pod->add_address6(pod_link->index, *ip6, cfg.pod_cidr6->length); !st) return internal(st.error());
    }
    if (auto st = pod->set_up(pod_link->index); !st) return internal(st.error());
    if (ip) {
        Netlink::Route default_route{Cidr{Ipv4{}, 0}, cfg.gateway, pod_link->index, std::nullopt};
        if (auto st = pod->replace_route(default_route); !st) return internal(st.error());
    }
    if (ip6)
        if (auto st = pod->replace_route6(Cidr6{}, pod_link->index, *cfg.gateway6); !st) return internal(st.error());

    auto dataplane = open_dataplane(cfg);
    if (!dataplane) return from_error(dataplane.error(), kDataplaneFailure);
    std::optional<ScopeExit<std::function<void()>>> undo_endpoint, undo_endpoint6, undo_exemption;
    podlane_endpoint_value ep{};
    if (*dataplane) {
        ep.host_ifindex = static_cast<__u32>(host_link->index);
        std::copy(pod_link->mac.bytes.begin(), pod_link->mac.bytes.end(), ep.pod_mac);
        std::copy(host_link->mac.bytes.begin(), host_link->mac.bytes.end(), ep.host_mac);
        if ((*dataplane)->uplink_xdp()) {
            auto guard = NetnsGuard::enter(netns->get());
            if (!guard) return internal(guard.error());
            if (auto st = set_gro(env.ifname, true); !st) return from_error(st.error(), kDataplaneFailure);
        }
        if ((*dataplane)->per_veth()) {
            // Detached with the veth itself if anything later fails.
            if (auto st = (*dataplane)->attach_pod_program(host_link->index); !st)
                return from_error(st.error(), kDataplaneFailure);
            ep.flags |= PODLANE_ENDPOINT_F_PROG_ATTACHED;
        }
        if (cfg.allow_any_source) {
            // Before the endpoint: a pod is never reachable while its
            // packets would still be dropped as spoofed.
            if (auto st = (*dataplane)->maps().put_source_exemption(ep.host_ifindex, ep.pod_mac); !st)
                return from_error(st.error(), kDataplaneFailure);
            undo_exemption.emplace(
                [&] { (void)(*dataplane)->maps().delete_source_exemption(ep.host_ifindex, ep.pod_mac); });
        }
        if (ip) {
            if (auto st = (*dataplane)->maps().put_endpoint(*ip, ep); !st)
                return from_error(st.error(), kDataplaneFailure);
            undo_endpoint.emplace([&] { (void)(*dataplane)->maps().delete_endpoint(*ip); });
        }
        if (ip6) {
            if (auto st = (*dataplane)->maps().put_endpoint6(*ip6, ep); !st)
                return from_error(st.error(), kDataplaneFailure);
            undo_endpoint6.emplace([&] { (void)(*dataplane)->maps().delete_endpoint6(*ip6); });
        }
    }

    AddResult result;
    result.interfaces = {
        {cfg.bridge, bridge->mac, ""}, {host_name, host_link->mac, ""}, {env.ifname, pod_link->mac, env.netns}};
    result.address = pod_addr;
    result.gateway = cfg.gateway;
    if (ip6) result.address6 = ResultAddress6{*ip6, cfg.pod_cidr6->length, *cfg.gateway6};
    result.dns = cfg.dns;

    if (undo_endpoint) undo_endpoint->dismiss();
    if (undo_endpoint6) undo_endpoint6->dismiss();
    if (undo_ip6) undo_ip6->dismiss();
    if (undo_exemption) undo_exemption->dismiss();
    undo_veth.dismiss();
    if (undo_ip) undo_ip->dismiss();
    return to_json(result, cfg.cni_version, cfg.prev_result);
}

}  // namespace podlane::cni
