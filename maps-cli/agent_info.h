// The running agent as podlaned describes it in <run-root>/<node>/agent.json
// (the file's format: podlane/agent_state.h), and whether it still runs.
#pragma once

#include <string>

#include "podlane/agent_state.h"

namespace podlane::ctl {

struct AgentInfo : AgentState {
    std::string state_file;  // where we looked
    bool found = false;      // the state file exists and parses
    bool running = false;    // and its pid is a live podlaned
    std::string problem;     // why not running, for people ("" when running)
    std::string netns_path;  // /proc/<pid>/ns/net when running
};

// Reads <run_root>/<node>/agent.json and checks that its pid is podlaned.
// Never fails: an absent or unreadable file is reported in `problem`.
AgentInfo read_agent_info(const std::string &run_root, const std::string &node);

}  // namespace podlane::ctl
