// One function per CNI command. Each returns the JSON to print on success
// (null: print nothing) or the CNI error.
#pragma once

#include <nlohmann/json.hpp>

#include "cni_error.h"
#include "config.h"
#include "env.h"

namespace podlane::cni {

CniResult<nlohmann::json> cmd_add(const CniEnv &env, const PluginConfig &cfg);
CniResult<nlohmann::json> cmd_del(const CniEnv &env, const PluginConfig &cfg);
CniResult<nlohmann::json> cmd_check(const CniEnv &env, const PluginConfig &cfg);
CniResult<nlohmann::json> cmd_status(const PluginConfig &cfg);
CniResult<nlohmann::json> cmd_gc(const PluginConfig &cfg);
nlohmann::json cmd_version();

// Parses env and stdin and runs the command: what main() does, callable
// from tests. Returns the process exit code; out receives stdout.
int run_plugin(const EnvLookup &getenv_fn, const std::string &stdin_text, std::string &out);

}  // namespace podlane::cni
