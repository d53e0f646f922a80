// The IPv6 half of Netlink: addresses without DAD, routes.
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include <cstring>

#include "nl_objects.h"
#include "podlane/netlink.h"

namespace podlane {
namespace {

using AddrPtr = NlPtr<rtnl_addr, rtnl_addr_put>;
using RoutePtr = NlPtr<rtnl_route, rtnl_route_put>;

NlAddrPtr make_addr6(const Ipv6 &ip, int prefixlen) {
    NlAddrPtr addr(nl_addr_build(AF_INET6, ip.bytes.data(), ip.bytes.size()));
    if (addr) nl_addr_set_prefixlen(addr.get(), prefixlen);
    return addr;
}

Ipv6 ipv6_of(nl_addr *addr) {
    Ipv6 out;
    if (nl_addr_get_len(addr) == 16) std::memcpy(out.bytes.data(), nl_addr_get_binary_addr(addr), 16);
    return out;
}

}  // namespace

Status Netlink::add_address6(int ifindex, const Ipv6 &ip, uint8_t prefix_length) {
    AddrPtr addr(rtnl_addr_alloc());
    NlAddrPtr local = make_addr6(ip, prefix_length);
    if (!addr || !local) return Error{"add address: out of memory", ENOMEM};
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    rtnl_addr_set_family(addr.get(), AF_INET6);
    rtnl_addr_set_local(addr.get(), local.get());
    rtnl_addr_set_prefixlen(addr.get(), prefix_length);
    rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
    int err = rtnl_addr_add(sock_.get(), addr.get(), 0);
    if (err < 0 && err != -NLE_EXIST)
        return netlink_error(
            "add address " + ip.str() + "/" + std::to_string(prefix_length) + " to link #" + std::to_string(ifindex),
            err);
    return {};
}

Result<bool> Netlink::has_address6(int ifindex, const Ipv6 &ip) {
    nl_cache *raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_.get(), &raw); err < 0) return netlink_error("list addresses", err);
    CachePtr cache(raw);
    for (nl_object *obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto *addr = reinterpret_cast<rtnl_addr *>(obj);
        nl_addr *local = rtnl_addr_get_local(addr);
        if (rtnl_addr_get_ifindex(addr) == ifindex && rtnl_addr_get_family(addr) == AF_INET6 && local &&
            nl_addr_get_len(local) == 16 && std::memcmp(nl_addr_get_binary_addr(local), ip.bytes.data(), 16) == 0)
            return true;
    }
    return false;
}

Status Netlink::replace_route6(const Cidr6 &dst, int oif, std::optional<Ipv6> gateway, std::optional<Ipv6> src) {
    RoutePtr route(rtnl_route_alloc());
    NlAddrPtr dst_addr = make_addr6(dst.network(), dst.length);
    rtnl_route_set_family(route.get(), AF_INET6);
    rtnl_route_set_dst(route.get(), dst_addr.get());
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
    rtnl_route_set_scope(route.get(), RT_SCOPE_UNIVERSE);
    NlAddrPtr src_addr;
    if (src) {
        src_addr = make_addr6(*src, 128);
        rtnl_route_set_pref_src(route.get(), src_addr.get());
    }
    rtnl_nexthop *nh = rtnl_route_nh_alloc();  // owned by the route once added
    rtnl_route_nh_set_ifindex(nh, oif);
    NlAddrPtr gw;
    if (gateway) {
        gw = make_addr6(*gateway, 128);
        rtnl_route_nh_set_gateway(nh, gw.get());
    }
    rtnl_route_add_nexthop(route.get(), nh);
    int err = rtnl_route_add(sock_.get(), route.get(), NLM_F_CREATE | NLM_F_REPLACE);
    if (err < 0) return netlink_error("add route " + dst.str(), err);
    return {};
}

Status Netlink::delete_route6(const Cidr6 &dst) {
    RoutePtr route(rtnl_route_alloc());
    NlAddrPtr dst_addr = make_addr6(dst.network(), dst.length);
    rtnl_route_set_family(route.get(), AF_INET6);
    rtnl_route_set_dst(route.get(), dst_addr.get());
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_scope(route.get(), RT_SCOPE_NOWHERE);
    int err = rtnl_route_delete(sock_.get(), route.get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR)
        return netlink_error("delete route " + dst.str(), err);
    return {};
}

Result<std::optional<Netlink::Route6>> Netlink::find_route6(const Cidr6 &cidr) {
    nl_cache *raw = nullptr;
    if (int err = rtnl_route_alloc_cache(sock_.get(), AF_INET6, 0, &raw); err < 0)
        return netlink_error("list IPv6 routes", err);
    CachePtr cache(raw);
    for (nl_object *obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto *route = reinterpret_cast<rtnl_route *>(obj);
        nl_addr *dst = rtnl_route_get_dst(route);
        if (rtnl_route_get_table(route) != RT_TABLE_MAIN || !dst) continue;
        if (static_cast<int>(nl_addr_get_prefixlen(dst)) != cidr.length || !(ipv6_of(dst) == cidr.network())) continue;
        Route6 out;
        if (rtnl_route_get_nnexthops(route) > 0) {
            rtnl_nexthop *nh = rtnl_route_nexthop_n(route, 0);
            out.oif = rtnl_route_nh_get_ifindex(nh);
            if (nl_addr *gw = rtnl_route_nh_get_gateway(nh)) out.gateway = ipv6_of(gw);
        }
        return std::optional<Route6>{out};
    }
    return std::optional<Route6>{};
}

}  // namespace podlane
