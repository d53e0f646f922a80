#include "ifnames.h"

#include <net/if.h>

#include <memory>
#include <optional>

#include "podlane/netns.h"

namespace podlane::ctl {
namespace {

// Enters netns_path for the guard's lifetime; nothing for "".
Result<std::optional<NetnsGuard>> enter(const std::string &netns_path) {
    if (netns_path.empty()) return std::optional<NetnsGuard>{};
    auto guard = NetnsGuard::enter(netns_path);
    if (!guard) return guard.error().wrap("read the node's interfaces");
    return std::optional<NetnsGuard>{std::move(*guard)};
}

std::string where(const std::string &netns_path) {
    return netns_path.empty() ? "this network namespace" : "the agent's network namespace (" + netns_path + ")";
}

}  // namespace

Result<IfNames> interface_names(const std::string &netns_path) {
    auto guard = enter(netns_path);
    if (!guard) return guard.error();
    std::unique_ptr<struct if_nameindex, decltype(&if_freenameindex)> list(if_nameindex(), &if_freenameindex);
    if (!list) return errno_error("list interfaces in " + where(netns_path), errno);
    IfNames names;
    for (auto *it = list.get(); it->if_index != 0; ++it) names[it->if_index] = it->if_name;
    return names;
}

Result<uint32_t> interface_index(const std::string &netns_path, const std::string &ifname) {
    if (ifname.empty() || ifname.size() >= IF_NAMESIZE) return Error{"'" + ifname + "' is not an interface name"};
    auto guard = enter(netns_path);
    if (!guard) return guard.error();
    unsigned index = if_nametoindex(ifname.c_str());
    if (index == 0) return Error{"no interface '" + ifname + "' in " + where(netns_path), ENODEV};
    return uint32_t{index};
}

}  // namespace podlane::ctl
