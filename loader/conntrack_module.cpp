#include "conntrack_module.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "podlane/unique_fd.h"

namespace podlane {

namespace {

bool conntrack_loaded() {
    return ::access("/sys/module/nf_conntrack", F_OK) == 0;
}

struct CtStatsRequest {
    nlmsghdr header;
    nfgenmsg family;
};

}  // namespace

Status load_conntrack_module() {
    if (conntrack_loaded()) return {};
    // Creating the socket loads nfnetlink itself when it is a module.
    UniqueFd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!sock.valid()) return errno_error("open a netfilter netlink socket to load nf_conntrack", errno);
    CtStatsRequest request{};
    request.header.nlmsg_len = sizeof(request);
    request.header.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    request.header.nlmsg_seq = 1;
    request.family.nfgen_family = AF_UNSPEC;
    request.family.version = NFNETLINK_V0;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(sock.get(), &request, sizeof(request), 0, reinterpret_cast<sockaddr *>(&kernel), sizeof(kernel)) < 0)
        return errno_error("send a conntrack request to load nf_conntrack", errno);
    // The kernel loads the module while it handles the request; the answer
    // (statistics, or an error) only says the request was handled.
    std::array<char, 8192> answer{};
    timeval timeout{5, 0};
    ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (::recv(sock.get(), answer.data(), answer.size(), 0) < 0)
        return errno_error("read the answer to the conntrack request", errno);
    if (!conntrack_loaded())
        return Error{
            "the kernel did not load nf_conntrack on a conntrack request (no module, or module loading is "
            "disabled); load it before podlaned starts: modprobe nf_conntrack",
            ENOENT};
    return {};
}

}  // namespace podlane
