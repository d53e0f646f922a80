// A non-blocking socket subscribed to link and IPv4 address changes
// (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR): how podlaned learns that its uplink or bridge
// was deleted and re-created with a new ifindex, which every program attach
// and map entry naming the old one silently stops matching.
#pragma once

#include <memory>

#include "podlane/result.h"

struct nl_sock;

namespace podlane {

class LinkEvents {
public:
    // In the calling thread's network namespace.
    static Result<LinkEvents> subscribe();
    // Poll it for POLLIN.
    int fd() const;
    // Reads everything queued; true when at least one message arrived (or
    // some were lost): the caller then re-reads the links it cares about.
    bool drain();

private:
    struct SocketDeleter {
        void operator()(nl_sock *sock) const;
    };
    explicit LinkEvents(nl_sock *sock) : sock_(sock) {}
    std::unique_ptr<nl_sock, SocketDeleter> sock_;
};

}  // namespace podlane
