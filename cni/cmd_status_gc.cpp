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

// STATUS of one family's store: its foreign entries warned about, its live
// reservations counted, an error when its range is exhausted.
template <typename Store>
std::optional<CniError> check_store(Store &store, const std::string &family, const std::string &range,
                                    std::vector<std::string> &warnings, size_t &live) {
    auto usage = store.usage();
    if (!usage) return CniError{kUnavailable, family + "IPAM store unreadable: " + usage.error().message, ""};
    if (!usage->foreign.empty()) warnings.push_back(foreign_warning(usage->foreign));
    live += usage->live;
    if (usage->free() == 0)
        return CniError{kUnavailable,
                        family + "pod CIDR " + range + " is exhausted (" + std::to_string(usage->live) + " live, " +
                            std::to_string(usage->corrupt) + " unreadable reservations, " +
                            std::to_string(usage->foreign.size()) + " foreign entries in " + store.dir() + ")",
                        ""};
    return std::nullopt;
}

// GC of one family's store: the reservations of attachments not kept go, with
// their endpoints and veths; then the endpoints of its range that no kept
// reservation owns.
template <typename Store, typename Keep, typename DeleteEndpoint, typename ListEndpoints, typename InRange>
std::optional<CniError> collect_store(Store &store, const Keep &keep, Netlink &host, bool dataplane,
                                      const DeleteEndpoint &delete_endpoint, const ListEndpoints &list_endpoints,
                                      const InRange &in_range, std::vector<std::string> &warnings) {
    auto removed = store.release_unless(keep);
    if (!removed) return from_error(removed.error(), kStoreFailure);
    report_gc(*removed, store.dir(), warnings);
    for (const auto &r : removed->removed) {
        if (dataplane) delete_endpoint(r.ip);
        if (!r.container_id.empty()) (void)host.delete_link(host_veth_name(r.container_id, r.ifname));
    }
    if (!dataplane) return std::nullopt;
    auto kept = store.reservations();
    if (!kept) return from_error(kept.error(), kStoreFailure);
    std::set<decltype(kept->front().ip)> owned;
    for (const auto &r : *kept) owned.insert(r.ip);
    auto endpoints = list_endpoints();
    if (!endpoints) return from_error(endpoints.error(), kDataplaneFailure);
    for (const auto &ep : *endpoints)
        if (in_range(ep.pod_ip) && !owned.count(ep.pod_ip)) delete_endpoint(ep.pod_ip);
    return std::nullopt;
}

}  // namespace

CniResult<nlohmann::json> cmd_status(const PluginConfig &cfg, std::vector<std::string> &warnings) {
    size_t live = 0;
    auto store = open_store(cfg);
    if (!store) return CniError{kUnavailable, "IPAM store unusable: " + store.error().message, ""};
    if (*store)
        if (auto err = check_store(**store, "", cfg.pod_cidr->str(), warnings, live)) return *err;
    auto store6 = open_store6(cfg);
    if (!store6) return CniError{kUnavailable, "IPv6 IPAM store unusable: " + store6.error().message, ""};
    if (*store6)
        if (auto err = check_store(**store6, "IPv6 ", cfg.pod_cidr6->str(), warnings, live)) return *err;
    if (cfg.pin_dir) {
        auto dataplane = open_dataplane(cfg);
        bool missing = dataplane && !*dataplane;
        if (!dataplane || missing) {
            std::string why = !dataplane ? dataplane.error().message
                                         : "no pinned maps in " + *cfg.pin_dir + ": is podlaned running on this node?";
            // Pods already running lost their fast path too.
            int code = live > 0 ? kUnavailableDegraded : kUnavailable;
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
    auto store6 = open_store6(cfg);
    if (!store6) return from_error(store6.error(), kStoreFailure);
    auto dataplane = open_dataplane(cfg);
    if (!dataplane) return from_error(dataplane.error(), kDataplaneFailure);
    auto host = Netlink::open();
    if (!host) return from_error(host.error(), kInternal);

    auto keep = [&](const auto &r) {
        return std::find(valid.begin(), valid.end(), Attachment{r.container_id, r.ifname}) != valid.end();
    };
    // The IPv6 store first: its addresses go before the IPv4 ones, as in DEL.
    if (*store6) {
        auto err = collect_store(
            **store6, keep, *host, dataplane->has_value(),
            [&](const Ipv6 &ip) { (void)(*dataplane)->maps().delete_endpoint6(ip); },
            [&] { return (*dataplane)->maps().endpoints6(); },
            [&](const Ipv6 &ip) { return cfg.pod_cidr6->contains(ip); }, warnings);
        if (err) return *err;
    }
    if (*store) {
        auto err = collect_store(
            **store, keep, *host, dataplane->has_value(),
            [&](Ipv4 ip) { (void)(*dataplane)->maps().delete_endpoint(ip); },
            [&] { return (*dataplane)->maps().endpoints(); }, [&](Ipv4 ip) { return cfg.pod_cidr->contains(ip); },
            warnings);
        if (err) return *err;
    }
    return nlohmann::json();
}

}  // namespace podlane::cni
