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

}  // namespace podlane::ctl
