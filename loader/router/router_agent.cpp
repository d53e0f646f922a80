#include "router/router_agent.h"

#include <chrono>
#include <cstring>
#include <optional>
#include <set>

#include "agent_loop.h"
#include "agent_metrics.h"
#include "agent_start.h"
#include "dataplane_metrics.h"
#include "host_setup.h"
#include "metrics_server.h"
#include "podlane/agent_state.h"
#include "podlane/attach.h"
#include "podlane/maps.h"
#include "podlane/neighbours.h"
#include "podlane/netlink.h"
#include "reconcile.h"
#include "router/router_config.h"
#include "router/router_datapath.h"
#include "router/router_links.h"
#include "router/router_maps.h"
#include "router/router_sync.h"

namespace podlane {
namespace {

Result<RouterConfig> load_config(const AgentOptions &o) {
    auto cfg = load_router_config(o.config_path, {.nodes_required = o.datastore.kind == datastore::Kind::File});
    if (!cfg) return cfg.error();
    if (!o.pin_root.empty()) cfg->pin_root = o.pin_root;
    return cfg;
}

Result<std::vector<LinkInfo>> find_interfaces(Netlink &nl, const RouterConfig &cfg) {
    std::vector<LinkInfo> out;
    for (size_t i = 0; i < cfg.interfaces.size(); i++) {
        auto link = nl.find_link(cfg.interfaces[i]);
        if (!link) return link.error();
        if (!*link)
            return Error{"interfaces[" + std::to_string(i) + "]: no interface '" + cfg.interfaces[i] +
                             "' in this network namespace",
                         ENODEV};
        out.push_back(**link);
    }
    return out;
}

podlane_node_config router_config_value(const RouterConfig &cfg, const std::vector<LinkInfo> &ifaces) {
    podlane_node_config v{};
    v.node_ip = cfg.node_ip.be;
    v.uplink_ifindex = ifaces.empty() ? 0 : ifaces[0].index;
    if (!ifaces.empty()) std::memcpy(v.gateway_mac, ifaces[0].mac.bytes.data(), 6);
    v.role = PODLANE_ROLE_ROUTER;
    v.uplink_mtu = ifaces.empty() ? 0 : ifaces[0].mtu;
    return v;
}

std::string program_name(RouterHook hook) {
    return hook == RouterHook::Xdp ? "podlane_xdp_router" : "podlane_tc_router";
}

class RouterAgent final : public Agent, private LoopEvents {
public:
    RouterAgent(AgentOptions options, Logger log, RouterConfig cfg, std::vector<LinkInfo> ifaces, NodeMaps maps,
                RouterMaps rmaps, NeighbourTable table, NeighbourEvents events,
                std::unique_ptr<datastore::ClusterSource> source)
        : options_(std::move(options)),
          log_(std::move(log)),
          loop_(options_.config_path, log_),
          cfg_(std::move(cfg)),
          ifaces_(std::move(ifaces)),
          maps_(std::move(maps)),
          rmaps_(std::move(rmaps)),
          table_(std::move(table)),
          events_(std::move(events)),
          source_(std::move(source)) {
        if (!source_) nodes_ = select(cfg_.nodes);
    }

    ~RouterAgent() override {
        if (source_) source_->stop();
    }

    Status sync_ports();
    // With a datastore, starts watching it; the routes a previous run left
    // stay until its first answer (restart safety), their next hops'
    // neighbours still followed. Without one, reconciles the file's nodes.
    Status start_syncing();
    void reconcile(const char *why, std::optional<std::chrono::steady_clock::time_point> changed_at = std::nullopt);
    Status serve_metrics();
    void sync_neighbours();
    Status run() override { return loop_.run(*this); }

private:
    void on_config_changed() override;
    void on_datastore_nodes(std::vector<ClusterNode> published,
                            std::chrono::steady_clock::time_point published_at) override;
    std::optional<std::chrono::milliseconds> on_tick(std::chrono::steady_clock::time_point now) override;
    // Neighbour changes arrive as events.
    int event_fd() const override { return events_.fd(); }
    void on_event_fd_readable() override {
        if (events_.drain()) sync_neighbours();
    }
    // The nodes of a list that pass the node-list filter; refusals logged
    // once and kept in agent.json for podlanectl status.
    std::vector<ClusterNode> select(const std::vector<ClusterNode> &nodes) {
        auto selection = usable_router_nodes(nodes, cfg_.cluster_cidr, cfg_.node_ip);
        refusal_log_.report(selection.refused, [&](const std::string &line, const RefusedNode &r) {
            metrics_.refused_node(refusal_word(r.reason));
            log_("warning: " + line);
        });
        auto records = refusal_records(selection.refused);
        if (records != refused_) {
            refused_ = std::move(records);
            if (state_) {
                state_->refused_nodes = refused_;
                if (auto st = write_agent_state(options_.run_dir + "/" + cfg_.node_name, *state_); !st)
                    log_("warning: " + st.error().message + " (podlanectl status will not show the refused nodes)");
            }
        }
        return std::move(selection.usable);
    }

public:
    // Writes agent.json now and again whenever the refused nodes change.
    void publish_state(AgentState state) {
        state.refused_nodes = refused_;
        state_ = publish_agent_state(options_, cfg_.node_name, cfg_.pin_dir(), std::move(state), log_);
    }

private:
    std::set<int> ifindexes() const {
        std::set<int> out;
        for (const auto &l : ifaces_) out.insert(l.index);
        return out;
    }

    AgentOptions options_;
    Logger log_;
    AgentLoop loop_;
    RouterConfig cfg_;
    std::vector<LinkInfo> ifaces_;
    NodeMaps maps_;
    RouterMaps rmaps_;
    NeighbourTable table_;
    NeighbourEvents events_;
    std::unique_ptr<datastore::ClusterSource> source_;
    RefusalLog refusal_log_;  // nodes left out, as last logged
    std::vector<AgentRefusedNode> refused_;
    std::optional<AgentState> state_;  // once published
    // The nodes routed to: the config file's, or the datastore's last list;
    // nullopt until the datastore first answers.
    std::optional<std::vector<ClusterNode>> nodes_;
    std::map<Ipv4, int> node_if_;
    bool reconcile_failed_ = false;  // retried on the 1 s tick
    std::set<Ipv4> resolving_;       // logged once per episode
    std::chrono::steady_clock::time_point next_tick_at_{};
    AgentMetrics metrics_;
    // Last: its thread reads the maps and metrics_, so it stops first.
    std::unique_ptr<MetricsServer> metrics_server_;
};

// The router's families: the dataplane's (its stats, routes and maps) plus
// the neighbours and ports it forwards with.
Status RouterAgent::serve_metrics() {
    if (options_.metrics_address.empty()) return {};
    auto server = MetricsServer::start(
        options_.metrics_address,
        [this] {
            MetricsText out;
            write_build_info(out, mode_name(Role::Router));
            write_dataplane_metrics(out, maps_, rmaps_.all());
            if (auto neighbours = rmaps_.neighbours(); neighbours) {
                out.family("podlane_router_neighbours", "Nodes whose MAC the router knows (neighbours map)", "gauge");
                out.sample("podlane_router_neighbours", {}, static_cast<double>(neighbours->size()));
            }
            if (auto ports = rmaps_.ports(); ports) {
                out.family("podlane_router_ports", "Interfaces the router forwards on", "gauge");
                out.sample("podlane_router_ports", {}, static_cast<double>(ports->size()));
            }
            metrics_.write(out);
            return out.text();
        },
        log_);
    if (!server) return server.error();
    metrics_server_ = std::move(*server);
    return {};
}

Status RouterAgent::start_syncing() {
    if (!source_) {
        reconcile("start");
        return {};
    }
    log_(std::string("nodes come from --datastore ") + datastore::kind_name(options_.datastore.kind) +
         "; routes are kept as they are until it answers");
    // Meanwhile the next hops of the routes a previous run left are the
    // nodes: their neighbours keep being followed (a MAC that changes, an
    // entry the kernel drops) as before the restart.
    if (auto routes = maps_.routes(); routes) {
        for (const auto &r : *routes)
            if ((r.value.flags & PODLANE_ROUTE_F_ROUTER_NEXTHOP) && r.value.uplink_ifindex)
                node_if_[Ipv4{r.value.node_ip}] = static_cast<int>(r.value.uplink_ifindex);
    } else {
        log_("warning: reading the routes a previous run left: " + routes.error().message);
    }
    if (!cfg_.nodes.empty())
        log_(std::string("the config file's \"nodes\" are ignored: --datastore ") +
             datastore::kind_name(options_.datastore.kind) + " lists them");
    if (auto st = loop_.open_mailbox(); !st) return st;
    source_->set_health_listener(metrics_.health_listener());
    return source_->watch(loop_.mailbox_callback(), log_);
}

void RouterAgent::on_datastore_nodes(std::vector<ClusterNode> published,
                                     std::chrono::steady_clock::time_point published_at) {
    nodes_ = select(published);
    reconcile("datastore update", published_at);
}

Status RouterAgent::sync_ports() {
    auto current = rmaps_.ports();
    if (!current) return current.error();
    auto wanted = ifindexes();
    for (const auto &[ifindex, port] : *current)
        if (!wanted.count(ifindex))
            if (auto st = rmaps_.delete_port(ifindex); !st) return st;
    for (const auto &l : ifaces_) {
        auto peer_elsewhere = veth_peer_in_other_netns(l.index);
        if (!peer_elsewhere) return peer_elsewhere.error();
        unsigned flags = *peer_elsewhere ? PODLANE_ROUTER_PORT_F_VETH_PEER : 0;
        if (auto st = rmaps_.put_port(l.index, RouterPort{l.mac, l.mtu, flags}); !st) return st;
    }
    return {};
}

void RouterAgent::reconcile(const char *why, std::optional<std::chrono::steady_clock::time_point> changed_at) {
    if (!nodes_) return;
    const auto started = std::chrono::steady_clock::now();
    reconcile_failed_ = true;
    auto subnets = table_.subnets();
    if (!subnets) {
        log_(std::string("reconcile (") + why + ") failed: " + subnets.error().message + "; retrying");
        return;
    }
    node_if_ = node_interfaces(*nodes_, *subnets, ifindexes());
    for (const auto &n : *nodes_)
        if (!node_if_.count(n.node_ip))
            log_("warning: node " + n.name + " (" + n.node_ip.str() +
                 ") is on no connected subnet of the router's interfaces: its pod CIDR is passed to the kernel");
    auto current = maps_.routes();
    if (!current) {
        log_(std::string("reconcile (") + why + ") failed: " + current.error().message + "; retrying");
        return;
    }
    auto diff = diff_routes(*current, router_desired_routes(*nodes_, node_if_));
    auto st = apply_route_diff(maps_, diff, log_);
    const auto done = std::chrono::steady_clock::now();
    metrics_.reconciled(done - started);
    if (st && !diff.empty() && changed_at) metrics_.converged(done - *changed_at);
    if (!st)
        log_(std::string("reconcile (") + why + ") failed: " + st.error().message + "; retrying");
    else if (diff.empty())
        log_(std::string("reconcile (") + why + "): routes already up to date");
    reconcile_failed_ = !st;
    sync_neighbours();
}

void RouterAgent::sync_neighbours() {
    auto table = table_.list();
    auto current = rmaps_.neighbours();
    if (!table || !current) {
        log_("neighbour sync failed: " + (!table ? table.error() : current.error()).message);
        return;
    }
    auto plan = plan_neighbours(node_if_, *table);
    for (const auto &[ip, entry] : plan.entries) {
        auto it = current->find(ip);
        if (it != current->end() && it->second == entry) continue;
        if (auto st = rmaps_.put_neighbour(ip, entry); !st) {
            log_("neighbour sync: " + st.error().message);
            continue;
        }
        resolving_.erase(ip);
        log_("neighbour " + ip.str() + " is " + entry.mac.str() + " on link #" + std::to_string(entry.ifindex) +
             (it == current->end() ? " (learned)" : " (changed from " + it->second.mac.str() + ")"));
    }
    for (const auto &[ip, entry] : *current)
        if (!plan.entries.count(ip)) {
            if (auto st = rmaps_.delete_neighbour(ip); !st)
                log_("neighbour sync: " + st.error().message);
            else
                log_("neighbour " + ip.str() +
                     " forgotten (unresolved or no longer a node): its traffic goes to the kernel");
        }
    for (const auto &[ifindex, ip] : plan.resolve) {
        bool known = plan.entries.count(ip) != 0;
        if (!known && resolving_.insert(ip).second)
            log_("neighbour " + ip.str() + " unknown: asking the kernel to resolve it on link #" +
                 std::to_string(ifindex));
        if (auto st = table_.resolve(ifindex, ip); !st) log_("neighbour sync: " + st.error().message);
    }
}

void RouterAgent::on_config_changed() {
    const auto changed_at = std::chrono::steady_clock::now();
    auto fresh = load_config(options_);
    if (!fresh) {
        log_("config change ignored, routes kept as they are: " + fresh.error().message);
        return;
    }
    for (auto [field, changed] : {std::pair{"nodeName", fresh->node_name != cfg_.node_name},
                                  std::pair{"nodeIP", !(fresh->node_ip == cfg_.node_ip)},
                                  std::pair{"interfaces", fresh->interfaces != cfg_.interfaces}})
        if (changed)
            log_(std::string("config: ") + field +
                 " changed; restart podlaned to apply it (routes are reconciled now)");
    cfg_.nodes = fresh->nodes;
    if (source_) return;
    nodes_ = select(cfg_.nodes);
    reconcile("config changed", changed_at);
}

// The 1 s tick re-probes stale and unresolved next hops, covers any lost
// neighbour event and retries a failed reconcile.
std::optional<std::chrono::milliseconds> RouterAgent::on_tick(std::chrono::steady_clock::time_point now) {
    if (now >= next_tick_at_) {
        if (next_tick_at_ != std::chrono::steady_clock::time_point{}) {
            if (reconcile_failed_) reconcile("retry");
            sync_neighbours();
        }
        next_tick_at_ = now + std::chrono::seconds{1};
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(next_tick_at_ - now);
}

Status attach_router(const RouterDatapath &dp, const std::vector<LinkInfo> &ifaces, RouterHook hook,
                     std::vector<AgentAttachment> &records) {
    for (const auto &l : ifaces) {
        if (hook == RouterHook::Xdp) {
            if (auto st = attach_xdp(l.index, dp.xdp_fd()); !st) return st.error().wrap("interface " + l.name);
            if (auto st = detach_tc(l.index, TcDirection::Ingress); !st) return st;
            records.push_back({l.name, l.index, "xdp", program_name(hook)});
        } else {
            if (auto st = attach_tc(l.index, TcDirection::Ingress, dp.tc_fd()); !st)
                return st.error().wrap("interface " + l.name);
            if (auto st = detach_xdp(l.index); !st) return st;
            records.push_back({l.name, l.index, "tc-ingress", program_name(hook)});
        }
    }
    return {};
}

}  // namespace

Result<std::unique_ptr<Agent>> start_router(const AgentOptions &options, Logger log) {
    if (auto st = require_root(); !st) return st.error();
    auto cfg = load_config(options);
    if (!cfg) return cfg.error();
    // Watch-only: the router registers nothing and claims no pod CIDR.
    auto source = datastore::make_source(options.datastore);
    if (!source) return source.error();
    if (auto st = ensure_bpffs(); !st) return st.error();
    auto nl = Netlink::open();
    if (!nl) return nl.error();
    auto ifaces = find_interfaces(*nl, *cfg);
    if (!ifaces) return ifaces.error();

    auto dp = RouterDatapath::load(cfg->pin_dir());
    if (!dp) return dp.error();
    auto maps = NodeMaps::open(cfg->pin_dir());
    if (!maps) return maps.error();
    auto rmaps = RouterMaps::open(cfg->pin_dir());
    if (!rmaps) return rmaps.error();
    auto table = NeighbourTable::open();
    if (!table) return table.error();
    auto events = NeighbourEvents::subscribe();
    if (!events) return events.error();

    if (auto st = maps->set_config(router_config_value(*cfg, *ifaces)); !st) return st.error();
    auto agent = std::make_unique<RouterAgent>(options, log, *cfg, *ifaces, std::move(*maps), std::move(*rmaps),
                                               std::move(*table), std::move(*events), std::move(*source));
    // Ports before attach: a program that runs first finds no port and
    // passes (pass-no-port / pass-neigh-unknown), never misroutes.
    if (auto st = agent->sync_ports(); !st) return st.error();
    if (auto st = agent->serve_metrics(); !st) return st.error();
    std::vector<AgentAttachment> records;
    if (auto st = attach_router(*dp, *ifaces, options.router_hook, records); !st) return st.error();
    std::string names;
    for (const auto &l : *ifaces) names += (names.empty() ? "" : ", ") + l.name;
    log("router attached: " + names + " (" + mode_name(options.router_hook) + "); maps in " + cfg->pin_dir());
    if (auto st = agent->start_syncing(); !st)
        return st.error().wrap(std::string("datastore ") + datastore::kind_name(options.datastore.kind));

    AgentState state;
    state.role = mode_name(Role::Router);
    state.uplink_hook = mode_name(options.router_hook);
    state.attachments = std::move(records);
    agent->publish_state(std::move(state));
    return std::unique_ptr<Agent>(std::move(agent));
}

Status detach_router(const AgentOptions &options, Logger log) {
    auto cfg = load_config(options);
    if (!cfg) return cfg.error();
    auto nl = Netlink::open();
    if (!nl) return nl.error();
    for (const auto &name : cfg->interfaces) {
        auto link = nl->find_link(name);
        if (!link) return link.error();
        if (!*link) continue;
        if (auto st = detach_xdp((*link)->index); !st) return st;
        if (auto st = detach_tc((*link)->index, TcDirection::Ingress); !st) return st;
    }
    if (auto st = remove_pins_and_state(options, cfg->node_name, cfg->pin_dir()); !st) return st;
    log("router detached: programs removed from its interfaces; pins under " + cfg->pin_dir() + " removed");
    return {};
}

}  // namespace podlane
