// One function per CNI command. Each returns the JSON to print on success
// (null: print nothing) or the CNI error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cni_error.h"
#include "config.h"
#include "env.h"

namespace podlane::cni {

CniResult<nlohmann::json> cmd_add(const CniEnv &env, const PluginConfig &cfg);
CniResult<nlohmann::json> cmd_del(const CniEnv &env, const PluginConfig &cfg);
CniResult<nlohmann::json> cmd_check(const CniEnv &env, const PluginConfig &cfg);
// STATUS and GC succeed with store entries a human should look at (foreign
// files, unreadable reservations): those are added to warnings, for stderr.
CniResult<nlohmann::json> cmd_status(const PluginConfig &cfg, std::vector<std::string> &warnings);
CniResult<nlohmann::json> cmd_gc(const PluginConfig &cfg, std::vector<std::string> &warnings);
nlohmann::json cmd_version();

// Parses env and stdin and runs the command: what main() does, callable
// from tests. Returns the process exit code; out receives stdout, log what
// goes to stderr (runtimes log it): warnings, one per line.
int run_plugin(const EnvLookup &getenv_fn, const std::string &stdin_text, std::string &out, std::string &log);
int run_plugin(const EnvLookup &getenv_fn, const std::string &stdin_text, std::string &out);

}  // namespace podlane::cni
