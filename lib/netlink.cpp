#include "podlane/netlink.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include <cstring>

#include "nl_objects.h"

namespace podlane {
namespace {

using LinkPtr = NlPtr<rtnl_link, rtnl_link_put>;
using AddrPtr = NlPtr<rtnl_addr, rtnl_addr_put>;
using RoutePtr = NlPtr<rtnl_route, rtnl_route_put>;

NlAddrPtr make_addr(Ipv4 ip, int prefixlen) {
    NlAddrPtr addr(nl_addr_build(AF_INET, &ip.be, 4));
    if (addr) nl_addr_set_prefixlen(addr.get(), prefixlen);
    return addr;
}

// 0.0.0.0 when the address is not IPv4.
Ipv4 ipv4_of(nl_addr *addr) {
    return nl_ipv4(addr).value_or(Ipv4{});
}

LinkInfo info_of(rtnl_link *link) {
    LinkInfo info;
    info.index = rtnl_link_get_ifindex(link);
    info.name = rtnl_link_get_name(link) ?: "";
    const char *kind = rtnl_link_get_type(link);
    info.kind = kind ? kind : "";
    info.mtu = rtnl_link_get_mtu(link);
    info.flags = rtnl_link_get_flags(link);
    info.master = rtnl_link_get_master(link);
    nl_addr *mac = rtnl_link_get_addr(link);
    if (mac && nl_addr_get_len(mac) == 6) std::memcpy(info.mac.bytes.data(), nl_addr_get_binary_addr(mac), 6);
    return info;
}

}  // namespace

bool LinkInfo::up() const {
    return flags & IFF_UP;
}

Error netlink_error(const std::string &what, int nl_err) {
    int e = nl_err < 0 ? -nl_err : nl_err;
    int errnum = 0;
    switch (e) {
        case NLE_EXIST:
            errnum = EEXIST;
            break;
        case NLE_NODEV:
            errnum = ENODEV;
            break;
        case NLE_OBJ_NOTFOUND:
            errnum = ENOENT;
            break;
        case NLE_PERM:
            errnum = EPERM;
            break;
        case NLE_NOADDR:
            errnum = EADDRNOTAVAIL;
            break;
        case NLE_INVAL:
            errnum = EINVAL;
            break;
        case NLE_BUSY:
            errnum = EBUSY;
            break;
        case NLE_NOMEM:
            errnum = ENOMEM;
            break;
        case NLE_RANGE:
            errnum = ERANGE;
            break;
        default:
            break;
    }
    return Error{what + ": " + nl_geterror(e), errnum};
}

void Netlink::SocketDeleter::operator()(nl_sock *sock) const {
    nl_socket_free(sock);
}

Result<Netlink> Netlink::open() {
    nl_sock *sock = nl_socket_alloc();
    if (!sock) return Error{"netlink: out of memory allocating a socket", ENOMEM};
    Netlink nl(sock);
    if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0) return netlink_error("netlink: connect", err);
    return nl;
}

Result<std::optional<LinkInfo>> Netlink::find_link(const std::string &name) {
    rtnl_link *raw = nullptr;
    int err = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw);
    LinkPtr link(raw);
    if (err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND) return std::optional<LinkInfo>{};
    if (err < 0) return netlink_error("netlink: get link " + name, err);
    return std::optional<LinkInfo>{info_of(link.get())};
}

Result<std::optional<LinkInfo>> Netlink::find_link(int ifindex) {
    rtnl_link *raw = nullptr;
    int err = rtnl_link_get_kernel(sock_.get(), ifindex, nullptr, &raw);
    LinkPtr link(raw);
    if (err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND) return std::optional<LinkInfo>{};
    if (err < 0) return netlink_error("netlink: get link #" + std::to_string(ifindex), err);
    return std::optional<LinkInfo>{info_of(link.get())};
}

Result<LinkInfo> Netlink::link(const std::string &name) {
    auto found = find_link(name);
    if (!found) return found.error();
    if (!*found) return Error{"interface '" + name + "' does not exist", ENODEV};
    return **found;
}

Result<LinkInfo> Netlink::ensure_bridge(const std::string &name) {
    auto existing = find_link(name);
    if (!existing) return existing.error();
    if (!*existing) {
        int err = rtnl_link_bridge_add(sock_.get(), name.c_str());
        // Another ADD may have created it between our look and our create.
        if (err < 0 && err != -NLE_EXIST) return netlink_error("create bridge " + name, err);
        existing = find_link(name);
        if (!existing) return existing.error();
        if (!*existing) return Error{"bridge " + name + " vanished right after it was created"};
    }
    if ((*existing)->kind != "bridge")
        return Error{"interface " + name + " exists but is a " +
                     ((*existing)->kind.empty() ? "plain device" : (*existing)->kind) + ", not a bridge"};
    if (!(*existing)->up()) {
        if (auto st = set_up((*existing)->index); !st) return st.error();
        (*existing)->flags |= IFF_UP;
    }
    return **existing;
}

Status Netlink::create_veth(const std::string &host_name, const std::string &peer_name, int peer_netns_fd,
                            std::optional<unsigned> mtu) {
    LinkPtr veth(rtnl_link_veth_alloc());
    if (!veth) return Error{"create veth " + host_name + ": out of memory", ENOMEM};
    rtnl_link *peer = rtnl_link_veth_get_peer(veth.get());
    rtnl_link_set_name(veth.get(), host_name.c_str());
    rtnl_link_set_name(peer, peer_name.c_str());
    if (mtu) {
        rtnl_link_set_mtu(veth.get(), *mtu);
        rtnl_link_set_mtu(peer, *mtu);
    }
    if (peer_netns_fd >= 0) rtnl_link_set_ns_fd(peer, peer_netns_fd);
    int err = rtnl_link_add(sock_.get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL);
    rtnl_link_put(peer);  // veth_get_peer took a reference
    if (err < 0) return netlink_error("create veth pair " + host_name + " / " + peer_name, err);
    return {};
}

Status Netlink::delete_link(const std::string &name) {
    LinkPtr link(rtnl_link_alloc());
    rtnl_link_set_name(link.get(), name.c_str());
    int err = rtnl_link_delete(sock_.get(), link.get());
    if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND) return netlink_error("delete link " + name, err);
    return {};
}

Status Netlink::change_link(int ifindex, const char *what, void (*apply)(void *, unsigned), unsigned value) {
    LinkPtr orig(rtnl_link_alloc());
    LinkPtr change(rtnl_link_alloc());
    rtnl_link_set_ifindex(orig.get(), ifindex);
    apply(change.get(), value);
    int err = rtnl_link_change(sock_.get(), orig.get(), change.get(), 0);
    if (err < 0) return netlink_error(std::string(what) + " on link #" + std::to_string(ifindex), err);
    return {};
}

Status Netlink::set_up(int ifindex) {
    return change_link(
        ifindex, "set up", [](void *l, unsigned) { rtnl_link_set_flags(static_cast<rtnl_link *>(l), IFF_UP); }, 0);
}

Status Netlink::set_noarp(int ifindex) {
    return change_link(
        ifindex, "set noarp", [](void *l, unsigned) { rtnl_link_set_flags(static_cast<rtnl_link *>(l), IFF_NOARP); },
        0);
}

Status Netlink::set_mac(int ifindex, const Mac &mac) {
    LinkPtr orig(rtnl_link_alloc());
    LinkPtr change(rtnl_link_alloc());
    NlAddrPtr addr(nl_addr_build(AF_LLC, mac.bytes.data(), mac.bytes.size()));
    if (!orig || !change || !addr) return Error{"set mac: out of memory", ENOMEM};
    rtnl_link_set_ifindex(orig.get(), ifindex);
    rtnl_link_set_addr(change.get(), addr.get());
    int err = rtnl_link_change(sock_.get(), orig.get(), change.get(), 0);
    if (err < 0) return netlink_error("set mac " + mac.str() + " on link #" + std::to_string(ifindex), err);
    return {};
}

Status Netlink::set_hairpin(int ifindex) {
    // A bridge port's flags travel as AF_BRIDGE protocol info.
    LinkPtr orig(rtnl_link_alloc());
    LinkPtr change(rtnl_link_alloc());
    if (!orig || !change) return Error{"set hairpin: out of memory", ENOMEM};
    rtnl_link_set_ifindex(orig.get(), ifindex);
    rtnl_link_set_family(orig.get(), AF_BRIDGE);
    rtnl_link_set_family(change.get(), AF_BRIDGE);
    int err = rtnl_link_bridge_set_flags(change.get(), RTNL_BRIDGE_HAIRPIN_MODE);
    if (err >= 0) err = rtnl_link_change(sock_.get(), orig.get(), change.get(), 0);
    if (err < 0) return netlink_error("set hairpin mode on bridge port #" + std::to_string(ifindex), err);
    return {};
}

Status Netlink::set_mtu(int ifindex, unsigned mtu) {
    return change_link(
        ifindex, "set mtu", [](void *l, unsigned v) { rtnl_link_set_mtu(static_cast<rtnl_link *>(l), v); }, mtu);
}

Status Netlink::set_master(int ifindex, int master_ifindex) {
    int err = rtnl_link_enslave_ifindex(sock_.get(), master_ifindex, ifindex);
    if (err < 0)
        return netlink_error(
            "attach link #" + std::to_string(ifindex) + " to bridge #" + std::to_string(master_ifindex), err);
    return {};
}

Status Netlink::add_address(int ifindex, const Cidr &cidr) {
    AddrPtr addr(rtnl_addr_alloc());
    NlAddrPtr local = make_addr(cidr.prefix, cidr.length);
    if (!addr || !local) return Error{"add address: out of memory", ENOMEM};
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    rtnl_addr_set_family(addr.get(), AF_INET);
    rtnl_addr_set_local(addr.get(), local.get());
    rtnl_addr_set_prefixlen(addr.get(), cidr.length);
    int err = rtnl_addr_add(sock_.get(), addr.get(), 0);
    if (err < 0 && err != -NLE_EXIST)
        return netlink_error("add address " + cidr.str() + " to link #" + std::to_string(ifindex), err);
    return {};
}

Status Netlink::delete_address(int ifindex, const Cidr &cidr) {
    AddrPtr addr(rtnl_addr_alloc());
    NlAddrPtr local = make_addr(cidr.prefix, cidr.length);
    rtnl_addr_set_ifindex(addr.get(), ifindex);
    rtnl_addr_set_family(addr.get(), AF_INET);
    rtnl_addr_set_local(addr.get(), local.get());
    rtnl_addr_set_prefixlen(addr.get(), cidr.length);
    int err = rtnl_addr_delete(sock_.get(), addr.get(), 0);
    if (err < 0 && err != -NLE_NOADDR && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
        return netlink_error("delete address " + cidr.str(), err);
    return {};
}

Result<bool> Netlink::has_address(int ifindex, Ipv4 ip) {
    nl_cache *raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_.get(), &raw); err < 0) return netlink_error("list addresses", err);
    CachePtr cache(raw);
    for (nl_object *obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto *addr = reinterpret_cast<rtnl_addr *>(obj);
        if (rtnl_addr_get_ifindex(addr) == ifindex && rtnl_addr_get_family(addr) == AF_INET &&
            ipv4_of(rtnl_addr_get_local(addr)) == ip)
            return true;
    }
    return false;
}

Status Netlink::replace_route(const Route &r) {
    RoutePtr route(rtnl_route_alloc());
    NlAddrPtr dst = make_addr(r.dst.prefix, r.dst.length);
    rtnl_route_set_family(route.get(), AF_INET);
    rtnl_route_set_dst(route.get(), dst.get());
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_protocol(route.get(), RTPROT_STATIC);
    rtnl_route_set_scope(route.get(), r.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
    NlAddrPtr src;
    if (r.src) {
        src = make_addr(*r.src, 32);
        rtnl_route_set_pref_src(route.get(), src.get());
    }
    rtnl_nexthop *nh = rtnl_route_nh_alloc();  // owned by the route once added
    rtnl_route_nh_set_ifindex(nh, r.oif);
    NlAddrPtr gw;
    if (r.gateway) {
        gw = make_addr(*r.gateway, 32);
        rtnl_route_nh_set_gateway(nh, gw.get());
    }
    rtnl_route_add_nexthop(route.get(), nh);
    int err = rtnl_route_add(sock_.get(), route.get(), NLM_F_CREATE | NLM_F_REPLACE);
    if (err < 0) return netlink_error("add route " + r.dst.str(), err);
    return {};
}

Status Netlink::delete_route(const Cidr &cidr) {
    RoutePtr route(rtnl_route_alloc());
    NlAddrPtr dst = make_addr(cidr.prefix, cidr.length);
    rtnl_route_set_family(route.get(), AF_INET);
    rtnl_route_set_dst(route.get(), dst.get());
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_scope(route.get(), RT_SCOPE_NOWHERE);  // match any scope
    int err = rtnl_route_delete(sock_.get(), route.get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NOADDR)
        return netlink_error("delete route " + cidr.str(), err);
    return {};
}

Result<std::optional<Netlink::Route>> Netlink::find_route(const Cidr &cidr) {
    nl_cache *raw = nullptr;
    if (int err = rtnl_route_alloc_cache(sock_.get(), AF_INET, 0, &raw); err < 0)
        return netlink_error("list routes", err);
    CachePtr cache(raw);
    for (nl_object *obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto *route = reinterpret_cast<rtnl_route *>(obj);
        nl_addr *dst = rtnl_route_get_dst(route);
        if (rtnl_route_get_table(route) != RT_TABLE_MAIN || !dst) continue;
        if (static_cast<int>(nl_addr_get_prefixlen(dst)) != cidr.length || !(ipv4_of(dst) == cidr.prefix)) continue;
        if (cidr.length == 0 && nl_addr_get_len(dst) != 0 && !(ipv4_of(dst) == Ipv4{})) continue;
        Route out{cidr, std::nullopt, 0, std::nullopt};
        if (rtnl_route_get_nnexthops(route) > 0) {
            rtnl_nexthop *nh = rtnl_route_nexthop_n(route, 0);
            out.oif = rtnl_route_nh_get_ifindex(nh);
            if (nl_addr *gw = rtnl_route_nh_get_gateway(nh)) out.gateway = ipv4_of(gw);
        }
        if (nl_addr *src = rtnl_route_get_pref_src(route)) out.src = ipv4_of(src);
        return std::optional<Route>{out};
    }
    return std::optional<Route>{};
}

}  // namespace podlane
