#include "podlane/link_events.h"

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>

#include <cerrno>

#include "podlane/netlink.h"

namespace podlane {

void LinkEvents::SocketDeleter::operator()(nl_sock *sock) const {
    nl_socket_free(sock);
}

Result<LinkEvents> LinkEvents::subscribe() {
    nl_sock *sock = nl_socket_alloc();
    if (!sock) return Error{"netlink: allocate socket for link events", ENOMEM};
    LinkEvents events(sock);
    nl_socket_disable_seq_check(sock);
    if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0) return netlink_error("netlink: connect (link events)", err);
    // Addresses too: the node's routes that name nodeIP as their source are
    // deleted with the address, and can only come back with it.
    if (int err = nl_socket_add_memberships(sock, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_NONE); err < 0)
        return netlink_error("netlink: subscribe to link and address events", err);
    if (int err = nl_socket_set_nonblocking(sock); err < 0)
        return netlink_error("netlink: non-blocking link events socket", err);
    return events;
}

int LinkEvents::fd() const {
    return nl_socket_get_fd(sock_.get());
}

bool LinkEvents::drain() {
    bool any = false;
    char buf[8192];
    // Content is not parsed: the caller re-reads its few links by name,
    // which is cheap, and a lost message (ENOBUFS) is then harmless.
    for (;;) {
        ssize_t n = ::recv(fd(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0 || (n < 0 && errno == ENOBUFS)) {
            any = true;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        return any;
    }
}

}  // namespace podlane
