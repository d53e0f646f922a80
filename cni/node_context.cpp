#include "node_context.h"

namespace podlane::cni {

Result<IpamStore> open_store(const PluginConfig &cfg) {
    auto boot = read_boot_info();
    if (!boot) return boot.error();
    return IpamStore::open(StoreOptions{cfg.store_dir(), cfg.pod_cidr, cfg.gateway, *boot});
}

Result<std::optional<Dataplane>> open_dataplane(const PluginConfig &cfg) {
    if (!cfg.pin_dir) return std::optional<Dataplane>{};
    return Dataplane::open(*cfg.pin_dir);
}

}  // namespace podlane::cni
