// Interface names and indexes of a node, read in the node's network
// namespace: an ifindex in the maps means nothing in another namespace.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "podlane/result.h"

namespace podlane::ctl {

using IfNames = std::map<uint32_t, std::string>;

// Every interface of the namespace at netns_path ("" = this process's).
Result<IfNames> interface_names(const std::string &netns_path);

// ifname -> ifindex in that namespace; ENODEV error naming where it looked.
Result<uint32_t> interface_index(const std::string &netns_path, const std::string &ifname);

}  // namespace podlane::ctl
