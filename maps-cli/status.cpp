// podlanectl status: is the dataplane loaded, which programs are attached
// where (checked against the kernel in the agent's network namespace), map
// fill, and the agent's config.
#include <bpf/bpf.h>
#include <net/if.h>

#include "commands.h"
#include "podlane/attach.h"
#include "podlane/netns.h"
#include "podlane/unique_fd.h"

namespace podlane::ctl {
namespace {

std::string program_name(uint32_t id) {
    UniqueFd fd(bpf_prog_get_fd_by_id(id));
    if (!fd.valid()) return "";
    bpf_prog_info info{};
    __u32 len = sizeof info;
    if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return "";
    return info.name;
}

// Asks the kernel what is attached at a's hook; runs in the agent's netns.
void check_attachment(AttachmentStatus &a) {
    const auto &e = a.expected;
    char name[IF_NAMESIZE] = {};
    if (!if_indextoname(static_cast<unsigned>(e.ifindex), name)) {
        a.attached = false;
        a.problem = "interface #" + std::to_string(e.ifindex) + " no longer exists";
        return;
    }
    Result<std::optional<uint32_t>> id = std::optional<uint32_t>{};
    if (e.hook == "tc-ingress")
        id = query_tc(e.ifindex, TcDirection::Ingress);
    else if (e.hook == "tc-egress")
        id = query_tc(e.ifindex, TcDirection::Egress);
    else if (e.hook == "xdp")
        id = query_xdp(e.ifindex);
    else {
        a.problem = "unknown hook '" + e.hook + "' in the agent state";
        return;
    }
    if (!id) {
        a.problem = id.error().message;
        return;
    }
    a.attached = id->has_value();
    if (!*a.attached) {
        a.problem = "no podlane program on this hook";
        return;
    }
    a.program_id = **id;
    a.program_name = program_name(a.program_id);
    if (e.ifname.empty())
        a.expected.ifname = name;  // a pod veth, known by index only
    else if (std::string(name) != e.ifname)
        a.problem = "interface is now called " + std::string(name);
    // The kernel keeps 15 characters of a program name.
    if (!e.program.empty() && !a.program_name.empty() && e.program.substr(0, 15) != a.program_name) {
        a.attached = false;
        a.problem = "another program is attached (" + a.program_name + ")";
    }
}

}  // namespace

StatusCommand::StatusCommand(CLI::App &app) {
    cmd_ = app.add_subcommand("status", "Is the dataplane loaded: agent, attached programs, map fill, node config");
    cmd_->footer(
        "Reads the agent's state file (<run-root>/<node>/agent.json) and checks each attachment with the\n"
        "kernel from inside the agent's network namespace. If podlaned is not running it says so and still\n"
        "shows the pinned maps.\n"
        "Examples:\n"
        "  podlanectl status\n"
        "  podlanectl --node node2 status -o json\n"
        "  podlanectl status --check          exit 1 unless podlaned runs and every program is attached");
    cmd_->add_flag("--check", check_,
                   "Exit status for probes: 0 only when podlaned runs and every program is attached (1 otherwise)");
}

bool StatusCommand::selected() const {
    return cmd_->parsed();
}

Result<int> StatusCommand::run(const GlobalOptions &global, std::ostream &out) {
    auto ctx = Context::open(global);
    if (!ctx) return ctx.error();
    StatusReport report;
    report.node = ctx->node();
    report.pin_dir = ctx->pin_dir();
    report.agent = ctx->agent();

    for (const PinnedMap *map : ctx->maps().all()) {
        auto usage = map->usage();
        if (!usage) return usage.error();
        report.maps.push_back(*usage);
    }
    // The IPv6 maps, when this node's agent created them.
    for (const char *name : {PODLANE_MAP_ROUTES6, PODLANE_MAP_ENDPOINTS6, PODLANE_MAP_CONFIG6}) {
        auto map = PinnedMap::open(ctx->pin_dir(), name);
        if (!map) {
            if (map.error().errnum == ENOENT) continue;
            return map.error();
        }
        auto usage = map->usage();
        if (!usage) return usage.error();
        report.maps.push_back(*usage);
    }
    auto config = ctx->maps().config();
    if (!config) return config.error();
    report.config = effective_config(*config);
    auto config6 = ctx->maps().config6();
    if (!config6) return config6.error();
    report.config6 = effective_config6(*config6);

    for (const auto &att : report.agent.attachments) report.attachments.push_back({att, std::nullopt, 0, "", ""});
    // In veth mode the pod-side program sits on every pod's host veth: the
    // endpoints map is the list of them (pods added after the agent included).
    // An agent that stopped leaves its programs attached (restarts must not
    // drop traffic): check them where podlanectl runs, on the node itself.
    const bool agent_stopped = report.agent.found && !report.agent.running;
    if ((report.agent.running || agent_stopped) && report.agent.attach_mode == "veth") {
        auto endpoints = ctx->maps().endpoints();
        if (!endpoints) return endpoints.error();
        for (const auto &ep : *endpoints)
            report.attachments.push_back(
                {{"", static_cast<int>(ep.value.host_ifindex), "tc-ingress", "podlane_from_pod"},
                 std::nullopt,
                 0,
                 "",
                 ""});
    }
    if (report.agent.running) {
        auto guard = NetnsGuard::enter(report.agent.netns_path);
        if (!guard) {
            for (auto &a : report.attachments) a.problem = guard.error().message;
        } else {
            for (auto &a : report.attachments) check_attachment(a);
        }
    } else if (agent_stopped) {
        for (auto &a : report.attachments) check_attachment(a);
    }
    report.dataplane_loaded = (report.config || report.config6) && !report.attachments.empty();
    for (const auto &a : report.attachments)
        report.dataplane_loaded = report.dataplane_loaded && a.attached.value_or(false);

    out << render_status(report, node_interface_names(*ctx), ctx->format());
    if (check_ && !(report.agent.running && report.dataplane_loaded)) return kExitFailed;
    return kExitOk;
}

}  // namespace podlane::ctl
