#include "router/router_links.h"

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include <cstring>
#include <memory>

#include "podlane/netlink.h"

namespace podlane {

Result<bool> veth_peer_in_other_netns(int ifindex) {
    std::unique_ptr<nl_sock, void (*)(nl_sock *)> sock(nl_socket_alloc(), nl_socket_free);
    if (!sock) return Error{"netlink: allocate socket", ENOMEM};
    if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) return netlink_error("netlink: connect", err);
    rtnl_link *raw = nullptr;
    if (int err = rtnl_link_get_kernel(sock.get(), ifindex, nullptr, &raw); err < 0)
        return netlink_error("netlink: get link #" + std::to_string(ifindex), err);
    std::unique_ptr<rtnl_link, void (*)(rtnl_link *)> link(raw, rtnl_link_put);
    const char *kind = rtnl_link_get_type(link.get());
    if (!kind || std::strcmp(kind, "veth") != 0) return false;
    int32_t nsid = -1;
    return rtnl_link_get_link_netnsid(link.get(), &nsid) == 0 && nsid >= 0;
}

}  // namespace podlane
