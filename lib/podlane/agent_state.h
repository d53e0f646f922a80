// <run-dir>/<node>/agent.json: what podlaned writes about itself for
// `podlanectl status` (its config, hooks, where its programs are attached).
// Written and read only here, so the agent and the CLI cannot drift apart.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "podlane/result.h"

namespace podlane {

struct AgentAttachment {
    std::string ifname;
    int ifindex = 0;
    std::string hook;     // tc-ingress | tc-egress | xdp
    std::string program;  // function name in bpf/
};

// A node-list entry the agent does not route (podlane/node_list_filter.h).
struct AgentRefusedNode {
    std::string name;
    std::string pod_cidr;
    std::string node_ip;
    std::string reason;  // refusal_word(): "pod-cidr-overlap", ...
    std::string why;     // the sentence the agent logged
    bool operator==(const AgentRefusedNode &) const = default;
};

struct AgentState {
    int pid = 0;
    std::string config_path;
    std::string role = "node";
    std::string uplink_hook;
    std::string attach_mode;
    std::string netfilter;  // compat | bypass (node role; empty from older agents)
    std::string pin_dir;
    std::string datastore;
    std::vector<AgentAttachment> attachments;
    std::string version;       // of the podlaned that wrote it
    long long started_at = 0;  // unix seconds
    // The datastore's or file's nodes the agent refuses to route, as of its
    // last node list (absent from older agents' files: none).
    std::vector<AgentRefusedNode> refused_nodes;
    // Node role: every other node's route and this node's pod CIDR are in
    // the routes map (absent from older agents' files: unknown).
    std::optional<bool> network_ready;
    std::string network_ready_reason;
};

// Written to a temporary file and renamed, so readers never see half of it.
Status write_agent_state(const std::string &dir, const AgentState &state);

// Parses the file's text; an error names the missing or mistyped key.
Result<AgentState> parse_agent_state(const std::string &json_text);

}  // namespace podlane
