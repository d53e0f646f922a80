// The CNI_* environment of one invocation, validated per command.
#pragma once

#include <functional>
#include <string>

#include "cni_error.h"

namespace podlane::cni {

enum class Command { Add, Del, Check, Version, Status, Gc };

struct CniEnv {
    Command command = Command::Version;
    std::string container_id;
    std::string netns;  // path, may be empty for DEL
    std::string ifname;
};

// getenv-shaped lookup, so tests pass a map instead of touching the process.
using EnvLookup = std::function<const char *(const char *)>;

CniResult<CniEnv> parse_env(const EnvLookup &getenv_fn);

const char *command_name(Command c);

}  // namespace podlane::cni
