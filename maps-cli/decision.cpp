#include "decision.h"

#include <algorithm>

namespace podlane::ctl {
namespace {

bool is_multicast_or_broadcast(Ipv4 addr) {
    return (addr.host() & 0xF0000000u) == 0xE0000000u || addr.be == 0xFFFFFFFFu;
}

// pl_unclaimed_reason(): why a destination no entry claims goes to the kernel.
podlane_reason unclaimed_reason(const std::optional<podlane_node_config> &cfg, Ipv4 dst) {
    if (!cfg) return PODLANE_PASS_NO_CONFIG;
    if (dst.be == cfg->node_ip || dst.be == cfg->gateway_ip) return PODLANE_PASS_TO_NODE;
    if (is_multicast_or_broadcast(dst)) return PODLANE_PASS_BROADCAST;
    return PODLANE_PASS_NO_ROUTE;
}

std::optional<EndpointEntry> find_endpoint(const std::vector<EndpointEntry> &endpoints, Ipv4 ip) {
    auto it = std::find_if(endpoints.begin(), endpoints.end(), [&](const EndpointEntry &e) { return e.pod_ip == ip; });
    if (it == endpoints.end()) return std::nullopt;
    return *it;
}

std::optional<Endpoint6Entry> find_endpoint6(const std::vector<Endpoint6Entry> &endpoints, const Ipv6 &ip) {
    auto it = std::find_if(endpoints.begin(), endpoints.end(), [&](const Endpoint6Entry &e) { return e.pod_ip == ip; });
    if (it == endpoints.end()) return std::nullopt;
    return *it;
}

// pl_unclaimed_reason6(): the node's or the gateway's address, or no route.
podlane_reason unclaimed_reason6(const podlane_node_config6 &cfg, const Ipv6 &dst) {
    if (dst == from_in6(cfg.node_ip) || dst == from_in6(cfg.gateway_ip)) return PODLANE_PASS_TO_NODE;
    return PODLANE_PASS_NO_ROUTE;
}

}  // namespace

std::optional<podlane_node_config> effective_config(const std::optional<podlane_node_config> &config) {
    if (!config || config->node_ip == 0) return std::nullopt;  // pl_config()
    return config;
}

Decision decide(const std::vector<RouteEntry> &routes, const std::vector<EndpointEntry> &endpoints,
                const std::optional<podlane_node_config> &config_in, Ipv4 dst, Direction from,
                const DecideOptions &options) {
    const auto cfg = effective_config(config_in);
    Decision d;
    d.route = longest_prefix_match(routes, dst);
    const bool local = d.route && (d.route->value.flags & PODLANE_ROUTE_F_LOCAL);

    // Both programs check the packet's source against the config before
    // anything else (the lookup assumes a sender that passes that check).
    if (!cfg) {
        d.reason = PODLANE_PASS_NO_CONFIG;
        return d;
    }

    if (from == Direction::FromPod) {
        // pl_decide_from_pod()
        if (!d.route) {
            d.reason = unclaimed_reason(cfg, dst);
            return d;
        }
        if (!local) {
            if (options.ttl <= 1) {
                d.reason = PODLANE_PASS_TTL_EXPIRED;
                return d;
            }
            // pl_tc_forward_remote(): the uplink must exist for the MTU check.
            uint32_t uplink = d.route->value.uplink_ifindex;
            bool exists = uplink != 0 && (!options.interface_exists || options.interface_exists(uplink));
            d.reason = exists ? PODLANE_FWD_REMOTE : PODLANE_DROP_NO_UPLINK;
            return d;
        }
        d.endpoint = find_endpoint(endpoints, dst);
        if (d.endpoint)
            d.reason = PODLANE_FWD_LOCAL;
        else if (unclaimed_reason(cfg, dst) == PODLANE_PASS_TO_NODE)
            d.reason = PODLANE_PASS_TO_NODE;
        else
            d.reason = PODLANE_PASS_NO_ENDPOINT;
        return d;
    }

    // pl_decide_from_uplink(), then the uplink programs' config check.
    if (!local) {
        d.reason = unclaimed_reason(cfg, dst);
        return d;
    }
    d.endpoint = find_endpoint(endpoints, dst);
    if (!d.endpoint) {
        d.reason = unclaimed_reason(cfg, dst) == PODLANE_PASS_TO_NODE ? PODLANE_PASS_TO_NODE : PODLANE_PASS_NO_ENDPOINT;
        return d;
    }
    if (options.ttl <= 1)
        d.reason = PODLANE_PASS_TTL_EXPIRED;
    else if (!cfg)
        d.reason = PODLANE_PASS_NO_CONFIG;
    else
        d.reason = PODLANE_FWD_LOCAL;
    return d;
}

std::optional<podlane_node_config6> effective_config6(const podlane_node_config6 &config) {
    if (config.pod_prefixlen == 0) return std::nullopt;  // pl_config6()
    return config;
}

bool is_ipv6_link_scope(const Ipv6 &addr) {
    if (addr.bytes[0] == 0xFE && (addr.bytes[1] & 0xC0) == 0x80) return true;  // fe80::/10
    return addr == Ipv6{};                                                     // ::
}

bool is_ipv6_multicast(const Ipv6 &addr) {
    return addr.bytes[0] == 0xFF;
}

Decision6 decide6(const std::vector<Route6Entry> &routes, const std::vector<Endpoint6Entry> &endpoints,
                  const podlane_node_config6 &config, const Ipv6 &dst, Direction from, const DecideOptions &options) {
    Decision6 d;
    d.route = longest_prefix_match(routes, dst);
    // pl_parse_l3(): without an IPv6 config the packet is not parsed at all.
    const auto cfg = effective_config6(config);
    if (!cfg) {
        d.reason = PODLANE_PASS_NOT_IPV4;
        return d;
    }
    // pl_ipv6_not_routed(), before any source check, in every program.
    if (is_ipv6_link_scope(dst)) {
        d.reason = PODLANE_PASS_IPV6_SCOPE;
        return d;
    }
    if (is_ipv6_multicast(dst)) {
        d.reason = PODLANE_PASS_BROADCAST;
        return d;
    }
    const bool local = d.route && (d.route->value.flags & PODLANE_ROUTE_F_LOCAL);

    if (from == Direction::FromPod) {
        // pl_decide6_from_pod(), then pl_tc_forward_remote6()
        if (!d.route) {
            d.reason = unclaimed_reason6(*cfg, dst);
            return d;
        }
        if (!local) {
            if (options.ttl <= 1) {
                d.reason = PODLANE_PASS_TTL_EXPIRED;
                return d;
            }
            uint32_t uplink = d.route->value.uplink_ifindex;
            bool exists = uplink != 0 && (!options.interface_exists || options.interface_exists(uplink));
            d.reason = exists ? PODLANE_FWD_REMOTE : PODLANE_DROP_NO_UPLINK;
            return d;
        }
        d.endpoint = find_endpoint6(endpoints, dst);
        if (d.endpoint)
            d.reason = PODLANE_FWD_LOCAL;
        else
            d.reason =
                unclaimed_reason6(*cfg, dst) == PODLANE_PASS_TO_NODE ? PODLANE_PASS_TO_NODE : PODLANE_PASS_NO_ENDPOINT;
        return d;
    }

    // pl_decide6_from_uplink()
    if (!local) {
        d.reason = unclaimed_reason6(*cfg, dst);
        return d;
    }
    d.endpoint = find_endpoint6(endpoints, dst);
    if (!d.endpoint) {
        d.reason =
            unclaimed_reason6(*cfg, dst) == PODLANE_PASS_TO_NODE ? PODLANE_PASS_TO_NODE : PODLANE_PASS_NO_ENDPOINT;
        return d;
    }
    d.reason = options.ttl <= 1 ? PODLANE_PASS_TTL_EXPIRED : PODLANE_FWD_LOCAL;
    return d;
}

}  // namespace podlane::ctl
