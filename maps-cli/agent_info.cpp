#include "agent_info.h"

#include "podlane/node_config.h"

namespace podlane::ctl {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

AgentInfo read_agent_info(const std::string &run_root, const std::string &node) {
    std::string path = run_root + "/" + node + "/agent.json";
    auto text = read_file(path);
    if (!text) {
        AgentInfo none;
        none.state_file = path;
        none.problem = text.error().errnum == ENOENT ? "podlaned is not running for node " + node + " (no " + path + ")"
                                                     : text.error().message;
        return none;
    }
    auto parsed = parse_agent_state(*text);
    if (!parsed) {
        AgentInfo bad;
        bad.state_file = path;
        bad.problem = parsed.error().message + " (" + path + ")";
        return bad;
    }
    AgentInfo a;
    static_cast<AgentState &>(a) = std::move(*parsed);
    a.state_file = path;
    a.found = true;
    // The pid may have been reused after the agent died: check it is podlaned.
    auto comm = read_file("/proc/" + std::to_string(a.pid) + "/comm");
    if (a.pid <= 0 || !comm) {
        a.problem = "podlaned (pid " + std::to_string(a.pid) + ") is not running; " + path + " is stale";
    } else if (trim(*comm) != "podlaned") {
        a.problem =
            "pid " + std::to_string(a.pid) + " is now '" + trim(*comm) + "', not podlaned; " + path + " is stale";
    } else {
        a.running = true;
        a.netns_path = "/proc/" + std::to_string(a.pid) + "/ns/net";
    }
    return a;
}

}  // namespace podlane::ctl
