// libnl objects owned by unique_ptr, and IPv4 <-> nl_addr, for lib/'s netlink
// code (links and routes in netlink.cpp, neighbours in neighbours.cpp).
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <optional>

#include "podlane/ip.h"

namespace podlane::nl {

// Released by the object type's own *_put (or *_free).
template <typename T, void (*Put)(T *)>
struct Deleter {
    void operator()(T *p) const {
        if (p) Put(p);
    }
};
using LinkPtr = std::unique_ptr<rtnl_link, Deleter<rtnl_link, rtnl_link_put>>;
using AddrPtr = std::unique_ptr<rtnl_addr, Deleter<rtnl_addr, rtnl_addr_put>>;
using RoutePtr = std::unique_ptr<rtnl_route, Deleter<rtnl_route, rtnl_route_put>>;
using NeighPtr = std::unique_ptr<rtnl_neigh, Deleter<rtnl_neigh, rtnl_neigh_put>>;
using NlAddrPtr = std::unique_ptr<nl_addr, Deleter<nl_addr, nl_addr_put>>;
using CachePtr = std::unique_ptr<nl_cache, Deleter<nl_cache, nl_cache_free>>;

// nullptr when libnl cannot allocate.
inline NlAddrPtr make_addr(Ipv4 ip, int prefixlen = 32) {
    NlAddrPtr addr(nl_addr_build(AF_INET, &ip.be, 4));
    if (addr) nl_addr_set_prefixlen(addr.get(), prefixlen);
    return addr;
}

// nullopt for a missing or non-IPv4 address.
inline std::optional<Ipv4> ipv4_of(nl_addr *addr) {
    if (!addr || nl_addr_get_family(addr) != AF_INET || nl_addr_get_len(addr) != 4) return std::nullopt;
    Ipv4 ip;
    std::memcpy(&ip.be, nl_addr_get_binary_addr(addr), 4);
    return ip;
}

}  // namespace podlane::nl
