// What every podlanectl command needs before it does anything: the global
// options, the privilege check, which node's pinned maps to use, and where
// that node's interfaces live (the agent's network namespace).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent_info.h"
#include "format.h"
#include "podlane/maps.h"
#include "podlane/result.h"

namespace podlane::ctl {

// Exit codes, documented in README.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;    // the request was fine; the kernel failed or there was nothing to delete
inline constexpr int kExitBadInput = 2;  // bad input, not root, maps not pinned, map full

// 2 for errors the operator can fix by changing the request or the machine's
// state (input, privileges, missing pins, full map, unknown interface), 1 for
// the rest.
int exit_code_for(const Error &error);

struct GlobalOptions {
    std::string pin_root = "/sys/fs/bpf/podlane";
    std::string node;                       // empty: the only node pinned under pin_root
    std::string output = "table";           // table | json
    std::string run_root = "/run/podlane";  // where podlaned writes <node>/agent.json
};

// Root, or CAP_BPF/CAP_SYS_ADMIN: what reading pinned maps takes.
Status check_privileges();

// Node folders (names) under the pin root, sorted.
Result<std::vector<std::string>> list_nodes(const std::string &pin_root);

// The node to use: `requested` when it exists, else the only one pinned.
// Errors list the nodes that do exist.
Result<std::string> resolve_node(const std::string &pin_root, const std::string &requested);

class Context {
public:
    // Checks privileges, resolves the node, opens its maps and reads the
    // agent's state file (absent is fine).
    static Result<Context> open(const GlobalOptions &options);

    const std::string &node() const { return node_; }
    const std::string &pin_dir() const { return maps_.pin_dir(); }
    NodeMaps &maps() { return maps_; }
    const NodeMaps &maps() const { return maps_; }
    Format format() const { return format_; }
    const AgentInfo &agent() const { return agent_; }
    // Network namespace holding the node's interfaces: the running agent's,
    // else "" (this process's own).
    std::string netns_path() const { return agent_.running ? agent_.netns_path : ""; }

private:
    Context(std::string node, NodeMaps maps, Format format, AgentInfo agent)
        : node_(std::move(node)), maps_(std::move(maps)), format_(format), agent_(std::move(agent)) {}
    std::string node_;
    NodeMaps maps_;
    Format format_;
    AgentInfo agent_;
};

Result<Format> parse_format(const std::string &text);

}  // namespace podlane::ctl
