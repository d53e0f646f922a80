#include "podlane/veth_peer.h"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "nl_objects.h"
#include "podlane/netlink.h"

namespace podlane {
namespace {

using LinkPtr = NlPtr<rtnl_link, rtnl_link_put>;
using MsgPtr = NlPtr<nl_msg, nlmsg_free>;
using SockPtr = NlPtr<nl_sock, nl_socket_free>;

// Fills *out with the link's MAC from an RTM_NEWLINK answer.
int take_mac(nl_msg *msg, void *arg) {
    auto *out = static_cast<std::optional<Mac> *>(arg);
    nlattr *tb[IFLA_MAX + 1];
    if (nlmsg_parse(nlmsg_hdr(msg), sizeof(ifinfomsg), tb, IFLA_MAX, nullptr) < 0) return NL_SKIP;
    if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
        Mac mac;
        std::memcpy(mac.bytes.data(), nla_data(tb[IFLA_ADDRESS]), 6);
        *out = mac;
    }
    return NL_OK;
}

}  // namespace

Result<Mac> veth_peer_mac(int host_ifindex) {
    const std::string what = "peer of veth #" + std::to_string(host_ifindex);
    SockPtr sock(nl_socket_alloc());
    if (!sock) return Error{what + ": out of memory allocating a netlink socket", ENOMEM};
    if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) return netlink_error(what + ": connect", err);

    rtnl_link *raw = nullptr;
    int err = rtnl_link_get_kernel(sock.get(), host_ifindex, nullptr, &raw);
    LinkPtr host(raw);
    if (err == -NLE_NODEV || err == -NLE_OBJ_NOTFOUND) return Error{what + ": the veth is gone", ENODEV};
    if (err < 0) return netlink_error(what + ": get link", err);
    const int peer = rtnl_link_get_link(host.get());
    if (peer <= 0) return Error{what + ": not a veth with a peer", ENODEV};
    int32_t nsid = -1;
    const bool elsewhere = rtnl_link_get_link_netnsid(host.get(), &nsid) == 0 && nsid >= 0;

    nl_msg *raw_msg = nullptr;
    if (int e = rtnl_link_build_get_request(peer, nullptr, &raw_msg); e < 0)
        return netlink_error(what + ": build request", e);
    MsgPtr msg(raw_msg);
    // Without a netns ID the peer lives in this namespace.
    if (elsewhere && nla_put_s32(msg.get(), IFLA_TARGET_NETNSID, nsid) < 0)
        return Error{what + ": request too large", EMSGSIZE};
    std::optional<Mac> mac;
    if (int e = nl_socket_modify_cb(sock.get(), NL_CB_VALID, NL_CB_CUSTOM, take_mac, &mac); e < 0)
        return netlink_error(what + ": set callback", e);
    if (int e = nl_send_auto(sock.get(), msg.get()); e < 0) return netlink_error(what + ": send", e);
    if (int e = nl_recvmsgs_default(sock.get()); e < 0) {
        if (e == -NLE_NODEV || e == -NLE_OBJ_NOTFOUND) return Error{what + ": the pod's end is gone", ENODEV};
        return netlink_error(what + ": get link #" + std::to_string(peer) + " in netns " + std::to_string(nsid), e);
    }
    if (!mac) return Error{what + ": the answer carries no MAC", EIO};
    return *mac;
}

}  // namespace podlane
