// /proc/sys values. Those under /proc/sys/net belong to the network
// namespace of the thread that opens them: inside a NetnsGuard they are the
// pod's or the node's.
#pragma once

#include <string>

#include "podlane/result.h"

namespace podlane {

Status write_sysctl(const std::string &path, const std::string &value);
// -1 when it cannot be read.
int read_sysctl_int(const std::string &path);

}  // namespace podlane
