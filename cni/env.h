// The CNI_* environment of one invocation, validated per command.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "cni_error.h"

namespace podlane::cni {

enum class Command { Add, Del, Check, Version, Status, Gc };

struct CniEnv {
    Command command = Command::Version;
    std::string container_id;
    std::string netns;  // path, may be empty for DEL
    std::string ifname;
};

// Container IDs in use are 64 hex digits; the cap keeps the reservation file
// (and error messages) small. Longer IDs are error 4.
inline constexpr std::size_t kMaxContainerIdLength = 256;

// The spec's rule for container IDs and network names: an alphanumeric, then
// alphanumerics, '_', '.' or '-'; at most max_length characters. So neither
// can hold a '/', a NUL or be "..": both name files in the IPAM store.
bool valid_cni_identifier(std::string_view id, std::size_t max_length);

// getenv-shaped lookup, so tests pass a map instead of touching the process.
using EnvLookup = std::function<const char *(const char *)>;

CniResult<CniEnv> parse_env(const EnvLookup &getenv_fn);

const char *command_name(Command c);

}  // namespace podlane::cni
