// /run/podlane/<node>/agent.json: what podlanectl status shows about the
// running agent (its config, hooks, where programs are attached).
#pragma once

#include <string>
#include <vector>

#include "podlane/result.h"

namespace podlane {

struct AttachmentRecord {
    std::string ifname;
    int ifindex = 0;
    std::string hook;     // tc-ingress | tc-egress | xdp
    std::string program;  // function name in bpf/
};

struct AgentState {
    int pid = 0;
    std::string config_path;
    std::string role = "node";
    std::string uplink_hook;
    std::string attach_mode;
    std::string pin_dir;
    std::string datastore;
    std::vector<AttachmentRecord> attachments;
};

// Written to a temporary file and renamed, so readers never see half of it.
Status write_agent_state(const std::string &dir, const AgentState &state);

}  // namespace podlane
