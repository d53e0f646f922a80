// Finding a running podlaned's state file when it is not where podlanectl
// looks (<run-root>/<node>/agent.json): an agent started with its own
// --run-dir, as the lab's are. podlanectl is given the pin root and the node;
// the agent that pins there is the one to report.
#pragma once

#include <optional>
#include <string>

namespace podlane::ctl {

// Every process named podlaned under proc_root ("/proc"): its --run-dir
// (default /run/podlane) is the answer when <run-dir>/<node>/agent.json names
// pin_dir and this process's pid. Nothing when no running agent matches.
std::optional<std::string> find_agent_run_root(const std::string &proc_root, const std::string &pin_dir,
                                               const std::string &node);

}  // namespace podlane::ctl
