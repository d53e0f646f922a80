// What starting and detaching share between podlaned's roles: the root
// check, agent.json for podlanectl, and removing pins and state.
#pragma once

#include <string>

#include "agent.h"
#include "podlane/agent_state.h"

namespace podlane {

Status require_root();

// Completes the role's state (pid, config path, pin directory, datastore,
// version, start time) and writes it to <run dir>/<node name>/agent.json; a
// failure is only warned about. Returns the completed state, for an agent
// that writes it again when something in it changes.
AgentState publish_agent_state(const AgentOptions &options, const std::string &node_name, const std::string &pin_dir,
                               AgentState state, const Logger &log);

// `--detach`: the role's pins and its agent.json go.
Status remove_pins_and_state(const AgentOptions &options, const std::string &node_name, const std::string &pin_dir);

}  // namespace podlane
