// podlanectl lookup IP: the decision the BPF programs take for a packet to
// IP (IPv4 or IPv6), replayed over the live maps (decision.cpp mirrors
// bpf/lib/decide.h).
#include "commands.h"

namespace podlane::ctl {

LookupCommand::LookupCommand(CLI::App &app) {
    cmd_ = app.add_subcommand("lookup", "Where does a packet to IP go, and why: the BPF program's decision");
    cmd_->add_option("IP", ip_, "Destination IPv4 or IPv6 address")->required();
    cmd_->add_option("--from", from_,
                     "Where the packet comes from: pod (a local pod or this node) or uplink (another node)")
        ->check(CLI::IsMember({"pod", "uplink"}))
        ->capture_default_str();
    cmd_->add_option("--ttl", ttl_, "The packet's TTL or hop limit (<= 1 goes to the kernel for time-exceeded)")
        ->check(CLI::Range(0, 255))
        ->capture_default_str();
    cmd_->footer(
        "Answers with the route that matches (longest prefix), the node IP and uplink it forwards to,\n"
        "the local pod it delivers to, or why the packet is left to the kernel or dropped.\n"
        "Examples:\n"
        "  podlanectl lookup 10.244.2.15\n"
        "  podlanectl lookup 10.244.1.7 --from uplink\n"
        "  podlanectl lookup fd00:10:244:2::5\n"
        "  podlanectl --node node3 lookup 10.244.1.7 -o json");
}

bool LookupCommand::selected() const {
    return cmd_->parsed();
}

Result<int> LookupCommand::run(const GlobalOptions &global, std::ostream &out) {
    if (looks_like_ipv6(ip_)) return run6(global, out);
    auto ip = Ipv4::parse(ip_);
    if (!ip) return ip.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto routes = ctx->maps().routes();
    if (!routes) return routes.error();
    auto endpoints = ctx->maps().endpoints();
    if (!endpoints) return endpoints.error();
    auto config = ctx->maps().config();
    if (!config) return config.error();

    IfNames names = node_interface_names(*ctx);
    DecideOptions options;
    options.ttl = static_cast<uint8_t>(ttl_);
    if (!names.empty()) options.interface_exists = [&](uint32_t ifindex) { return names.count(ifindex) > 0; };

    LookupReport report;
    report.node = ctx->node();
    report.ip = *ip;
    report.from = from_ == "uplink" ? Direction::FromUplink : Direction::FromPod;
    report.config = effective_config(*config);
    if (auto config6 = ctx->maps().config6(); config6 && effective_config6(*config6))
        report.ipv6_only_node = config->node_ip == 0;
    report.decision = decide(*routes, *endpoints, *config, *ip, report.from, options);
    out << render_lookup(report, names, ctx->format());
    return kExitOk;
}

Result<int> LookupCommand::run6(const GlobalOptions &global, std::ostream &out) {
    auto ip = Ipv6::parse(ip_);
    if (!ip) return ip.error();
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    auto routes = ctx->maps().routes6();
    if (!routes) return routes.error();
    auto endpoints = ctx->maps().endpoints6();
    if (!endpoints) return endpoints.error();
    auto config6 = ctx->maps().config6();
    if (!config6) return config6.error();
    auto config = ctx->maps().config();
    if (!config) return config.error();

    IfNames names = node_interface_names(*ctx);
    DecideOptions options;
    options.ttl = static_cast<uint8_t>(ttl_);
    if (!names.empty()) options.interface_exists = [&](uint32_t ifindex) { return names.count(ifindex) > 0; };

    LookupReport6 report;
    report.node = ctx->node();
    report.ip = *ip;
    report.from = from_ == "uplink" ? Direction::FromUplink : Direction::FromPod;
    report.config6 = effective_config6(*config6);
    report.config = *config;
    report.decision = decide6(*routes, *endpoints, *config6, *ip, report.from, options);
    out << render_lookup(report, names, ctx->format());
    return kExitOk;
}

}  // namespace podlane::ctl
