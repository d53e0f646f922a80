// The one rule for interface names, the kernel's (dev_valid_name in
// net/core/dev.c): every name podlane reads from a file, a config or the
// environment is checked here, so what one binary accepts no other refuses.
#pragma once

#include <string_view>

#include "podlane/result.h"

namespace podlane {

// What the rule allows, for messages.
inline constexpr const char *kIfnameRule = "1-15 bytes, not '.' or '..', no '/', ':' or whitespace";

// 1..15 bytes (IFNAMSIZ - 1), not "." or "..", no '/', ':', whitespace (the
// kernel's isspace, which includes 0xa0) or NUL.
bool valid_ifname(std::string_view name);

// Ok, or "'NAME' is not an interface name (RULE)".
Status check_ifname(std::string_view name);

}  // namespace podlane
