// podlanectl endpoints list | del IP, IPv4 (pl_endpoints_v1) and IPv6
// (pl_endpts6_v1). The CNI plugin owns endpoints; del is for repair (a pod
// gone without a CNI DEL).
#include "commands.h"

namespace podlane::ctl {

EndpointsCommands::EndpointsCommands(CLI::App &app) {
    group_ = app.add_subcommand("endpoints", "List local pods known to the dataplane, or delete a stale one");
    group_->alias("ep");
    group_->require_subcommand(1);
    group_->footer(
        "Examples:\n"
        "  podlanectl endpoints list\n"
        "  podlanectl endpoints del 10.244.1.23\n"
        "  podlanectl endpoints del fd00:10:244:1::17");

    list_ = group_->add_subcommand(
        "list",
        "Show every local pod, IPv4 then IPv6: IP, host-side veth, MACs, flags (any-source: exempt from "
        "the anti-spoofing check)");
    list_->alias("ls");
    list_->footer("Example:\n  podlanectl --node node1 endpoints list -o json");

    del_ = group_->add_subcommand("del", "Delete a stale endpoint (repair only: the CNI plugin owns endpoints)");
    del_->alias("delete");
    del_->add_option("IP", ip_, "The pod's IPv4 or IPv6 address")->required();
    del_->footer(
        "Exit code 1 when there is no such endpoint.\n"
        "Examples:\n  podlanectl endpoints del 10.244.1.23\n  podlanectl endpoints del fd00:10:244:1::17");
}

bool EndpointsCommands::selected() const {
    return group_->parsed();
}

Result<int> EndpointsCommands::run(const GlobalOptions &global, std::ostream &out) {
    if (list_->parsed()) {
        auto ctx = Context::open(global);
        if (!ctx) return ctx.error();
        auto endpoints = ctx->maps().endpoints();
        if (!endpoints) return endpoints.error();
        auto endpoints6 = ctx->maps().endpoints6();
        if (!endpoints6) return endpoints6.error();
        auto exemptions = ctx->maps().source_exemptions();
        if (!exemptions) return exemptions.error();
        out << render_endpoints(ctx->node(), *endpoints, *endpoints6, node_interface_names(*ctx), ctx->format(),
                                *exemptions);
        return kExitOk;
    }
    if (looks_like_ipv6(ip_)) return del6(global, out);

    auto ip = Ipv4::parse(ip_);
    if (!ip) return ip.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto previous = ctx->maps().endpoint(*ip);
    if (!previous) return previous.error();
    auto existed = ctx->maps().delete_endpoint(*ip);
    if (!existed) return existed.error();
    if (!*existed) return Error{"no endpoint " + ip->str() + " on node " + ctx->node() + ": nothing deleted", ESRCH};
    EndpointEntry entry{*ip, previous->value_or(podlane_endpoint_value{})};
    out << render_endpoint_deleted(ctx->node(), entry, node_interface_names(*ctx), ctx->format());
    return kExitOk;
}

Result<int> EndpointsCommands::del6(const GlobalOptions &global, std::ostream &out) {
    auto ip = Ipv6::parse(ip_);
    if (!ip) return ip.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto previous = ctx->maps().endpoint6(*ip);
    if (!previous) return previous.error();
    auto existed = ctx->maps().delete_endpoint6(*ip);
    if (!existed) return existed.error();
    if (!*existed) return Error{"no endpoint " + ip->str() + " on node " + ctx->node() + ": nothing deleted", ESRCH};
    Endpoint6Entry entry{*ip, previous->value_or(podlane_endpoint_value{})};
    out << render_endpoint_deleted(ctx->node(), entry, node_interface_names(*ctx), ctx->format());
    return kExitOk;
}

}  // namespace podlane::ctl
