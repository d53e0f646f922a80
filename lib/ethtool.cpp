#include "podlane/ethtool.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>

#include "podlane/unique_fd.h"

namespace podlane {
namespace {

Status ethtool_ioctl(const std::string &ifname, void *data, const char *what) {
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock.valid()) return errno_error("socket for ethtool", errno);
    ifreq req{};
    std::strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    req.ifr_data = static_cast<char *>(data);
    if (::ioctl(sock.get(), SIOCETHTOOL, &req) != 0) return errno_error(std::string(what) + " of " + ifname, errno);
    return {};
}

}  // namespace

Result<std::string> interface_driver(const std::string &ifname) {
    ethtool_drvinfo info{};
    info.cmd = ETHTOOL_GDRVINFO;
    if (auto st = ethtool_ioctl(ifname, &info, "ethtool driver info"); !st) return st.error();
    return std::string(info.driver);
}

Status set_gro(const std::string &ifname, bool on) {
    ethtool_value value{};
    value.cmd = ETHTOOL_SGRO;
    value.data = on ? 1 : 0;
    return ethtool_ioctl(ifname, &value, on ? "turn GRO on" : "turn GRO off");
}

}  // namespace podlane
