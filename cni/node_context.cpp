#include "node_context.h"

namespace podlane::cni {

Result<std::optional<IpamStore>> open_store(const PluginConfig &cfg) {
    if (!cfg.pod_cidr) return std::optional<IpamStore>{};
    auto boot = read_boot_info();
    if (!boot) return boot.error();
    auto store = IpamStore::open(StoreOptions{cfg.store_dir(), *cfg.pod_cidr, *cfg.gateway, *boot});
    if (!store) return store.error();
    return std::optional<IpamStore>{std::move(*store)};
}

Result<std::optional<IpamStore6>> open_store6(const PluginConfig &cfg) {
    if (!cfg.pod_cidr6) return std::optional<IpamStore6>{};
    auto boot = read_boot_info();
    if (!boot) return boot.error();
    auto store = IpamStore6::open(StoreOptions6{ipv6_store_dir(cfg.store_dir()), *cfg.pod_cidr6, *cfg.gateway6, *boot});
    if (!store) return store.error();
    return std::optional<IpamStore6>{std::move(*store)};
}

Result<std::optional<Dataplane>> open_dataplane(const PluginConfig &cfg) {
    if (!cfg.pin_dir) return std::optional<Dataplane>{};
    return Dataplane::open(*cfg.pin_dir);
}

}  // namespace podlane::cni
