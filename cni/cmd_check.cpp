// CHECK: the container as it is against what ADD reported in prevResult.
#include <cstring>

#include "commands.h"
#include "node_context.h"
#include "podlane/host_veth.h"
#include "podlane/netlink.h"
#include "podlane/netns.h"
#include "result_json.h"
#include "version.h"

namespace podlane::cni {
namespace {

Result<Netlink> open_netlink_in(int netns_fd) {
    auto guard = NetnsGuard::enter(netns_fd);
    if (!guard) return guard.error();
    return Netlink::open();
}

// One family's reservation against the address prevResult gives (none: the
// network has the family, the result does not).
template <typename Store, typename Addr>
Status check_reservation(Store &store, const CniEnv &env, const std::optional<Addr> &reported, const char *family,
                         const std::string &range, std::vector<std::string> &problems) {
    auto reserved = store.find(env.container_id, env.ifname);
    if (!reserved) return reserved.error();
    if (!reported)
        problems.push_back(std::string("prevResult has no ") + family + " address, but the network has " + family +
                           " (" + range + ")");
    else if (!*reserved)
        problems.push_back(std::string("no ") + family + " IPAM reservation for the container");
    else if (!(**reserved == *reported))
        problems.push_back("IPAM reserved " + (*reserved)->str() + ", prevResult says " + reported->str());
    return {};
}

}  // namespace

CniResult<nlohmann::json> cmd_check(const CniEnv &env, const PluginConfig &cfg) {
    if (compare_versions(cfg.cni_version, "0.4.0") < 0)
        return CniError{kIncompatibleVersion,
                        "CHECK needs cniVersion 0.4.0 or later (config has " + cfg.cni_version + ")", ""};
    auto expected = expected_from_prev_result(cfg.prev_result, env.ifname);
    if (!expected) return expected.error();
    // Each family the network has: the address ADD reported, against its store.
    const std::optional<Ipv4> ip = expected->address ? std::optional{expected->address->prefix} : std::nullopt;
    const std::optional<Ipv4> gateway = ip ? expected->gateway ? expected->gateway : cfg.gateway : std::nullopt;
    std::vector<std::string> problems;

    auto store = open_store(cfg);
    if (!store) return from_error(store.error(), kStoreFailure);
    if (*store)
        if (auto st = check_reservation(**store, env, ip, "IPv4", cfg.pod_cidr->str(), problems); !st)
            return from_error(st.error(), kStoreFailure);
    auto store6 = open_store6(cfg);
    if (!store6) return from_error(store6.error(), kStoreFailure);
    const std::optional<Ipv6> ip6 = expected->address6;
    const std::optional<Ipv6> gateway6 = ip6 ? expected->gateway6 ? expected->gateway6 : cfg.gateway6 : std::nullopt;
    if (*store6)
        if (auto st = check_reservation(**store6, env, ip6, "IPv6", cfg.pod_cidr6->str(), problems); !st)
            return from_error(st.error(), kStoreFailure);

    auto host = Netlink::open();
    if (!host) return from_error(host.error(), kInternal);
    const std::string host_name = host_veth_name(env.container_id, env.ifname);
    auto host_link = host->find_link(host_name);
    if (!host_link) return from_error(host_link.error(), kInternal);
    auto bridge = host->find_link(cfg.bridge);
    if (!bridge) return from_error(bridge.error(), kInternal);
    if (!*host_link) {
        problems.push_back("host veth " + host_name + " is missing");
    } else {
        if (!(*host_link)->up()) problems.push_back("host veth " + host_name + " is down");
        if (!*bridge || (*host_link)->master != (**bridge).index)
            problems.push_back("host veth " + host_name + " is not attached to bridge " + cfg.bridge);
    }

    auto netns = open_other_netns(env.netns);
    if (!netns) return CniError{kInvalidEnvironment, "CNI_NETNS: " + netns.error().message, ""};
    auto pod = open_netlink_in(netns->get());
    if (!pod) return from_error(pod.error(), kInternal);
    auto pod_link = pod->find_link(env.ifname);
    if (!pod_link) return from_error(pod_link.error(), kInternal);
    if (!*pod_link) {
        problems.push_back("interface " + env.ifname + " is missing in " + env.netns);
    } else {
        const LinkInfo &link = **pod_link;
        if (!link.up()) problems.push_back(env.ifname + " is down");
        if (expected->mac && !(*expected->mac == link.mac))
            problems.push_back(env.ifname + " has MAC " + link.mac.str() + ", prevResult says " + expected->mac->str());
        if (ip) {
            auto has = pod->has_address(link.index, *ip);
            if (!has) return from_error(has.error(), kInternal);
            if (!*has) problems.push_back(env.ifname + " lacks address " + expected->address->str());
            auto route = pod->find_route(Cidr{Ipv4{}, 0});
            if (!route) return from_error(route.error(), kInternal);
            if (gateway &&
                (!*route || !(*route)->gateway || !(*(*route)->gateway == *gateway) || (*route)->oif != link.index))
                problems.push_back("no default route via " + gateway->str() + " dev " + env.ifname);
        }
        if (ip6) {
            auto has6 = pod->has_address6(link.index, *ip6);
            if (!has6) return from_error(has6.error(), kInternal);
            if (!*has6) problems.push_back(env.ifname + " lacks address " + ip6->str());
            auto route6 = pod->find_route6(Cidr6{});
            if (!route6) return from_error(route6.error(), kInternal);
            if (gateway6 && (!*route6 || !(*route6)->gateway || !(*(*route6)->gateway == *gateway6) ||
                             (*route6)->oif != link.index))
                problems.push_back("no IPv6 default route via " + gateway6->str() + " dev " + env.ifname);
        }
        for (const ExpectedRoute &want : expected->routes) {
            auto have = pod->find_route(want.dst);
            if (!have) return from_error(have.error(), kInternal);
            if (!*have)
                problems.push_back("no route to " + want.dst.str() + " (prevResult lists it)");
            else if (want.gateway && !((*have)->gateway && *(*have)->gateway == *want.gateway))
                problems.push_back("route to " + want.dst.str() + " does not go via " + want.gateway->str() +
                                   " as prevResult says");
        }

        auto dataplane = open_dataplane(cfg);
        if (!dataplane) return from_error(dataplane.error(), kDataplaneFailure);
        if (*dataplane) {
            if (ip) {
                auto ep = (*dataplane)->maps().endpoint(*ip);
                if (!ep) return from_error(ep.error(), kDataplaneFailure);
                if (!*ep)
                    problems.push_back("no endpoint entry for " + ip->str() + " in the dataplane");
                else if (!*host_link || (*ep)->host_ifindex != static_cast<__u32>((*host_link)->index) ||
                         std::memcmp((*ep)->pod_mac, link.mac.bytes.data(), 6) != 0)
                    problems.push_back("endpoint entry for " + ip->str() + " names another veth or MAC");
            }
            if (ip6) {
                auto ep6 = (*dataplane)->maps().endpoint6(*ip6);
                if (!ep6) return from_error(ep6.error(), kDataplaneFailure);
                if (!*ep6)
                    problems.push_back("no endpoint entry for " + ip6->str() + " in the dataplane");
                else if (!*host_link || (*ep6)->host_ifindex != static_cast<__u32>((*host_link)->index) ||
                         std::memcmp((*ep6)->pod_mac, link.mac.bytes.data(), 6) != 0)
                    problems.push_back("endpoint entry for " + ip6->str() + " names another veth or MAC");
            }
        }
    }

    if (problems.empty()) return nlohmann::json();
    std::string msg = "container " + env.container_id + " differs from prevResult: ";
    for (size_t i = 0; i < problems.size(); i++) msg += (i ? "; " : "") + problems[i];
    return CniError{kCheckMismatch, msg, ""};
}

}  // namespace podlane::cni
