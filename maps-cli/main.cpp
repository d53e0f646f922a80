// podlanectl: inspect, edit and trace a node's podlane dataplane (routes,
// endpoints, counters). Exceptions stop here; everything below returns errors
// as values.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "commands.h"

using namespace podlane::ctl;

namespace {

const char *kDescription =
    "podlanectl: inspect, edit and trace the podlane eBPF dataplane of a node.\n"
    "Reads and writes the maps podlaned pinned under <pin-root>/<node>/ (root needed).";

const char *kFooter =
    "Examples:\n"
    "  podlanectl status                          is the dataplane loaded, which programs are where\n"
    "  podlanectl routes list                     pod CIDR -> node IP, uplink\n"
    "  podlanectl lookup 10.244.2.15              where a packet to that IP goes, and why\n"
    "  podlanectl stats --watch 1                 forwarded / passed / dropped per second, by reason\n"
    "  podlanectl routes add 10.244.9.0/24 via 192.168.1.19\n"
    "  podlanectl --node node2 endpoints list -o json\n"
    "  podlanectl --node router router neighbours    what a router learned (router role)\n"
    "Lab nodes share one machine: pick one with --node (only needed when several are pinned).\n"
    "Exit codes: 0 ok, 1 failed (e.g. nothing to delete), 2 bad input or environment (one line on stderr).\n"
    "Run 'podlanectl COMMAND --help' for a command's options and examples.";

// CLI11 says "A subcommand is required" both for a missing and for an
// unknown command word; say which, and what the choices are.
std::string parse_error_line(CLI::App &app, const CLI::ParseError &e) {
    CLI::App *cmd = &app;
    std::string path = "podlanectl";
    while (!cmd->get_subcommands().empty()) {
        cmd = cmd->get_subcommands().front();
        path += " " + cmd->get_name();
    }
    auto choices = cmd->get_subcommands({});
    if (dynamic_cast<const CLI::RequiredError *>(&e) && !choices.empty()) {
        std::string names;
        for (const CLI::App *sub : choices) names += (names.empty() ? "" : ", ") + sub->get_name();
        auto extra = app.remaining();
        if (!extra.empty())
            return "unknown command '" + extra.front() + "' for '" + path + "' (commands: " + names + ")";
        return "'" + path + "' needs a command: " + names + " (see " + path + " --help)";
    }
    return std::string(e.what()) + " (see " + path + " --help)";
}

}  // namespace

int main(int argc, char **argv) {
    GlobalOptions global;
    CLI::App app{kDescription, "podlanectl"};
    app.fallthrough();  // global options also after the subcommand: `routes list -o json`
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("podlanectl ") + PODLANE_VERSION + " (map layout v1)");
    app.add_option("--pin-root", global.pin_root, "Where podlaned pins maps, one folder per node")
        ->capture_default_str();
    app.add_option("--node", global.node, "Node whose maps to use (default: the only node pinned)")
        ->envname("PODLANE_NODE");
    app.add_option("-o,--output", global.output, "Output format: table or json")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
    app.add_option("--run-root", global.run_root, "Where podlaned writes <node>/agent.json")->capture_default_str();

    std::vector<std::unique_ptr<CommandGroup>> groups;
    groups.push_back(std::make_unique<StatusCommand>(app));
    groups.push_back(std::make_unique<RoutesCommands>(app));
    groups.push_back(std::make_unique<EndpointsCommands>(app));
    groups.push_back(std::make_unique<LookupCommand>(app));
    groups.push_back(std::make_unique<StatsCommand>(app));
    groups.push_back(std::make_unique<RouterCommands>(app));
    groups.push_back(std::make_unique<MonitorCommand>(app));
    app.footer(kFooter);  // after the subcommands: they would inherit it

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::cerr << "podlanectl: error: " << parse_error_line(app, e) << "\n";
        return kExitBadInput;
    }

    try {
        for (auto &group : groups) {
            if (!group->selected()) continue;
            auto code = group->run(global, std::cout);
            std::cout.flush();
            if (!code) {
                std::cerr << "podlanectl: error: " << code.error().message << "\n";
                return exit_code_for(code.error());
            }
            return *code;
        }
    } catch (const std::exception &e) {
        std::cerr << "podlanectl: internal error: " << e.what() << "\n";
        return kExitFailed;
    }
    std::cerr << "podlanectl: error: no command given (see podlanectl --help)\n";
    return kExitBadInput;
}
