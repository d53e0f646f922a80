#include "agent.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <set>

#include "agent_loop.h"
#include "agent_start.h"
#include "datapath.h"
#include "host_setup.h"
#include "podlane/agent_state.h"
#include "podlane/attach.h"
#include "podlane/ethtool.h"
#include "podlane/maps.h"
#include "podlane/neighbours.h"
#include "podlane/netlink.h"
#include "reconcile.h"

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

// Tc or Xdp: what Auto means for this uplink.
Result<UplinkHook> pick_uplink_hook(UplinkHook requested, const std::string &uplink) {
    if (requested != UplinkHook::Auto) return requested;
    auto driver = interface_driver(uplink);
    if (!driver) return driver.error();
    // XDP on a veth loses the partial-checksum state of TCP/UDP and GRO
    // (docs/dataplane.md); physical and virtio NICs get the XDP program.
    return *driver == "veth" ? UplinkHook::Tc : UplinkHook::Xdp;
}

podlane_node_config node_config_value(const NodeConfig &cfg, const NodeDevices &dev, bool per_veth, bool uplink_xdp,
                                      NetfilterMode netfilter) {
    podlane_node_config v{};
    v.node_ip = cfg.node_ip.be;
    v.gateway_ip = cfg.gateway().be;
    v.pod_cidr = cfg.pod_cidr.prefix.be;
    v.pod_prefixlen = cfg.pod_cidr.length;
    v.bridge_ifindex = dev.bridge.index;
    v.uplink_ifindex = dev.uplink.index;
    v.hostdev_ifindex = dev.hostdev.index;
    std::memcpy(v.gateway_mac, dev.bridge.mac.bytes.data(), 6);
    v.role = PODLANE_ROLE_NODE;
    v.flags = (per_veth ? PODLANE_CONFIG_F_PER_VETH : 0) | (cfg.router_ip ? PODLANE_CONFIG_F_VIA_ROUTER : 0) |
              (uplink_xdp ? PODLANE_CONFIG_F_UPLINK_XDP : 0) |
              (netfilter == NetfilterMode::Bypass ? PODLANE_CONFIG_F_NETFILTER_BYPASS : 0);
    v.uplink_mtu = dev.uplink.mtu;
    return v;
}

class NodeAgent final : public Agent, private LoopEvents {
public:
    NodeAgent(AgentOptions options, Logger log, NodeConfig cfg, NodeDevices dev, NodeMaps maps,
              std::unique_ptr<datastore::ClusterSource> source)
        : options_(std::move(options)),
          log_(std::move(log)),
          loop_(options_.config_path, log_),
          cfg_(std::move(cfg)),
          dev_(std::move(dev)),
          maps_(std::move(maps)),
          source_(std::move(source)) {}

    ~NodeAgent() override {
        if (source_) source_->stop();
    }

    Status start_watching();
    Status run() override { return loop_.run(*this); }
    void reconcile_at_start();
    // Writes agent.json now and again whenever the refused nodes change.
    void publish_state(AgentState state);

private:
    void reconcile(const std::vector<ClusterNode> &nodes, const char *why);
    void note_refusals(const std::vector<RefusedNode> &refused);
    void keep_next_hops_resolved();
    void on_config_changed() override;
    void on_datastore_nodes(std::vector<ClusterNode> nodes) override { reconcile(nodes, "datastore update"); }
    std::optional<std::chrono::milliseconds> on_tick(std::chrono::steady_clock::time_point now) override;

    AgentOptions options_;
    Logger log_;
    AgentLoop loop_;
    NodeConfig cfg_;
    NodeDevices dev_;
    NodeMaps maps_;
    std::unique_ptr<datastore::ClusterSource> source_;
    std::set<NextHop> kept_neighbours_;    // managed neighbour entries made
    std::set<NextHop> unresolved_logged_;  // failed to make, warned about
    bool next_hops_pending_ = false;       // some could not be made (or forgotten): retry
    std::chrono::steady_clock::time_point next_hops_retry_at_{};
    bool leftovers_swept_ = false;  // podlaned's neighbour entries of a previous run checked
    RefusalLog refusal_log_;
    std::vector<AgentRefusedNode> refused_;
    std::optional<AgentState> state_;  // once published
};

// Every list, from the file or a datastore, passes the node-list filter
// before it reaches the routes map.
void NodeAgent::reconcile(const std::vector<ClusterNode> &nodes, const char *why) {
    auto filtered = filter_for_node(cfg_, nodes);
    note_refusals(filtered.refused);
    auto diff = reconcile_routes(maps_, cfg_, filtered.accepted, dev_.uplink.index, log_);
    if (!diff)
        log_("reconcile (" + std::string(why) + ") failed: " + diff.error().message);
    else if (diff->empty())
        log_("reconcile (" + std::string(why) + "): routes already up to date");
    keep_next_hops_resolved();
}

void NodeAgent::note_refusals(const std::vector<RefusedNode> &refused) {
    refusal_log_.report(refused, [&](const std::string &line) { log_("warning: " + line); });
    auto records = refusal_records(refused);
    if (records == refused_) return;
    refused_ = std::move(records);
    if (!state_) return;
    state_->refused_nodes = refused_;
    if (auto st = write_agent_state(options_.run_dir + "/" + cfg_.node_name, *state_); !st)
        log_("warning: " + st.error().message + " (podlanectl status will not show the refused nodes)");
}

void NodeAgent::publish_state(AgentState state) {
    state.refused_nodes = refused_;
    state_ = publish_agent_state(options_, cfg_.node_name, cfg_.pin_dir(), std::move(state), log_);
}

// bpf_redirect_neigh holds a packet back while the next hop's MAC is being
// resolved, and the node's own packets (sent from the host device's egress)
// are lost from that queue: the kernel re-sends queued packets by the route
// they carry, which leads back to the host device. Managed neighbour entries
// keep every next hop of the routes map resolved, so nothing waits. One that
// could not be made is retried (next reconcile, or the run loop's retry
// timer) and logged once until it succeeds.
void NodeAgent::keep_next_hops_resolved() {
    auto routes = maps_.routes();
    if (!routes) return log_("warning: read routes for the next hops: " + routes.error().message);
    auto wanted = next_hops(*routes);
    // Entries of nodes that left while podlaned was down live on in the
    // kernel only (kept_neighbours_ starts empty): removed once, at the
    // first list, when the wanted ones are known.
    if (!leftovers_swept_)
        if (auto table = NeighbourTable::open(); table) {
            auto removed = forget_leftover_neighbours(*table, dev_.uplink.index, wanted);
            if (!removed) log_("warning: leftover neighbour entries: " + removed.error().message + " (retrying)");
            for (const auto &[ifindex, ip] : removed ? *removed : std::vector<NeighbourKey>{})
                log_("neighbour entry of " + ip.str() + " on link #" + std::to_string(ifindex) +
                     " removed: no route uses it any more");
            leftovers_swept_ = removed.ok();
        }
    next_hops_pending_ = wanted != kept_neighbours_ || !leftovers_swept_;
    if (!next_hops_pending_) return;
    auto table = NeighbourTable::open();
    if (!table) return log_("warning: " + table.error().message);
    std::set<NextHop> kept;
    for (const auto &hop : kept_neighbours_) {
        if (wanted.count(hop)) continue;
        if (auto st = table->forget(hop.first, hop.second); !st) {
            log_("warning: " + st.error().message + " (retrying)");
            kept.insert(hop);  // still there: forgotten on a later try
        }
    }
    std::erase_if(unresolved_logged_, [&](const NextHop &hop) { return !wanted.count(hop); });
    for (const auto &hop : wanted) {
        if (kept_neighbours_.count(hop)) {
            kept.insert(hop);
            continue;
        }
        if (auto st = table->keep_resolved(hop.first, hop.second); !st) {
            if (unresolved_logged_.insert(hop).second)
                log_("warning: " + st.error().message + " (packets to that node may wait for ARP; retrying)");
            continue;
        }
        unresolved_logged_.erase(hop);
        kept.insert(hop);
    }
    next_hops_pending_ = kept != wanted;
    kept_neighbours_ = std::move(kept);
}

void NodeAgent::reconcile_at_start() {
    if (!source_) return reconcile(cfg_.nodes, "start");
    // The node list comes from the datastore's first answer. Until then keep
    // every route a previous run left (restart safety) and only make sure
    // this node's own pod CIDR is there.
    auto current = maps_.routes();
    if (!current) return log_("reading routes at start failed: " + current.error().message);
    RouteDiff diff = diff_routes(*current, desired_routes(cfg_, {}, dev_.uplink.index));
    diff.remove.clear();
    if (auto st = apply_route_diff(maps_, diff, log_); !st) log_("start: " + st.error().message);
}

void NodeAgent::on_config_changed() {
    auto fresh = load_config(options_);
    if (!fresh) {
        log_("config change ignored, routes kept as they are: " + fresh.error().message);
        return;
    }
    for (auto [field, changed] :
         {std::pair{"nodeName", fresh->node_name != cfg_.node_name},
          std::pair{"nodeIP", !(fresh->node_ip == cfg_.node_ip)}, std::pair{"uplink", fresh->uplink != cfg_.uplink},
          std::pair{"bridge", fresh->bridge != cfg_.bridge},
          std::pair{"podCIDR", has_pod_cidr(*fresh) && !(fresh->pod_cidr == cfg_.pod_cidr)}})
        if (changed)
            log_(std::string("config: ") + field +
                 " changed; restart podlaned to apply it (routes are reconciled now)");
    cfg_.nodes = fresh->nodes;
    cfg_.router_ip = fresh->router_ip;
    if (!source_) reconcile(cfg_.nodes, "config changed");
}

Status NodeAgent::start_watching() {
    if (!source_) return {};
    if (auto st = loop_.open_mailbox(); !st) return st;
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

// Moves the pod-side program between the bridge and the pods' veths, so a
// restart in another mode never leaves both attached.
Status attach_pod_side(const Datapath &dp, const NodeDevices &dev, const NodeMaps &maps, bool per_veth,
                       std::vector<AgentAttachment> &records) {
    auto endpoints = maps.endpoints();
    if (!endpoints) return endpoints.error();
    if (per_veth) {
        for (const auto &ep : *endpoints) {
            int ifindex = static_cast<int>(ep.value.host_ifindex);
            if (auto st = attach_tc(ifindex, TcDirection::Ingress, dp.from_pod_fd()); !st)
                return st.error().wrap("pod " + ep.pod_ip.str());
        }
        // Pod veths come and go with pods (the CNI plugin attaches new ones), so
        // they are not recorded: `podlanectl status` checks each endpoint's veth.
        return detach_tc(dev.bridge.index, TcDirection::Ingress);
    }
    if (auto st = attach_tc(dev.bridge.index, TcDirection::Ingress, dp.from_pod_fd()); !st) return st;
    records.push_back({dev.bridge.name, dev.bridge.index, "tc-ingress", "podlane_from_pod"});
    for (const auto &ep : *endpoints)
        if (auto st = detach_tc(static_cast<int>(ep.value.host_ifindex), TcDirection::Ingress); !st) return st;
    return {};
}

}  // namespace

Result<std::unique_ptr<Agent>> Agent::start(const AgentOptions &options, Logger log) {
    if (auto st = require_root(); !st) return st.error();

    auto cfg = load_config(options);
    if (!cfg) return cfg.error();

    auto source = datastore::make_source(options.datastore);
    if (!source) return source.error();
    if (*source) {
        auto resolved = (*source)->resolve_self(*cfg);
        if (!resolved)
            return resolved.error().wrap(std::string("datastore ") + datastore::kind_name(options.datastore.kind));
        cfg = std::move(resolved);
    }
    if (!has_pod_cidr(*cfg)) return Error{"podCIDR: this node has none (not in the config, not from the datastore)"};

    if (auto st = ensure_bpffs(); !st) return st.error();
    auto nl = Netlink::open();
    if (!nl) return nl.error();
    auto dev = setup_node_devices(*nl, *cfg);
    if (!dev) return dev.error();
    auto hook = pick_uplink_hook(options.uplink_hook, cfg->uplink);
    if (!hook) return hook.error();

    if (options.netfilter == NetfilterMode::Compat)
        if (auto warning = strict_rp_filter_warning(cfg->uplink); !warning.empty()) log("warning: " + warning);
    auto dp = Datapath::load(cfg->pin_dir(),
                             {.netfilter = options.netfilter, .next_hop_fib = options.next_hop == NextHopMethod::Fib});
    if (!dp) return dp.error();
    auto maps = NodeMaps::open(cfg->pin_dir());
    if (!maps) return maps.error();

    bool per_veth = options.attach == PodAttach::Veth;
    // Config before attach: a program that runs before it would pass
    // everything to the kernel (pass-no-config), never misroute.
    if (auto st =
            maps->set_config(node_config_value(*cfg, *dev, per_veth, *hook == UplinkHook::Xdp, options.netfilter));
        !st)
        return st.error();

    std::vector<AgentAttachment> records;
    if (auto st = attach_pod_side(*dp, *dev, *maps, per_veth, records); !st) return st.error();
    if (auto st = attach_tc(dev->hostdev.index, TcDirection::Egress, dp->from_host_fd()); !st) return st.error();
    records.push_back({dev->hostdev.name, dev->hostdev.index, "tc-egress", "podlane_from_host"});
    if (*hook == UplinkHook::Xdp) {
        // `auto` chose XDP for a non-veth driver; if that driver has no XDP of
        // its own, generic XDP would be slower than TC, so TC it is.
        const bool automatic = options.uplink_hook == UplinkHook::Auto;
        auto st = attach_xdp(dev->uplink.index, dp->uplink_xdp_fd(),
                             automatic ? XdpMode::NativeOnly : XdpMode::NativeOrGeneric);
        if (!st && automatic && st.error().errnum == EOPNOTSUPP) {
            log("uplink " + cfg->uplink + ": " + st.error().message + "; using TC");
            *hook = UplinkHook::Tc;
            if (auto cst = maps->set_config(node_config_value(*cfg, *dev, per_veth, false, options.netfilter)); !cst)
                return cst.error();
        } else if (!st) {
            return st.error();
        }
    }
    if (*hook == UplinkHook::Xdp) {
        if (auto st = detach_tc(dev->uplink.index, TcDirection::Ingress); !st) return st.error();
        records.push_back({dev->uplink.name, dev->uplink.index, "xdp", "podlane_xdp_uplink"});
    } else {
        if (auto st = attach_tc(dev->uplink.index, TcDirection::Ingress, dp->uplink_tc_fd()); !st) return st.error();
        if (auto st = detach_xdp(dev->uplink.index); !st) return st.error();
        records.push_back({dev->uplink.name, dev->uplink.index, "tc-ingress", "podlane_uplink_ingress"});
    }
    if (auto st = dp->pin_from_pod_program(); !st) return st.error();
    log("attached: uplink " + cfg->uplink + " (" + mode_name(*hook) + "), netfilter " +
        netfilter_mode_name(options.netfilter) + ", pod side on " + (per_veth ? "each pod's veth" : cfg->bridge) +
        ", host device " + kHostDevice + " (tc-egress); maps in " + cfg->pin_dir());

    auto agent = std::make_unique<NodeAgent>(options, log, *cfg, *dev, std::move(*maps), std::move(*source));
    agent->reconcile_at_start();
    if (auto st = agent->start_watching(); !st) return st.error();

    AgentState state;
    state.role = mode_name(Role::Node);
    state.uplink_hook = mode_name(*hook);
    state.attach_mode = mode_name(options.attach);
    state.netfilter = netfilter_mode_name(options.netfilter);
    state.attachments = std::move(records);
    agent->publish_state(std::move(state));
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
