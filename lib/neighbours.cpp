#include "podlane/neighbours.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/neighbour.h>
#include <sys/socket.h>

#include <cstring>

#include "nl_objects.h"
#include "podlane/netlink.h"

namespace podlane {
namespace {

using NeighPtr = NlPtr<rtnl_neigh, rtnl_neigh_put>;

// An address as netlink carries it.
int family_of(Ipv4) {
    return AF_INET;
}
int family_of(const Ipv6 &) {
    return AF_INET6;
}
void set_from_bytes(Ipv4 &ip, const void *bytes) {
    std::memcpy(&ip.be, bytes, 4);
}
void set_from_bytes(Ipv6 &ip, const void *bytes) {
    std::memcpy(ip.bytes.data(), bytes, 16);
}
NlAddrPtr nl_address(Ipv4 ip) {
    return NlAddrPtr(nl_addr_build(AF_INET, &ip.be, 4));
}
NlAddrPtr nl_address(const Ipv6 &ip) {
    return NlAddrPtr(nl_addr_build(AF_INET6, ip.bytes.data(), 16));
}

// The neighbour entry for ip on ifindex (ARP or NDP by the family), as a
// request template.
template <typename Addr>
Result<NeighPtr> neighbour_object(int ifindex, const Addr &ip) {
    NeighPtr neigh(rtnl_neigh_alloc());
    NlAddrPtr dst = nl_address(ip);
    if (!neigh || !dst) return Error{"netlink: allocate neighbour " + ip.str(), ENOMEM};
    rtnl_neigh_set_ifindex(neigh.get(), ifindex);
    rtnl_neigh_set_family(neigh.get(), family_of(ip));
    if (int err = rtnl_neigh_set_dst(neigh.get(), dst.get()); err < 0)
        return netlink_error("neighbour " + ip.str(), err);
    return neigh;
}

template <typename Addr>
Status keep_resolved_in(nl_sock *sock, int ifindex, const Addr &ip) {
    auto neigh = neighbour_object(ifindex, ip);
    if (!neigh) return neigh.error();
    rtnl_neigh_set_state(neigh->get(), NUD_NONE);  // the kernel resolves it; PERMANENT is refused
    nl_msg *msg = nullptr;
    if (int err = rtnl_neigh_build_add_request(neigh->get(), NLM_F_CREATE | NLM_F_REPLACE, &msg); err < 0)
        return netlink_error("build neighbour request for " + ip.str(), err);
    // libnl-3.7 has no setter for the extended flags nor the protocol: add
    // the attributes. The protocol is how the next start finds the entries
    // of nodes that left while podlaned was down (podlane_entries).
    if (int err = nla_put_u32(msg, NDA_FLAGS_EXT, NTF_EXT_MANAGED); err < 0) {
        nlmsg_free(msg);
        return netlink_error("build neighbour request for " + ip.str(), err);
    }
    if (int err = nla_put_u8(msg, NDA_PROTOCOL, kNeighProtocolPodlane); err < 0) {
        nlmsg_free(msg);
        return netlink_error("build neighbour request for " + ip.str(), err);
    }
    int err = nl_send_sync(sock, msg);  // frees msg
    if (err < 0)
        return netlink_error("keep neighbour " + ip.str() + " on link #" + std::to_string(ifindex) + " resolved", err);
    return {};
}

template <typename Addr>
Status forget_in(nl_sock *sock, int ifindex, const Addr &ip) {
    auto neigh = neighbour_object(ifindex, ip);
    if (!neigh) return neigh.error();
    int err = rtnl_neigh_delete(sock, neigh->get(), 0);
    if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
        return netlink_error("remove neighbour " + ip.str() + " on link #" + std::to_string(ifindex), err);
    return {};
}

constexpr unsigned kUsableStates = NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;

}  // namespace

bool Neighbour::usable() const {
    return mac && (state & kUsableStates);
}
bool Neighbour::stale() const {
    return usable() && (state & NUD_STALE);
}

void NeighbourTable::SocketDeleter::operator()(nl_sock *sock) const {
    nl_socket_free(sock);
}
void NeighbourEvents::SocketDeleter::operator()(nl_sock *sock) const {
    nl_socket_free(sock);
}

Result<NeighbourTable> NeighbourTable::open() {
    nl_sock *sock = nl_socket_alloc();
    if (!sock) return Error{"netlink: allocate socket for the neighbour table", ENOMEM};
    NeighbourTable table(sock);
    if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0)
        return netlink_error("netlink: connect (neighbour table)", err);
    return table;
}

Result<std::vector<Neighbour>> NeighbourTable::list() {
    nl_cache *raw = nullptr;
    if (int err = rtnl_neigh_alloc_cache(sock_.get(), &raw); err < 0) return netlink_error("list neighbours", err);
    CachePtr cache(raw);
    std::vector<Neighbour> out;
    for (nl_object *obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto *neigh = reinterpret_cast<rtnl_neigh *>(obj);
        if (rtnl_neigh_get_family(neigh) != AF_INET) continue;
        auto ip = nl_ipv4(rtnl_neigh_get_dst(neigh));
        if (!ip) continue;
        Neighbour n{*ip, rtnl_neigh_get_ifindex(neigh), std::nullopt,
                    static_cast<unsigned>(rtnl_neigh_get_state(neigh))};
        nl_addr *ll = rtnl_neigh_get_lladdr(neigh);
        if (ll && nl_addr_get_len(ll) == 6) {
            Mac mac;
            std::memcpy(mac.bytes.data(), nl_addr_get_binary_addr(ll), 6);
            if (mac != Mac{}) n.mac = mac;
        }
        out.push_back(n);
    }
    return out;
}

Status NeighbourTable::resolve(int ifindex, Ipv4 ip) {
    auto neigh = neighbour_object(ifindex, ip);
    if (!neigh) return neigh.error();
    // NTF_USE: the kernel runs neigh_event_send() on the (possibly new)
    // entry, exactly what a packet waiting for it would trigger.
    rtnl_neigh_set_flags(neigh->get(), NTF_USE);
    int err = rtnl_neigh_add(sock_.get(), neigh->get(), NLM_F_CREATE | NLM_F_REPLACE);
    if (err < 0) return netlink_error("resolve neighbour " + ip.str() + " on link #" + std::to_string(ifindex), err);
    return {};
}

Status NeighbourTable::keep_resolved(int ifindex, Ipv4 ip) {
    return keep_resolved_in(sock_.get(), ifindex, ip);
}
Status NeighbourTable::keep_resolved(int ifindex, const Ipv6 &ip) {
    return keep_resolved_in(sock_.get(), ifindex, ip);
}

namespace {

template <typename Addr>
struct OwnedScan {
    int uplink_ifindex;
    std::set<std::pair<int, Addr>> found;
};

// One RTM_NEWNEIGH of the dump: libnl's rtnl_neigh parses no NDA_PROTOCOL,
// so the attributes are read here.
template <typename Addr>
int collect_owned(nl_msg *msg, void *arg) {
    auto *scan = static_cast<OwnedScan<Addr> *>(arg);
    nlmsghdr *hdr = nlmsg_hdr(msg);
    if (hdr->nlmsg_type != RTM_NEWNEIGH) return NL_OK;
    auto *ndm = static_cast<ndmsg *>(nlmsg_data(hdr));
    nlattr *tb[NDA_MAX + 1] = {};
    Addr ip{};
    const int want_len = family_of(ip) == AF_INET ? 4 : 16;
    if (ndm->ndm_family != family_of(ip) || nlmsg_parse(hdr, sizeof(ndmsg), tb, NDA_MAX, nullptr) < 0) return NL_OK;
    if (!tb[NDA_DST] || nla_len(tb[NDA_DST]) != want_len) return NL_OK;
    const uint8_t protocol = tb[NDA_PROTOCOL] ? nla_get_u8(tb[NDA_PROTOCOL]) : 0;
    const uint32_t flags_ext = tb[NDA_FLAGS_EXT] ? nla_get_u32(tb[NDA_FLAGS_EXT]) : 0;
    const int ifindex = ndm->ndm_ifindex;
    if (protocol == kNeighProtocolPodlane ||
        ((flags_ext & NTF_EXT_MANAGED) && ifindex == scan->uplink_ifindex && scan->uplink_ifindex > 0)) {
        set_from_bytes(ip, nla_data(tb[NDA_DST]));
        scan->found.insert({ifindex, ip});
    }
    return NL_OK;
}

struct CbDeleter {
    void operator()(nl_cb *cb) const { nl_cb_put(cb); }
};

}  // namespace

namespace {

template <typename Addr>
Result<std::set<std::pair<int, Addr>>> podlane_entries_in(nl_sock *sock, int uplink_ifindex) {
    ndmsg req{};
    req.ndm_family = static_cast<unsigned char>(family_of(Addr{}));
    if (int err = nl_send_simple(sock, RTM_GETNEIGH, NLM_F_DUMP, &req, sizeof req); err < 0)
        return netlink_error("list neighbours", err);
    std::unique_ptr<nl_cb, CbDeleter> cb(nl_cb_alloc(NL_CB_DEFAULT));
    if (!cb) return Error{"netlink: allocate callback for the neighbour dump", ENOMEM};
    OwnedScan<Addr> scan{uplink_ifindex, {}};
    nl_cb_set(cb.get(), NL_CB_VALID, NL_CB_CUSTOM, collect_owned<Addr>, &scan);
    if (int err = nl_recvmsgs(sock, cb.get()); err < 0) return netlink_error("list neighbours", err);
    return std::move(scan.found);
}

template <typename Key>
Result<std::vector<Key>> forget_leftovers(NeighbourTable &table, const std::set<Key> &ours,
                                          const std::set<Key> &wanted) {
    std::vector<Key> removed;
    for (const auto &key : ours) {
        if (wanted.count(key)) continue;
        if (auto st = table.forget(key.first, key.second); !st) return st.error();
        removed.push_back(key);
    }
    return removed;
}

}  // namespace

Result<std::set<NeighbourKey>> NeighbourTable::podlane_entries(int uplink_ifindex) {
    return podlane_entries_in<Ipv4>(sock_.get(), uplink_ifindex);
}
Result<std::set<NeighbourKey6>> NeighbourTable::podlane_entries6(int uplink_ifindex) {
    return podlane_entries_in<Ipv6>(sock_.get(), uplink_ifindex);
}

Status NeighbourTable::forget(int ifindex, Ipv4 ip) {
    return forget_in(sock_.get(), ifindex, ip);
}
Status NeighbourTable::forget(int ifindex, const Ipv6 &ip) {
    return forget_in(sock_.get(), ifindex, ip);
}

Result<std::vector<NeighbourKey>> forget_leftover_neighbours(NeighbourTable &table, int uplink_ifindex,
                                                             const std::set<NeighbourKey> &wanted) {
    auto ours = table.podlane_entries(uplink_ifindex);
    if (!ours) return ours.error();
    return forget_leftovers(table, *ours, wanted);
}

Result<std::vector<NeighbourKey6>> forget_leftover_neighbours(NeighbourTable &table, int uplink_ifindex,
                                                              const std::set<NeighbourKey6> &wanted) {
    auto ours = table.podlane_entries6(uplink_ifindex);
    if (!ours) return ours.error();
    return forget_leftovers(table, *ours, wanted);
}

Result<std::vector<InterfaceSubnet>> NeighbourTable::subnets() {
    nl_cache *raw = nullptr;
    if (int err = rtnl_addr_alloc_cache(sock_.get(), &raw); err < 0) return netlink_error("list addresses", err);
    CachePtr cache(raw);
    std::vector<InterfaceSubnet> out;
    for (nl_object *obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto *addr = reinterpret_cast<rtnl_addr *>(obj);
        if (rtnl_addr_get_family(addr) != AF_INET) continue;
        // A point-to-point address ("ip addr add A peer B/32") reaches B,
        // not A: its subnet is the peer's.
        nl_addr *peer = rtnl_addr_get_peer(addr);
        auto ip = nl_ipv4(peer ? peer : rtnl_addr_get_local(addr));
        if (!ip) continue;
        Cidr c{*ip, static_cast<uint8_t>(rtnl_addr_get_prefixlen(addr))};
        c.prefix = c.network();
        out.push_back({rtnl_addr_get_ifindex(addr), c});
    }
    return out;
}

Result<NeighbourEvents> NeighbourEvents::subscribe() {
    nl_sock *sock = nl_socket_alloc();
    if (!sock) return Error{"netlink: allocate socket for neighbour events", ENOMEM};
    NeighbourEvents events(sock);
    nl_socket_disable_seq_check(sock);
    if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0)
        return netlink_error("netlink: connect (neighbour events)", err);
    if (int err = nl_socket_add_membership(sock, RTNLGRP_NEIGH); err < 0)
        return netlink_error("netlink: subscribe to neighbour events", err);
    if (int err = nl_socket_set_nonblocking(sock); err < 0)
        return netlink_error("netlink: non-blocking events socket", err);
    return events;
}

int NeighbourEvents::fd() const {
    return nl_socket_get_fd(sock_.get());
}

bool NeighbourEvents::drain() {
    bool any = false;
    char buf[8192];
    // Content is not parsed: any change means "re-read the table", which is
    // cheap, and a lost message (ENOBUFS) is then harmless.
    for (;;) {
        ssize_t n = ::recv(fd(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            any = true;
            continue;
        }
        if (n < 0 && errno == ENOBUFS) {
            any = true;
            continue;
        }
        return any;
    }
}

}  // namespace podlane
