// The host side of a pod's veth: a name derived only from (container ID,
// ifname), so DEL and GC find it without any saved state.
#pragma once

#include <string>

namespace podlane {

// "pl" + 12 hex digits of a hash: 14 characters, within the kernel's 15.
std::string host_veth_name(const std::string &container_id, const std::string &ifname);

}  // namespace podlane
