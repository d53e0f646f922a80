// The few ethtool settings podlane reads or changes, in the calling thread's
// network namespace.
#pragma once

#include <string>

#include "podlane/result.h"

namespace podlane {

// Kernel driver of an interface ("veth", "virtio_net", ...).
Result<std::string> interface_driver(const std::string &ifname);
// Generic receive offload; on a veth it also gives the device the NAPI
// instance that XDP_REDIRECT into it requires.
Status set_gro(const std::string &ifname, bool on);

}  // namespace podlane
