// What every command opens: the IPAM store of the network and, when podlaned
// runs, the node's pinned maps.
#pragma once

#include <optional>

#include "config.h"
#include "dataplane.h"
#include "ipam/store.h"
#include "podlane/result.h"

namespace podlane::cni {

// The IPv4 store; nullopt for an IPv6-only network.
Result<std::optional<IpamStore>> open_store(const PluginConfig &cfg);
// The IPv6 store of a dual-stack network; nullopt for an IPv4-only one.
Result<std::optional<IpamStore6>> open_store6(const PluginConfig &cfg);
// nullopt when the config names no pin directory or nothing is pinned there.
Result<std::optional<Dataplane>> open_dataplane(const PluginConfig &cfg);

}  // namespace podlane::cni
