// The kernel's neighbour tables through libnl-3: for the router role, which
// MAC each node has on the router's segment (IPv4, ARP), asking the kernel to
// resolve (or re-confirm) the ones it does not know, and a socket that wakes
// up when the table changes; for the node role, managed entries that keep
// every next hop resolved (ARP for IPv4, neighbour discovery for IPv6).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "podlane/ip.h"
#include "podlane/result.h"

struct nl_sock;

namespace podlane {

struct Neighbour {
    Ipv4 ip;
    int ifindex = 0;
    std::optional<Mac> mac;  // absent while INCOMPLETE / FAILED
    unsigned state = 0;      // NUD_*

    // Has a MAC the kernel itself would still send to: REACHABLE, STALE,
    // DELAY, PROBE, PERMANENT, NOARP.
    bool usable() const;
    // Usable but unconfirmed: the kernel keeps sending to it, but only a
    // re-probe tells whether the MAC is still right.
    bool stale() const;
};

// An interface's IPv4 connected subnet: which neighbours sit behind it.
struct InterfaceSubnet {
    int ifindex = 0;
    Cidr subnet;  // the address's prefix, host bits cleared
};

// The NDA_PROTOCOL (kernel >= 5.2) of the managed entries podlaned makes:
// the kernel keeps it, so a restarted agent recognises its own entries
// (`ip neigh show proto 112`). Unused by iproute2's rt_protos.
inline constexpr uint8_t kNeighProtocolPodlane = 112;

// (ifindex, ip): one neighbour entry (ARP; NDP for NeighbourKey6).
using NeighbourKey = std::pair<int, Ipv4>;
using NeighbourKey6 = std::pair<int, Ipv6>;

class NeighbourTable {
public:
    // A request socket, in the calling thread's network namespace.
    static Result<NeighbourTable> open();

    // Every IPv4 neighbour entry (all interfaces).
    Result<std::vector<Neighbour>> list();
    // Asks the kernel to resolve ip on ifindex (or re-probe a stale entry),
    // as if a packet were waiting for it (NTF_USE); the answer shows up in
    // the table a moment later.
    Status resolve(int ifindex, Ipv4 ip);
    // Makes ip on ifindex a managed entry (NTF_EXT_MANAGED, kernel >= 5.16):
    // the kernel resolves it now and keeps it resolved, so no packet ever
    // waits behind an ARP request for it. Tagged kNeighProtocolPodlane.
    Status keep_resolved(int ifindex, Ipv4 ip);
    // The same for an IPv6 next hop (resolved by neighbour discovery).
    Status keep_resolved(int ifindex, const Ipv6 &ip);
    // The IPv4 entries podlaned made: tagged kNeighProtocolPodlane, or (made
    // by a podlaned from before the tag) managed entries on uplink_ifindex.
    Result<std::set<NeighbourKey>> podlane_entries(int uplink_ifindex);
    // The IPv6 ones, by the same rule.
    Result<std::set<NeighbourKey6>> podlane_entries6(int uplink_ifindex);
    // Removes the entry; ok when there is none.
    Status forget(int ifindex, Ipv4 ip);
    Status forget(int ifindex, const Ipv6 &ip);
    // The IPv4 subnets of the interfaces' addresses (of the peer's, for a
    // point-to-point address).
    Result<std::vector<InterfaceSubnet>> subnets();

private:
    struct SocketDeleter {
        void operator()(nl_sock *sock) const;
    };
    explicit NeighbourTable(nl_sock *sock) : sock_(sock) {}
    std::unique_ptr<nl_sock, SocketDeleter> sock_;
};

// At start: podlaned's entries (podlane_entries) that are not wanted any
// more, e.g. of nodes that left while it was down, are removed. Returns the
// removed ones; one that could not be removed is an error naming it.
Result<std::vector<NeighbourKey>> forget_leftover_neighbours(NeighbourTable &table, int uplink_ifindex,
                                                             const std::set<NeighbourKey> &wanted);
Result<std::vector<NeighbourKey6>> forget_leftover_neighbours(NeighbourTable &table, int uplink_ifindex,
                                                              const std::set<NeighbourKey6> &wanted);

// A non-blocking socket subscribed to neighbour changes (RTM_NEWNEIGH /
// RTM_DELNEIGH): poll fd() and call drain() when it is readable.
class NeighbourEvents {
public:
    static Result<NeighbourEvents> subscribe();
    int fd() const;
    // Reads everything queued; true when at least one message arrived.
    bool drain();

private:
    struct SocketDeleter {
        void operator()(nl_sock *sock) const;
    };
    explicit NeighbourEvents(nl_sock *sock) : sock_(sock) {}
    std::unique_ptr<nl_sock, SocketDeleter> sock_;
};

}  // namespace podlane
