#include "agent.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <set>

#include "agent_loop.h"
#include "agent_metrics.h"
#include "agent_start.h"
#include "datapath.h"
#include "dataplane_metrics.h"
#include "host_setup.h"
#include "metrics_server.h"
#include "node_attach.h"
#include "podlane/agent_state.h"
#include "podlane/attach.h"
#include "podlane/boot.h"
#include "podlane/endpoint_links.h"
#include "podlane/link_events.h"
#include "podlane/maps.h"
#include "podlane/neighbours.h"
#include "podlane/netlink.h"
#include "podlane/pod_gateway.h"
#include "podlane/reservation_scan.h"
#include "reconcile.h"
#include "start_report.h"

namespace podlane {
namespace {

NodeConfigRules config_rules(const AgentOptions &o) {
    return {.pod_cidr_required = o.datastore.kind == datastore::Kind::File};
}

Result<NodeConfig> load_config(const AgentOptions &o) {
    auto cfg = load_node_config(o.config_path, config_rules(o));
    if (!cfg) return cfg.error();
    if (!o.pin_root.empty()) cfg->pin_root = o.pin_root;
    return cfg;
}

// What the agent keeps after start: the loaded programs (to attach them again
// when the uplink or the bridge is re-created), the devices as last resolved,
// and the state published for podlanectl.
struct NodeRuntime {
    Netlink nl;
    LinkEvents links;
    Datapath dp;
    NodeDevices dev;
    UplinkHook hook;  // as used: Tc or Xdp
    AgentState state;
};

// Pods the plugin added while the maps were not pinned (podlaned not yet
// running, crash-looping, detached, a map layout change) got no endpoint:
// found in its IPAM store, they get one now. Never fatal: the store is the
// plugin's, and an unreadable one costs only those pods' fast path. Returns
// how many were registered.
// The IPv6 addresses of those pods, from a dual-stack network's IPv6 store.
unsigned register_missed_pods6(Netlink &nl, NodeMaps &maps, const AgentOptions &o, const BootInfo &boot, bool per_veth,
                               const Logger &log) {
    const std::string dir = ipv6_store_dir(o.ipam_dir);
    auto scan = scan_reservations_of<Ipv6>(dir, boot.boot_id);
    if (!scan) {
        log("warning: IPv6 endpoints from the IPAM store " + dir + ": " + scan.error().message);
        return 0;
    }
    if (scan->live.empty()) return 0;
    auto rebuilt = rebuild_endpoints(nl, maps, scan->live, per_veth, log);
    if (!rebuilt) {
        log("warning: IPv6 endpoints from the IPAM store " + dir + ": " + rebuilt.error().message);
        return 0;
    }
    log("IPv6 endpoints from the IPAM store " + dir + ": " + std::to_string(rebuilt->registered) + " registered, " +
        std::to_string(rebuilt->present) + " already present, " + std::to_string(rebuilt->failed) + " failed");
    return rebuilt->registered;
}

unsigned register_missed_pods(Netlink &nl, NodeMaps &maps, const AgentOptions &o, bool per_veth, const Logger &log) {
    const std::string what = "endpoints from the IPAM store " + o.ipam_dir;
    auto warn = [&](const Error &e) {
        log("warning: " + what + ": " + e.message);
        return 0u;
    };
    auto boot = read_boot_info();
    if (!boot) return warn(boot.error());
    auto scan = scan_reservations(o.ipam_dir, boot->boot_id);
    if (!scan) return warn(scan.error());
    auto rebuilt = rebuild_endpoints(nl, maps, scan->live, per_veth, log);
    if (!rebuilt) return warn(rebuilt.error());
    log(what + ": " + std::to_string(scan->live.size()) + " pods of this boot, " + std::to_string(rebuilt->registered) +
        " registered, " + std::to_string(rebuilt->present) + " already present, " + std::to_string(rebuilt->no_veth) +
        " without a veth, " + std::to_string(rebuilt->failed) + " failed; " + std::to_string(scan->earlier_boot) +
        " from earlier boots and " + std::to_string(scan->unreadable) + " unreadable skipped");
    return rebuilt->registered + register_missed_pods6(nl, maps, o, *boot, per_veth, log);
}

class NodeAgent final : public Agent, private LoopEvents {
public:
    NodeAgent(AgentOptions options, Logger log, NodeConfig cfg, NodeRuntime rt, NodeMaps maps,
              std::unique_ptr<datastore::ClusterSource> source)
        : options_(std::move(options)),
          log_(std::move(log)),
          loop_(options_.config_path, log_),
          cfg_(std::move(cfg)),
          rt_(std::move(rt)),
          dev_(rt_.dev),
          maps_(std::move(maps)),
          source_(std::move(source)) {}

    ~NodeAgent() override {
        if (source_) source_->stop();
    }

    Status start_watching();
    Status serve_metrics();
    Status run() override { return loop_.run(*this); }
    // Fills the report's routes and neighbour entries.
    void reconcile_at_start(StartReport &report);
    // Writes agent.json now, and again whenever the attachments or the
    // refused nodes change.
    void publish_state();

private:
    // The diff applied (nullopt: the reconcile failed).
    std::optional<RouteDiff> reconcile(const std::vector<ClusterNode> &nodes, const char *why,
                                       std::optional<std::chrono::steady_clock::time_point> changed_at = std::nullopt);
    void note_refusals(const std::vector<RefusedNode> &refused);
    void keep_next_hops_resolved();
    void on_config_changed() override;
    void on_datastore_nodes(std::vector<ClusterNode> nodes,
                            std::chrono::steady_clock::time_point published_at) override {
        reconcile(nodes, "datastore update", published_at);
    }
    std::optional<std::chrono::milliseconds> on_tick(std::chrono::steady_clock::time_point now) override;

public:
    // Ready: the routes map holds every route the last node list asks for
    // (every other node's, this node's own pod CIDR). Logged, kept in
    // agent.json and published to the datastore whenever it changes.
    void update_readiness();
    void publish_readiness_to_cluster(bool ready, const std::string &reason, const std::vector<RouteEntry> *routes);

private:
    int event_fd() const override { return rt_.links.fd(); }
    void on_event_fd_readable() override;
    void follow_uplink();
    void follow_bridge();
    void keep_cluster_route();
    Status write_config();
    void record(const AgentAttachment &attachment);

    AgentOptions options_;
    Logger log_;
    AgentLoop loop_;
    NodeConfig cfg_;
    NodeRuntime rt_;
    NodeDevices &dev_;
    NodeMaps maps_;
    std::unique_ptr<datastore::ClusterSource> source_;
    std::set<NextHop> kept_neighbours_;    // managed neighbour entries made
    std::set<NextHop> unresolved_logged_;  // failed to make, warned about
    std::set<NextHop6> kept_neighbours6_;  // the same for IPv6 next hops (NDP)
    std::set<NextHop6> unresolved_logged6_;
    bool next_hops_pending_ = false;  // some could not be made (or forgotten): retry
    std::chrono::steady_clock::time_point next_hops_retry_at_{};
    bool uplink_gone_ = false;  // logged once until it is back
    bool bridge_gone_ = false;
    bool cluster_route_missing_ = false;
    bool leftovers_swept_ = false;  // podlaned's neighbour entries of a previous run checked
    unsigned leftovers_removed_ = 0;
    RefusalLog refusal_log_;
    std::vector<AgentRefusedNode> refused_;
    bool state_published_ = false;
    bool first_list_seen_ = false;                           // a node list reached reconcile
    std::vector<ClusterNode> accepted_;                      // of the last list, as filtered
    std::optional<std::pair<bool, std::string>> readiness_;  // as last computed
    std::optional<bool> published_ready_;                    // as the cluster was last told
    AgentMetrics metrics_;
    // Last: its thread reads the maps and metrics_, so it stops first.
    std::unique_ptr<MetricsServer> metrics_server_;
};

// Every list, from the file or a datastore, passes the node-list filter
// before it reaches the routes map.
std::optional<RouteDiff> NodeAgent::reconcile(const std::vector<ClusterNode> &nodes, const char *why,
                                              std::optional<std::chrono::steady_clock::time_point> changed_at) {
    const auto started = std::chrono::steady_clock::now();
    auto filtered = filter_for_node(cfg_, nodes);
    note_refusals(filtered.refused);
    accepted_ = filtered.accepted;
    first_list_seen_ = true;
    auto diff = reconcile_routes(maps_, cfg_, filtered.accepted, dev_.uplink.index, log_);
    if (auto diff6 = reconcile_routes6(maps_, cfg_, filtered.accepted, dev_.uplink.index, log_); !diff6)
        log_("reconcile (" + std::string(why) + ") of the IPv6 routes failed: " + diff6.error().message);
    const auto done = std::chrono::steady_clock::now();
    metrics_.reconciled(done - started);
    if (diff && !diff->empty() && changed_at) metrics_.converged(done - *changed_at);
    if (!diff)
        log_("reconcile (" + std::string(why) + ") failed: " + diff.error().message);
    else if (diff->empty())
        log_("reconcile (" + std::string(why) + "): routes already up to date");
    keep_next_hops_resolved();
    update_readiness();
    return diff ? std::optional{std::move(*diff)} : std::nullopt;
}

bool same_route(const podlane_route_value &a, const podlane_route_value &b) {
    return a.node_ip == b.node_ip && a.uplink_ifindex == b.uplink_ifindex && a.flags == b.flags && a.family == b.family;
}

void NodeAgent::update_readiness() {
    bool ready = false;
    std::string reason;
    auto routes = maps_.routes();
    if (!first_list_seen_) {
        reason = std::string("waiting for the first node list from the datastore (") +
                 datastore::kind_name(options_.datastore.kind) + ")";
    } else if (!routes) {
        reason = "the routes map cannot be read: " + routes.error().message;
    } else {
        std::vector<std::string> missing;
        unsigned others = 0;
        for (const auto &want : desired_routes(cfg_, accepted_, dev_.uplink.index)) {
            if (!(want.value.flags & PODLANE_ROUTE_F_LOCAL)) ++others;
            bool in = std::any_of(routes->begin(), routes->end(), [&](const RouteEntry &have) {
                return have.cidr == want.cidr && same_route(have.value, want.value);
            });
            if (!in) missing.push_back(want.cidr.str());
        }
        if (cfg_.pod_cidr6) {
            auto routes6 = maps_.routes6();
            for (const auto &want : desired_routes6(cfg_, accepted_, dev_.uplink.index)) {
                if (!(want.value.flags & PODLANE_ROUTE_F_LOCAL)) ++others;
                bool in =
                    routes6 && std::any_of(routes6->begin(), routes6->end(), [&](const Route6Entry &have) {
                        return have.cidr == want.cidr && std::memcmp(&have.value, &want.value, sizeof have.value) == 0;
                    });
                if (!in) missing.push_back(want.cidr.str());
            }
        }
        ready = missing.empty();
        if (ready) {
            reason = std::to_string(others) + (others == 1 ? " route" : " routes") +
                     " to the other nodes and this node's pod CIDR " + pod_cidrs_text(cfg_) + " in place";
        } else {
            reason = std::to_string(missing.size()) + " wanted route(s) not in the routes map yet:";
            for (size_t i = 0; i < missing.size() && i < 3; ++i) reason += " " + missing[i];
            if (missing.size() > 3) reason += " ...";
        }
    }
    if (readiness_ && readiness_->first == ready && readiness_->second == reason) return;
    if (!readiness_ || readiness_->first != ready)
        log_(std::string(ready ? "network ready: " : "network not ready: ") + reason);
    readiness_ = {ready, reason};
    metrics_.network_ready(ready);
    rt_.state.network_ready = ready;
    rt_.state.network_ready_reason = reason;
    if (state_published_) publish_state();
    publish_readiness_to_cluster(ready, reason, routes ? &*routes : nullptr);
}

// The cluster hears of flips only: a Node condition changes when the status
// does (not with every node that joins), and every write is a transition.
// A restart keeps the previous run's routes and forwards with them, so the
// node is not marked unavailable while the datastore's first list is on its
// way: it is told once that list is in.
void NodeAgent::publish_readiness_to_cluster(bool ready, const std::string &reason,
                                             const std::vector<RouteEntry> *routes) {
    if (!source_ || (published_ready_ && *published_ready_ == ready)) return;
    if (!first_list_seen_ && routes && std::any_of(routes->begin(), routes->end(), [](const RouteEntry &r) {
            return !(r.value.flags & PODLANE_ROUTE_F_LOCAL);
        })) {
        log_(
            "the routes of the previous run are kept: the cluster keeps this node's readiness as it was until the "
            "first node list is in");
        return;
    }
    published_ready_ = ready;
    source_->publish_readiness(ready, reason);
}

void NodeAgent::note_refusals(const std::vector<RefusedNode> &refused) {
    refusal_log_.report(refused, [&](const std::string &line, const RefusedNode &r) {
        metrics_.refused_node(refusal_word(r.reason));
        log_("warning: " + line);
    });
    auto records = refusal_records(refused);
    if (records == refused_) return;
    refused_ = std::move(records);
    if (state_published_) publish_state();
}

// bpf_redirect_neigh holds a packet back while the next hop's MAC is being
// resolved, and the node's own packets (sent from the host device's egress)
// are lost from that queue: the kernel re-sends queued packets by the route
// they carry, which leads back to the host device. Managed neighbour entries
// keep every next hop of the routes map resolved, so nothing waits. One that
// could not be made is retried (next reconcile, or the run loop's retry
// timer) and logged once until it succeeds.
namespace {

// One family's managed neighbour entries brought in line with `wanted`:
// entries no route uses any more forgotten, new next hops made. Returns
// whether all of it is done (else: retried later).
template <typename Hop>
bool sync_next_hops(NeighbourTable &table, const std::set<Hop> &wanted, std::set<Hop> &kept_entries,
                    std::set<Hop> &unresolved_logged, const Logger &log) {
    std::set<Hop> kept;
    for (const auto &hop : kept_entries) {
        if (wanted.count(hop)) continue;
        if (auto st = table.forget(hop.first, hop.second); !st) {
            log("warning: " + st.error().message + " (retrying)");
            kept.insert(hop);  // still there: forgotten on a later try
        }
    }
    std::erase_if(unresolved_logged, [&](const Hop &hop) { return !wanted.count(hop); });
    for (const auto &hop : wanted) {
        if (kept_entries.count(hop)) {
            kept.insert(hop);
            continue;
        }
        if (auto st = table.keep_resolved(hop.first, hop.second); !st) {
            if (unresolved_logged.insert(hop).second)
                log("warning: " + st.error().message +
                    " (packets to that node may wait for address resolution; retrying)");
            continue;
        }
        unresolved_logged.erase(hop);
        kept.insert(hop);
    }
    const bool done = kept == wanted;
    kept_entries = std::move(kept);
    return done;
}

}  // namespace

void NodeAgent::keep_next_hops_resolved() {
    auto routes = maps_.routes();
    if (!routes) return log_("warning: read routes for the next hops: " + routes.error().message);
    auto routes6 = maps_.routes6();
    if (!routes6) return log_("warning: read IPv6 routes for the next hops: " + routes6.error().message);
    auto wanted = next_hops(*routes);
    auto wanted6 = next_hops(*routes6);
    // Entries of nodes that left while podlaned was down live on in the
    // kernel only (kept_neighbours_ starts empty): removed once, at the
    // first list, when the wanted ones are known.
    if (!leftovers_swept_)
        if (auto table = NeighbourTable::open(); table) {
            auto removed = forget_leftover_neighbours(*table, dev_.uplink.index, wanted);
            auto removed6 = forget_leftover_neighbours(*table, dev_.uplink.index, wanted6);
            if (!removed) log_("warning: leftover neighbour entries: " + removed.error().message + " (retrying)");
            if (!removed6) log_("warning: leftover neighbour entries: " + removed6.error().message + " (retrying)");
            if (removed && removed6) leftovers_removed_ = static_cast<unsigned>(removed->size() + removed6->size());
            for (const auto &[ifindex, ip] : removed ? *removed : std::vector<NeighbourKey>{})
                log_("neighbour entry of " + ip.str() + " on link #" + std::to_string(ifindex) +
                     " removed: no route uses it any more");
            for (const auto &[ifindex, ip] : removed6 ? *removed6 : std::vector<NeighbourKey6>{})
                log_("neighbour entry of " + ip.str() + " on link #" + std::to_string(ifindex) +
                     " removed: no route uses it any more");
            leftovers_swept_ = removed.ok() && removed6.ok();
        }
    next_hops_pending_ = wanted != kept_neighbours_ || wanted6 != kept_neighbours6_ || !leftovers_swept_;
    if (!next_hops_pending_) return;
    auto table = NeighbourTable::open();
    if (!table) return log_("warning: " + table.error().message);
    const bool done = sync_next_hops(*table, wanted, kept_neighbours_, unresolved_logged_, log_);
    const bool done6 = sync_next_hops(*table, wanted6, kept_neighbours6_, unresolved_logged6_, log_);
    next_hops_pending_ = !done || !done6;
}

void NodeAgent::reconcile_at_start(StartReport &report) {
    auto current = maps_.routes();
    if (!current) return log_("reading routes at start failed: " + current.error().message);
    report.routes_found = static_cast<unsigned>(current->size());
    if (!source_) {
        report.routes = reconcile(cfg_.nodes, "start");
        if (leftovers_swept_) {
            report.neighbours_kept = static_cast<unsigned>(kept_neighbours_.size() + kept_neighbours6_.size());
            report.neighbours_removed = leftovers_removed_;
        }
        return;
    }
    // The node list comes from the datastore's first answer. Until then keep
    // every route a previous run left (restart safety) and only make sure
    // this node's own pod CIDR is there.
    RouteDiff diff = diff_routes(*current, desired_routes(cfg_, {}, dev_.uplink.index));
    diff.remove.clear();
    if (auto st = apply_route_diff(maps_, diff, log_); !st) log_("start: " + st.error().message);
    if (auto current6 = maps_.routes6(); current6) {
        RouteDiff6 diff6 = diff_routes(*current6, desired_routes6(cfg_, {}, dev_.uplink.index));
        diff6.remove.clear();
        if (auto st = apply_route_diff(maps_, diff6, log_); !st) log_("start: " + st.error().message);
    }
}

void NodeAgent::on_config_changed() {
    const auto changed_at = std::chrono::steady_clock::now();
    auto fresh = load_config(options_);
    if (!fresh) {
        log_("config change ignored, routes kept as they are: " + fresh.error().message);
        return;
    }
    for (auto [field, changed] :
         {std::pair{"nodeName", fresh->node_name != cfg_.node_name},
          std::pair{"nodeIP", !(fresh->node_ip == cfg_.node_ip)}, std::pair{"uplink", fresh->uplink != cfg_.uplink},
          std::pair{"bridge", fresh->bridge != cfg_.bridge},
          std::pair{"podCIDR", has_pod_cidr(*fresh) && !(fresh->pod_cidr == cfg_.pod_cidr)},
          std::pair{"nodeIPv6", fresh->node_ip6 != cfg_.node_ip6},
          std::pair{"clusterCIDRv6", fresh->cluster_cidr6 != cfg_.cluster_cidr6},
          std::pair{"podCIDRv6", fresh->pod_cidr6 && fresh->pod_cidr6 != cfg_.pod_cidr6}})
        if (changed)
            log_(std::string("config: ") + field +
                 " changed; restart podlaned to apply it (routes are reconciled now)");
    cfg_.nodes = fresh->nodes;
    cfg_.router_ip = fresh->router_ip;
    if (!source_) reconcile(cfg_.nodes, "config changed", changed_at);
}

bool per_veth(const AgentOptions &o) {
    return o.attach == PodAttach::Veth;
}

Status NodeAgent::write_config() {
    if (auto st = maps_.set_config(
            node_config_value(cfg_, dev_, per_veth(options_), rt_.hook == UplinkHook::Xdp, options_.netfilter));
        !st)
        return st;
    return maps_.set_config6(node_config6_value(cfg_));
}

// Replaces the agent.json record of the same hook and program.
void NodeAgent::record(const AgentAttachment &attachment) {
    auto &all = rt_.state.attachments;
    std::erase_if(all, [&](const AgentAttachment &a) { return a.program == attachment.program; });
    all.push_back(attachment);
}

void NodeAgent::publish_state() {
    rt_.state.refused_nodes = refused_;
    rt_.state = publish_agent_state(options_, cfg_.node_name, cfg_.pin_dir(), rt_.state, log_);
    state_published_ = true;
}

void NodeAgent::on_event_fd_readable() {
    if (!rt_.links.drain()) return;
    follow_uplink();
    follow_bridge();
    keep_cluster_route();
}

// The cluster route through the host device names nodeIP as its source, so
// the kernel deletes it with that address (the uplink deleted, or readdressed):
// the node's own packets to remote pods would then leave by the default route.
// It comes back as soon as the address does.
void NodeAgent::keep_cluster_route() {
    if (!cfg_.has_ipv4()) return;
    auto route = rt_.nl.find_route(cfg_.cluster_cidr);
    if (!route) return log_("warning: address event: " + route.error().message);
    if (*route && (*route)->oif == dev_.hostdev.index) {
        cluster_route_missing_ = false;
        return;
    }
    if (auto st = rt_.nl.replace_route({cfg_.cluster_cidr, std::nullopt, dev_.hostdev.index, cfg_.node_ip}); !st) {
        if (!cluster_route_missing_)
            log_("cluster route " + cfg_.cluster_cidr.str() + " via " + kHostDevice +
                 " is gone and cannot be restored yet (" + st.error().message + "): waiting for nodeIP " +
                 cfg_.node_ip.str() + " to be back");
        cluster_route_missing_ = true;
        return;
    }
    cluster_route_missing_ = false;
    log_("cluster route " + cfg_.cluster_cidr.str() + " via " + kHostDevice + " restored");
}

// The uplink deleted and created again under its name (a NIC re-probed, a
// veth or bond re-made) has a new ifindex: its program went with the old one,
// and the config map and every route still name the old ifindex, so every
// cross-node packet would be dropped (drop-no-uplink) until a restart.
void NodeAgent::follow_uplink() {
    auto found = rt_.nl.find_link(cfg_.uplink);
    if (!found) return log_("warning: link event: " + found.error().message);
    if (!*found) {
        if (!uplink_gone_)
            log_("uplink " + cfg_.uplink + " (ifindex " + std::to_string(dev_.uplink.index) +
                 ") is gone: cross-node pod traffic stops until an interface of that name is back");
        uplink_gone_ = true;
        return;
    }
    uplink_gone_ = false;
    const int old = dev_.uplink.index;
    if ((*found)->index == old) return;
    log_("uplink " + cfg_.uplink + " re-created (ifindex " + std::to_string(old) + " -> " +
         std::to_string((*found)->index) + "): attaching its program, rewriting the config and the routes");
    auto attached = attach_uplink(rt_.dp, **found, options_.uplink_hook, log_);
    if (!attached)
        // dev_ keeps the old ifindex: the next event on the link retries.
        return log_("error: uplink " + cfg_.uplink + ": " + attached.error().message +
                    " (retrying on its next change)");
    dev_.uplink = **found;
    rt_.hook = attached->hook;
    record(attached->record);
    if (auto st = write_config(); !st) log_("error: uplink " + cfg_.uplink + ": " + st.error().message);
    unsigned moved = 0;
    if (auto routes = maps_.routes(); !routes) {
        log_("error: uplink " + cfg_.uplink + ": " + routes.error().message);
    } else {
        for (auto route : *routes) {
            if (route.value.uplink_ifindex != static_cast<__u32>(old)) continue;
            route.value.uplink_ifindex = static_cast<__u32>(dev_.uplink.index);
            if (auto put = maps_.put_route(route.cidr, route.value); !put)
                log_("error: uplink " + cfg_.uplink + ": " + put.error().message);
            else
                ++moved;
        }
    }
    if (auto routes6 = maps_.routes6(); routes6) {
        for (auto route : *routes6) {
            if (route.value.uplink_ifindex != static_cast<__u32>(old)) continue;
            route.value.uplink_ifindex = static_cast<__u32>(dev_.uplink.index);
            if (auto put = maps_.put_route6(route.cidr, route.value); !put)
                log_("error: uplink " + cfg_.uplink + ": " + put.error().message);
            else
                ++moved;
        }
    }
    keep_next_hops_resolved();
    publish_state();
    log_("uplink " + cfg_.uplink + " followed: " + mode_name(rt_.hook) + " program on ifindex " +
         std::to_string(dev_.uplink.index) + ", " + std::to_string(moved) + " routes moved to it");
}

// The bridge is re-created by the CNI plugin's next ADD (or by an operator):
// the config map's bridge ifindex and gateway MAC, and in bridge mode its
// program, follow it.
void NodeAgent::follow_bridge() {
    auto found = rt_.nl.find_link(cfg_.bridge);
    if (!found) return log_("warning: link event: " + found.error().message);
    if (!*found) {
        if (!bridge_gone_)
            log_("bridge " + cfg_.bridge + " is gone: this node's pods lose their gateway until it is back");
        bridge_gone_ = true;
        return;
    }
    bridge_gone_ = false;
    if ((*found)->index == dev_.bridge.index) return;
    log_("bridge " + cfg_.bridge + " re-created (ifindex " + std::to_string(dev_.bridge.index) + " -> " +
         std::to_string((*found)->index) + "): following it");
    auto bridge = ensure_pod_gateway(rt_.nl, cfg_.bridge, cfg_.gateway_addresses());
    if (!bridge) return log_("error: bridge " + cfg_.bridge + ": " + bridge.error().message);
    if (!per_veth(options_)) {
        if (auto st = attach_tc(bridge->index, TcDirection::Ingress, rt_.dp.from_pod_fd()); !st)
            return log_("error: bridge " + cfg_.bridge + ": " + st.error().message + " (retrying on its next change)");
        record({bridge->name, bridge->index, "tc-ingress", "podlane_from_pod"});
    }
    dev_.bridge = *bridge;
    if (auto st = write_config(); !st) log_("error: bridge " + cfg_.bridge + ": " + st.error().message);
    publish_state();
}

Status NodeAgent::serve_metrics() {
    if (options_.metrics_address.empty()) return {};
    auto server = MetricsServer::start(
        options_.metrics_address,
        [this] {
            MetricsText out;
            write_build_info(out, mode_name(Role::Node));
            write_dataplane_metrics(out, maps_, {});
            metrics_.write(out);
            return out.text();
        },
        log_);
    if (!server) return server.error();
    metrics_server_ = std::move(*server);
    return {};
}

Status NodeAgent::start_watching() {
    if (!source_) return {};
    if (auto st = loop_.open_mailbox(); !st) return st;
    source_->set_health_listener(metrics_.health_listener());
    return source_->start(cfg_, loop_.mailbox_callback(), log_);
}

// Retried every 10 s while some next hop is not kept as wanted, also when
// other events keep the loop busy.
std::optional<std::chrono::milliseconds> NodeAgent::on_tick(std::chrono::steady_clock::time_point now) {
    if (!next_hops_pending_) return std::nullopt;
    if (now >= next_hops_retry_at_) {
        keep_next_hops_resolved();
        next_hops_retry_at_ = now + std::chrono::seconds{10};
    }
    if (!next_hops_pending_) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::milliseconds>(next_hops_retry_at_ - now);
}

}  // namespace

Result<std::unique_ptr<Agent>> Agent::start(const AgentOptions &options, Logger log) {
    if (auto st = require_root(); !st) return st.error();

    auto cfg = load_config(options);
    if (!cfg) return cfg.error();

    auto source = datastore::make_source(options.datastore);
    if (!source) return source.error();
    if (*source && !cfg->has_ipv4())
        return Error{std::string("nodeIP: missing; an IPv6-only node runs with --datastore file for now (") +
                     datastore::kind_name(options.datastore.kind) + " needs nodeIP: dual-stack works with it)"};
    if (*source) {
        auto resolved = (*source)->resolve_self(*cfg);
        if (!resolved)
            return resolved.error().wrap(std::string("datastore ") + datastore::kind_name(options.datastore.kind));
        cfg = std::move(resolved);
    }
    if (cfg->has_ipv4() && !has_pod_cidr(*cfg))
        return Error{"podCIDR: this node has none (not in the config, not from the datastore)"};
    if (!cfg->has_ipv4() && !cfg->pod_cidr6)
        return Error{"podCIDRv6: this IPv6-only node has none (not in the config, not from the datastore)"};

    if (auto st = ensure_bpffs(); !st) return st.error();
    // Subscribed before the devices are resolved: a re-creation from here on
    // is seen by the run loop.
    auto links = LinkEvents::subscribe();
    if (!links) return links.error();
    auto nl = Netlink::open();
    if (!nl) return nl.error();
    auto dev = setup_node_devices(*nl, *cfg);
    if (!dev) return dev.error();
    auto planned = pick_uplink_hook(options.uplink_hook, cfg->uplink);
    if (!planned) return planned.error();

    if (options.netfilter == NetfilterMode::Compat)
        if (auto warning = strict_rp_filter_warning(cfg->uplink); !warning.empty()) log("warning: " + warning);
    auto dp = Datapath::load(cfg->pin_dir(),
                             {.netfilter = options.netfilter, .next_hop_fib = options.next_hop == NextHopMethod::Fib});
    if (!dp) return dp.error();
    auto maps = NodeMaps::open(cfg->pin_dir());
    if (!maps) return maps.error();

    const bool veth = per_veth(options);
    // Config before attach: a program that runs before it would pass
    // everything to the kernel (pass-no-config), never misroute.
    if (auto st = maps->set_config(node_config_value(*cfg, *dev, veth, *planned == UplinkHook::Xdp, options.netfilter));
        !st)
        return st.error();
    if (auto st = maps->set_config6(node_config6_value(*cfg)); !st) return st.error();
    if (cfg->pod_cidr6)
        if (auto warning = accept_ra_warning(cfg->uplink); !warning.empty()) log("warning: " + warning);

    // Entries whose veth went away without a CNI DEL would otherwise fail
    // the attach below (ENODEV) and the agent with it, at every start.
    auto pruned = prune_stale_endpoints(*nl, *maps, log);
    if (!pruned) return pruned.error();
    if (pruned->removed)
        log("endpoints: " + std::to_string(pruned->removed) + " stale removed, " + std::to_string(pruned->kept) +
            " kept");
    StartReport report;
    report.endpoints_kept = pruned->kept;
    report.endpoints_stale = pruned->removed;
    report.endpoints_registered = register_missed_pods(*nl, *maps, options, veth, log);
    if (auto old = remove_old_layout_pins(cfg->pin_dir(), current_pin_names()); old)
        report.old_pins_removed = std::move(*old);
    else
        log("warning: " + old.error().message);

    std::vector<AgentAttachment> records;
    auto veth_programs = attach_pod_side(*dp, *dev, *maps, veth, records, log);
    if (!veth_programs) return veth_programs.error();
    if (auto st = attach_tc(dev->hostdev.index, TcDirection::Egress, dp->from_host_fd()); !st) return st.error();
    records.push_back({dev->hostdev.name, dev->hostdev.index, "tc-egress", "podlane_from_host"});
    auto uplink = attach_uplink(*dp, dev->uplink, options.uplink_hook, log);
    if (!uplink) return uplink.error();
    records.push_back(uplink->record);
    if (uplink->hook != *planned)
        if (auto st = maps->set_config(node_config_value(*cfg, *dev, veth, false, options.netfilter)); !st)
            return st.error();
    if (auto st = dp->pin_from_pod_program(); !st) return st.error();
    log("attached: uplink " + cfg->uplink + " (" + mode_name(uplink->hook) + "), netfilter " +
        netfilter_mode_name(options.netfilter) + ", pod side on " + (veth ? "each pod's veth" : cfg->bridge) +
        ", host device " + kHostDevice + " (tc-egress); maps in " + cfg->pin_dir());

    report.programs_attached = static_cast<unsigned>(records.size()) + *veth_programs;
    AgentState state;
    state.role = mode_name(Role::Node);
    state.uplink_hook = mode_name(uplink->hook);
    state.attach_mode = mode_name(options.attach);
    state.netfilter = netfilter_mode_name(options.netfilter);
    state.attachments = std::move(records);
    NodeRuntime rt{std::move(*nl), std::move(*links), std::move(*dp), *dev, uplink->hook, std::move(state)};
    auto agent = std::make_unique<NodeAgent>(options, log, *cfg, std::move(rt), std::move(*maps), std::move(*source));
    if (auto st = agent->serve_metrics(); !st) return st.error();
    agent->reconcile_at_start(report);
    log(report.line());
    if (auto st = agent->start_watching(); !st) return st.error();
    agent->update_readiness();
    agent->publish_state();
    return std::unique_ptr<Agent>(std::move(agent));
}

Status detach_dataplane(const AgentOptions &options, Logger log) {
    auto cfg = load_config(options);
    if (!cfg) return cfg.error();
    auto nl = Netlink::open();
    if (!nl) return nl.error();

    if (auto maps = NodeMaps::open(cfg->pin_dir()); maps) {
        if (auto eps = maps->endpoints(); eps)
            for (const auto &ep : *eps)
                if (auto st = detach_tc(static_cast<int>(ep.value.host_ifindex), TcDirection::Ingress); !st)
                    log("warning: " + st.error().message);
        // The managed neighbour entries the agent made for the next hops.
        if (auto routes = maps->routes(); routes)
            if (auto table = NeighbourTable::open(); table)
                for (const auto &[ifindex, ip] : next_hops(*routes))
                    if (auto st = table->forget(ifindex, ip); !st) log("warning: " + st.error().message);
        if (auto routes6 = maps->routes6(); routes6)
            if (auto table = NeighbourTable::open(); table)
                for (const auto &[ifindex, ip] : next_hops(*routes6))
                    if (auto st = table->forget(ifindex, ip); !st) log("warning: " + st.error().message);
    }
    if (auto bridge = nl->find_link(cfg->bridge); bridge && *bridge)
        if (auto st = detach_tc((*bridge)->index, TcDirection::Ingress); !st) return st;
    if (auto uplink = nl->find_link(cfg->uplink); uplink && *uplink) {
        if (auto st = detach_tc((*uplink)->index, TcDirection::Ingress); !st) return st;
        if (auto st = detach_xdp((*uplink)->index); !st) return st;
    }
    // Deleting the host device also removes the cluster route through it.
    if (auto st = remove_host_device(*nl); !st) return st;
    if (auto st = remove_pins_and_state(options, cfg->node_name, cfg->pin_dir()); !st) return st;
    log("detached: programs removed from " + cfg->bridge + ", " + cfg->uplink + " and the pods' veths; " + kHostDevice +
        " deleted; next hops' neighbour entries and pins under " + cfg->pin_dir() + " removed");
    return {};
}

}  // namespace podlane
