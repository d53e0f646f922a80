// STATUS and GC (spec 1.1).
#include <set>

#include "commands.h"
#include "node_context.h"
#include "podlane/host_veth.h"
#include "podlane/netlink.h"

namespace podlane::cni {
namespace {

std::string joined(const std::vector<std::string> &items) {
    std::string out;
    for (const auto &i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

std::string foreign_warning(const std::vector<std::string> &paths) {
    return std::to_string(paths.size()) +
           " entries named like an address were not made by podlane (folders, FIFOs, symlinks): left alone, their "
           "addresses stay unused until they are removed by hand: " +
           joined(paths);
}

template <typename Outcome>
void report_gc(const Outcome &outcome, const std::string &dir, std::vector<std::string> &warnings) {
    if (!outcome.foreign.empty()) warnings.push_back(foreign_warning(outcome.foreign));
    if (outcome.unreadable_kept.empty()) return;
    std::vector<std::string> ips;
    for (const auto &ip : outcome.unreadable_kept) ips.push_back(ip.str());
    warnings.push_back("kept " + std::to_string(ips.size()) + " unreadable reservations written during this boot " +
                       "(their pods may be running; they are freed after a reboot, or remove them by hand once " +
                       "sure) in " + dir + ": " + joined(ips));
}

}  // namespace

CniResult<nlohmann::json> cmd_status(const PluginConfig &cfg, std::vector<std::string> &warnings) {
    auto store = open_store(cfg);
    if (!store) return CniError{kUnavailable, "IPAM store unusable: " + store.error().message, ""};
    auto usage = store->usage();
    if (!usage) return CniError{kUnavailable, "IPAM store unreadable: " + usage.error().message, ""};
    if (!usage->foreign.empty()) warnings.push_back(foreign_warning(usage->foreign));
    if (usage->free() == 0)
        return CniError{kUnavailable,
                        "pod CIDR " + cfg.pod_cidr.str() + " is exhausted (" + std::to_string(usage->live) + " live, " +
                            std::to_string(usage->corrupt) + " unreadable reservations, " +
                            std::to_string(usage->foreign.size()) + " foreign entries in " + store->dir() + ")",
                        ""};
    auto store6 = open_store6(cfg);
    if (!store6) return CniError{kUnavailable, "IPv6 IPAM store unusable: " + store6.error().message, ""};
    if (*store6) {
        auto usage6 = (*store6)->usage();
        if (!usage6) return CniError{kUnavailable, "IPv6 IPAM store unreadable: " + usage6.error().message, ""};
        if (!usage6->foreign.empty()) warnings.push_back(foreign_warning(usage6->foreign));
        if (usage6->free() == 0)
            return CniError{kUnavailable,
                            "IPv6 pod CIDR " + cfg.pod_cidr6->str() + " is exhausted (" + std::to_string(usage6->live) +
                                " live, " + std::to_string(usage6->corrupt) + " unreadable reservations, " +
                                std::to_string(usage6->foreign.size()) + " foreign entries in " + (*store6)->dir() +
                                ")",
                            ""};
    }
    if (cfg.pin_dir) {
        auto dataplane = open_dataplane(cfg);
        bool missing = dataplane && !*dataplane;
        if (!dataplane || missing) {
            std::string why = !dataplane ? dataplane.error().message
                                         : "no pinned maps in " + *cfg.pin_dir + ": is podlaned running on this node?";
            // Pods already running lost their fast path too.
            int code = usage->live > 0 ? kUnavailableDegraded : kUnavailable;
            return CniError{code, "dataplane not loaded: " + why, ""};
        }
    }
    return nlohmann::json();
}

CniResult<nlohmann::json> cmd_gc(const PluginConfig &cfg, std::vector<std::string> &warnings) {
    if (!cfg.valid_attachments)
        return CniError{
            kInvalidConfig,
            "invalid network config: cni.dev/valid-attachments: missing (GC needs the list of attachments to keep)",
            ""};
    const auto &valid = *cfg.valid_attachments;
    auto store = open_store(cfg);
    if (!store) return from_error(store.error(), kStoreFailure);
    auto dataplane = open_dataplane(cfg);
    if (!dataplane) return from_error(dataplane.error(), kDataplaneFailure);
    auto host = Netlink::open();
    if (!host) return from_error(host.error(), kInternal);

    auto store6 = open_store6(cfg);
    if (!store6) return from_error(store6.error(), kStoreFailure);
    auto keep = [&](const auto &r) {
        return std::find(valid.begin(), valid.end(), Attachment{r.container_id, r.ifname}) != valid.end();
    };
    // The IPv6 store first: its addresses go before the IPv4 ones, as in DEL.
    if (*store6) {
        auto removed6 = (*store6)->release_unless(keep);
        if (!removed6) return from_error(removed6.error(), kStoreFailure);
        report_gc(*removed6, (*store6)->dir(), warnings);
        for (const auto &r : removed6->removed) {
            if (*dataplane) (void)(*dataplane)->maps().delete_endpoint6(r.ip);
            if (!r.container_id.empty()) (void)host->delete_link(host_veth_name(r.container_id, r.ifname));
        }
    }
    auto removed = store->release_unless(keep);
    if (!removed) return from_error(removed.error(), kStoreFailure);
    report_gc(*removed, store->dir(), warnings);
    for (const auto &r : removed->removed) {
        if (*dataplane) (void)(*dataplane)->maps().delete_endpoint(r.ip);
        if (!r.container_id.empty()) (void)host->delete_link(host_veth_name(r.container_id, r.ifname));
    }

    // Endpoints of this pod CIDR that no kept reservation owns.
    if (*dataplane) {
        auto kept = store->reservations();
        if (!kept) return from_error(kept.error(), kStoreFailure);
        std::set<uint32_t> owned;
        for (const auto &r : *kept) owned.insert(r.ip.be);
        auto endpoints = (*dataplane)->maps().endpoints();
        if (!endpoints) return from_error(endpoints.error(), kDataplaneFailure);
        for (const auto &ep : *endpoints)
            if (cfg.pod_cidr.contains(ep.pod_ip) && !owned.count(ep.pod_ip.be))
                (void)(*dataplane)->maps().delete_endpoint(ep.pod_ip);
        if (*store6) {
            auto kept6 = (*store6)->reservations();
            if (!kept6) return from_error(kept6.error(), kStoreFailure);
            std::set<Ipv6> owned6;
            for (const auto &r : *kept6) owned6.insert(r.ip);
            auto endpoints6 = (*dataplane)->maps().endpoints6();
            if (!endpoints6) return from_error(endpoints6.error(), kDataplaneFailure);
            for (const auto &ep : *endpoints6)
                if (cfg.pod_cidr6->contains(ep.pod_ip) && !owned6.count(ep.pod_ip))
                    (void)(*dataplane)->maps().delete_endpoint6(ep.pod_ip);
        }
    }
    return nlohmann::json();
}

}  // namespace podlane::cni
