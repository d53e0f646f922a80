// podlanectl routes list | add CIDR via NODE_IP [--dev UPLINK] | del CIDR,
// for IPv4 (pl_routes_v1) and IPv6 (pl_routes6_v1) CIDRs alike.
#include <algorithm>

#include "commands.h"

namespace podlane::ctl {
namespace {

std::optional<RouteEntry> find_route(const std::vector<RouteEntry> &routes, const Cidr &cidr) {
    auto it = std::find_if(routes.begin(), routes.end(), [&](const RouteEntry &r) { return r.cidr == cidr; });
    if (it == routes.end()) return std::nullopt;
    return *it;
}

std::optional<Route6Entry> find_route6(const std::vector<Route6Entry> &routes, const Cidr6 &cidr) {
    auto it = std::find_if(routes.begin(), routes.end(), [&](const Route6Entry &r) { return r.cidr == cidr; });
    if (it == routes.end()) return std::nullopt;
    return *it;
}

Status check_next_hop(Ipv4 ip, const std::string &text) {
    uint32_t h = ip.host();
    if (h == 0 || h == 0xFFFFFFFFu || (h & 0xF0000000u) == 0xE0000000u || (h >> 24) == 127)
        return Error{"next hop '" + text + "' is not a unicast node address"};
    return {};
}

// What bpf_redirect_neigh can resolve as a node: not ::, ::1, multicast or
// IPv4-mapped (link-local is fine: the route names its uplink).
Status check_next_hop6(const Ipv6 &ip, const std::string &text) {
    static const Ipv6 loopback = *Ipv6::parse("::1");
    static const Cidr6 mapped = *Cidr6::parse("::ffff:0:0/96");
    if (ip == Ipv6{} || ip == loopback || is_ipv6_multicast(ip) || mapped.contains(ip))
        return Error{"next hop '" + text + "' is not a unicast node address"};
    return {};
}

std::string local_route_refusal(const std::string &cidr) {
    return cidr +
           " is this node's own pod CIDR (a local route); replacing it would cut off the node's "
           "pods. Add --force if that is what you want";
}

}  // namespace

bool looks_like_ipv6(const std::string &text) {
    return text.find(':') != std::string::npos;
}

IfNames node_interface_names(const Context &ctx) {
    auto names = interface_names(ctx.netns_path());
    return names ? *names : IfNames{};
}

RoutesCommands::RoutesCommands(CLI::App &app) {
    group_ = app.add_subcommand(
        "routes", "List, add and delete pod CIDR routes (the LPM maps pl_routes_v1, and pl_routes6_v1 for IPv6)");
    group_->require_subcommand(1);
    group_->footer(
        "Examples:\n"
        "  podlanectl routes list\n"
        "  podlanectl routes add 10.244.7.0/24 via 192.168.1.17\n"
        "  podlanectl routes add 10.250.0.0/16 via 192.168.1.12 --dev eth1\n"
        "  podlanectl routes add fd00:10:244:7::/64 via fd00:192:168:1::17\n"
        "  podlanectl routes del 10.250.0.0/16");

    list_ =
        group_->add_subcommand("list", "Show every route, IPv4 then IPv6: CIDR, next-hop node, uplink, who wrote it");
    list_->alias("ls");
    list_->footer("Example:\n  podlanectl --node node1 routes list -o json");

    add_ = group_->add_subcommand("add",
                                  "Add (or replace) a static route: packets to CIDR go to NODE_IP out of the uplink");
    add_->add_option("CIDR", cidr_, "Destination, host bits zero (e.g. 10.244.7.0/24 or fd00:10:244:7::/64)")
        ->required();
    add_->add_option("via", via_, "The word 'via'")->required();
    add_->add_option("NODE_IP", node_ip_, "The node that owns CIDR (next hop), of the CIDR's address family")
        ->required();
    add_->add_option("--dev", dev_,
                     "Uplink interface (in the node's namespace); default: the node's configured uplink");
    add_->add_flag("--force", force_, "Allow replacing this node's own (local) pod CIDR route");
    add_->footer(
        "Static routes are flagged so podlaned's reconcile never changes or removes them.\n"
        "Adding over an existing CIDR replaces it atomically and says so.\n"
        "Examples:\n"
        "  podlanectl routes add 10.244.7.0/24 via 192.168.1.17\n"
        "  podlanectl --node node2 routes add 10.250.0.0/16 via 192.168.1.12 --dev eth1\n"
        "  podlanectl routes add fd00:10:244:7::/64 via fd00:192:168:1::17");

    del_ = group_->add_subcommand("del", "Delete the route for exactly CIDR");
    del_->alias("delete");
    del_->add_option("CIDR", cidr_, "The route's CIDR as listed")->required();
    del_->footer(
        "Exit code 1 when there is no such route. A route podlaned manages comes back at its next reconcile.\n"
        "Examples:\n  podlanectl routes del 10.250.0.0/16\n  podlanectl routes del fd00:10:244:7::/64");
}

bool RoutesCommands::selected() const {
    return group_->parsed();
}

Result<int> RoutesCommands::run(const GlobalOptions &global, std::ostream &out) {
    if (add_->parsed()) return add(global, out);
    if (del_->parsed()) return del(global, out);
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto routes = ctx->maps().routes();
    if (!routes) return routes.error();
    auto routes6 = ctx->maps().routes6();
    if (!routes6) return routes6.error();
    out << render_routes(ctx->node(), *routes, *routes6, node_interface_names(*ctx), ctx->format());
    return kExitOk;
}

Result<uint32_t> RoutesCommands::uplink_for(const Context &ctx) const {
    if (!dev_.empty()) {
        auto index = interface_index(ctx.netns_path(), dev_);
        if (!index) return index.error().wrap("--dev");
        return *index;
    }
    auto cfg = ctx.maps().config();
    if (!cfg) return cfg.error();
    if (cfg->uplink_ifindex == 0)
        return Error{"the node config names no uplink yet (has podlaned started?): give one with --dev IFNAME"};
    return cfg->uplink_ifindex;
}

Result<int> RoutesCommands::add(const GlobalOptions &global, std::ostream &out) {
    if (looks_like_ipv6(cidr_)) return add6(global, out);
    auto cidr = Cidr::parse(cidr_);
    if (!cidr) return cidr.error();
    if (via_ != "via") return Error{"expected 'via' after the CIDR, got '" + via_ + "' (routes add CIDR via NODE_IP)"};
    if (looks_like_ipv6(node_ip_))
        return Error{"next hop '" + node_ip_ + "' is IPv6, but " + cidr->str() +
                     " is an IPv4 CIDR: the next hop must be of the CIDR's family"};
    auto node_ip = Ipv4::parse(node_ip_);
    if (!node_ip) return node_ip.error().wrap("next hop");
    if (auto st = check_next_hop(*node_ip, node_ip_); !st) return st.error();

    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto ifindex = uplink_for(*ctx);
    if (!ifindex) return ifindex.error();

    auto routes = ctx->maps().routes();
    if (!routes) return routes.error();
    auto previous = find_route(*routes, *cidr);
    if (previous && (previous->value.flags & PODLANE_ROUTE_F_LOCAL) && !force_)
        return Error{local_route_refusal(cidr->str())};

    RouteEntry route{*cidr, {}};
    route.value.node_ip = node_ip->be;
    route.value.uplink_ifindex = *ifindex;
    route.value.flags = PODLANE_ROUTE_F_STATIC;
    route.value.family = PODLANE_FAMILY_IPV4;
    auto replaced = ctx->maps().put_route(*cidr, route.value);  // one update: atomic
    if (!replaced) return replaced.error();
    if (!*replaced) previous.reset();  // deleted meanwhile: it was an add after all
    out << render_route_added(ctx->node(), route, previous, node_interface_names(*ctx), ctx->format());
    return kExitOk;
}

Result<int> RoutesCommands::add6(const GlobalOptions &global, std::ostream &out) {
    auto cidr = Cidr6::parse(cidr_);
    if (!cidr) return cidr.error();
    if (via_ != "via") return Error{"expected 'via' after the CIDR, got '" + via_ + "' (routes add CIDR via NODE_IP)"};
    if (!looks_like_ipv6(node_ip_))
        return Error{"next hop '" + node_ip_ + "' is not IPv6, but " + cidr->str() +
                     " is an IPv6 CIDR: the next hop must be of the CIDR's family"};
    auto node_ip = Ipv6::parse(node_ip_);
    if (!node_ip) return node_ip.error().wrap("next hop");
    if (auto st = check_next_hop6(*node_ip, node_ip_); !st) return st.error();

    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto ifindex = uplink_for(*ctx);
    if (!ifindex) return ifindex.error();

    auto routes = ctx->maps().routes6();
    if (!routes) return routes.error();
    auto previous = find_route6(*routes, *cidr);
    if (previous && (previous->value.flags & PODLANE_ROUTE_F_LOCAL) && !force_)
        return Error{local_route_refusal(cidr->str())};

    Route6Entry route{*cidr, {}};
    route.value.node_ip = to_in6(*node_ip);
    route.value.uplink_ifindex = *ifindex;
    route.value.flags = PODLANE_ROUTE_F_STATIC;
    auto replaced = ctx->maps().put_route6(*cidr, route.value);  // one update: atomic
    if (!replaced) return replaced.error();
    if (!*replaced) previous.reset();
    out << render_route_added(ctx->node(), route, previous, node_interface_names(*ctx), ctx->format());
    return kExitOk;
}

Result<int> RoutesCommands::del6(const GlobalOptions &global, std::ostream &out) {
    auto cidr = Cidr6::parse(cidr_);
    if (!cidr) return cidr.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto routes = ctx->maps().routes6();
    if (!routes) return routes.error();
    auto previous = find_route6(*routes, *cidr);
    auto existed = ctx->maps().delete_route6(*cidr);
    if (!existed) return existed.error();
    if (!*existed) return Error{"no route for " + cidr->str() + " on node " + ctx->node() + ": nothing deleted", ESRCH};
    if (!previous) previous = Route6Entry{*cidr, {}};
    out << render_route_deleted(ctx->node(), *previous, node_interface_names(*ctx), ctx->format());
    if (ctx->format() == Format::Table && !(previous->value.flags & PODLANE_ROUTE_F_STATIC))
        out << "note: podlaned wrote this route; its next reconcile puts it back\n";
    return kExitOk;
}

Result<int> RoutesCommands::del(const GlobalOptions &global, std::ostream &out) {
    if (looks_like_ipv6(cidr_)) return del6(global, out);
    auto cidr = Cidr::parse(cidr_);
    if (!cidr) return cidr.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto routes = ctx->maps().routes();
    if (!routes) return routes.error();
    auto previous = find_route(*routes, *cidr);
    auto existed = ctx->maps().delete_route(*cidr);
    if (!existed) return existed.error();
    if (!*existed) return Error{"no route for " + cidr->str() + " on node " + ctx->node() + ": nothing deleted", ESRCH};
    if (!previous) previous = RouteEntry{*cidr, {}};  // added between our read and the delete
    auto names = node_interface_names(*ctx);
    out << render_route_deleted(ctx->node(), *previous, names, ctx->format());
    if (ctx->format() == Format::Table && !(previous->value.flags & PODLANE_ROUTE_F_STATIC))
        out << "note: podlaned wrote this route; its next reconcile puts it back\n";
    return kExitOk;
}

}  // namespace podlane::ctl
