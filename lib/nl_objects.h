// libnl objects owned by std::unique_ptr, and reading an IPv4 address out of
// one: what lib/netlink.cpp and lib/neighbours.cpp share. Private to
// libpodlane (it names libnl types; the public headers do not).
#pragma once

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <optional>

#include "podlane/ip.h"

namespace podlane {

// Releases a libnl object with its *_put (or *_free).
template <typename T, void (*Put)(T *)>
struct NlDeleter {
    void operator()(T *p) const {
        if (p) Put(p);
    }
};
template <typename T, void (*Put)(T *)>
using NlPtr = std::unique_ptr<T, NlDeleter<T, Put>>;
using NlAddrPtr = NlPtr<nl_addr, nl_addr_put>;
using CachePtr = NlPtr<nl_cache, nl_cache_free>;

// The IPv4 address an nl_addr holds; nullopt for any other family or length.
inline std::optional<Ipv4> nl_ipv4(nl_addr *addr) {
    if (!addr || nl_addr_get_family(addr) != AF_INET || nl_addr_get_len(addr) != 4) return std::nullopt;
    Ipv4 ip;
    std::memcpy(&ip.be, nl_addr_get_binary_addr(addr), 4);
    return ip;
}

}  // namespace podlane
