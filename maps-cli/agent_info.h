// The running agent as podlaned describes it in <run-root>/<node>/agent.json.
#pragma once

#include <string>
#include <vector>

#include "podlane/result.h"

namespace podlane::ctl {

struct AgentAttachment {
    std::string ifname;
    int ifindex = 0;
    std::string hook;     // tc-ingress | tc-egress | xdp
    std::string program;  // function name in bpf/
};

struct AgentInfo {
    std::string state_file;  // where we looked
    bool found = false;      // the state file exists and parses
    bool running = false;    // and its pid is a live podlaned
    std::string problem;     // why not running, for people ("" when running)
    int pid = 0;
    std::string config_path, role, uplink_hook, attach_mode, pin_dir, datastore, version;
    long long started_at = 0;  // unix seconds
    std::vector<AgentAttachment> attachments;
    std::string netns_path;  // /proc/<pid>/ns/net when running
};

// Parses the state file's text; an error names the missing or mistyped key.
Result<AgentInfo> parse_agent_state(const std::string &json_text);

// Reads <run_root>/<node>/agent.json and checks that its pid is podlaned.
// Never fails: an absent or unreadable file is reported in `problem`.
AgentInfo read_agent_info(const std::string &run_root, const std::string &node);

}  // namespace podlane::ctl
