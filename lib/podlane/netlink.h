// Route-netlink through libnl-3: links, addresses and routes in the network
// namespace the calling thread is in when the socket is opened.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "podlane/ip.h"
#include "podlane/result.h"

struct nl_sock;

namespace podlane {

struct LinkInfo {
    int index = 0;
    std::string name;
    std::string kind;  // "veth", "bridge", ... ("" for a plain device)
    unsigned mtu = 0;
    Mac mac;
    unsigned flags = 0;  // IFF_*
    int master = 0;      // ifindex of the bridge it is enslaved to, 0 if none
    bool up() const;
};

class Netlink {
public:
    static Result<Netlink> open();

    // std::nullopt when no such link; an Error only when netlink itself fails.
    Result<std::optional<LinkInfo>> find_link(const std::string &name);
    Result<std::optional<LinkInfo>> find_link(int ifindex);
    // Like find_link, but a missing link is an error naming it.
    Result<LinkInfo> link(const std::string &name);

    // Creates the bridge if it does not exist (safe when several processes
    // race to create it) and returns it, up.
    Result<LinkInfo> ensure_bridge(const std::string &name);
    // A veth pair: host_name here, peer_name inside the namespace peer_netns_fd
    // (-1: here too). Fails with EEXIST if host_name exists.
    Status create_veth(const std::string &host_name, const std::string &peer_name, int peer_netns_fd,
                       std::optional<unsigned> mtu = std::nullopt);
    // Ok when the link is already gone.
    Status delete_link(const std::string &name);

    Status set_up(int ifindex);
    Status set_mtu(int ifindex, unsigned mtu);
    Status set_master(int ifindex, int master_ifindex);
    Status set_noarp(int ifindex);
    // Lets the bridge send a frame back out of the port it came in on: a pod
    // reaching itself through its own Service (kube-proxy DNATs the packet to
    // the sender, br_netfilter then bridges it back to the same port).
    Status set_hairpin(int ifindex);
    // An explicitly set MAC is kept by a bridge (otherwise it takes its
    // lowest port's MAC, which changes as pods come and go).
    Status set_mac(int ifindex, const Mac &mac);

    // An interface address (address + prefix length). Ok if already present.
    Status add_address(int ifindex, const Cidr &addr);
    Status delete_address(int ifindex, const Cidr &addr);
    Result<bool> has_address(int ifindex, Ipv4 addr);

    struct Route {
        Cidr dst;
        std::optional<Ipv4> gateway;
        int oif = 0;
        std::optional<Ipv4> src;
    };
    // Adds or replaces the main-table route to dst.
    Status replace_route(const Route &route);
    // Ok when already gone.
    Status delete_route(const Cidr &dst);
    // The main-table IPv4 route whose destination is exactly dst.
    Result<std::optional<Route>> find_route(const Cidr &dst);

    // --- IPv6 (lib/netlink6.cpp)
    // addr/prefix_length on the link, with duplicate address detection off
    // (IFA_F_NODAD): the address is usable at once, and podlane's IPAM is
    // what keeps addresses unique. Ok if already present.
    Status add_address6(int ifindex, const Ipv6 &addr, uint8_t prefix_length);
    Result<bool> has_address6(int ifindex, const Ipv6 &addr);
    // Adds or replaces the main-table route to dst out of oif (through
    // gateway when set, preferring src as the source when set).
    Status replace_route6(const Cidr6 &dst, int oif, std::optional<Ipv6> gateway, std::optional<Ipv6> src = {});
    Status delete_route6(const Cidr6 &dst);
    struct Route6 {
        std::optional<Ipv6> gateway;
        int oif = 0;
    };
    // The main-table IPv6 route whose destination is exactly dst.
    Result<std::optional<Route6>> find_route6(const Cidr6 &dst);

private:
    struct SocketDeleter {
        void operator()(nl_sock *sock) const;
    };
    explicit Netlink(nl_sock *sock) : sock_(sock) {}
    Status change_link(int ifindex, const char *what, void (*apply)(void *change, unsigned value), unsigned value);

    std::unique_ptr<nl_sock, SocketDeleter> sock_;
};

// libnl's error codes are not errno values; this maps the ones we act on.
Error netlink_error(const std::string &what, int nl_err);

}  // namespace podlane
