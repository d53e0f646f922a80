// Reading files whose path came from outside: a config named on a command
// line or in a CNI config, a token file, a state file. The path may name a
// FIFO (open would hang), a device (/dev/zero reads forever) or a file far
// larger than any config; each is refused with an error that says why.
#pragma once

#include <cstddef>
#include <string>

#include "podlane/result.h"

namespace podlane {

// Config, token and state files are a few KiB; 1 MiB leaves room for a node
// list of thousands of entries.
inline constexpr std::size_t kMaxConfigFileBytes = 1 << 20;

struct ReadFileOptions {
    std::size_t max_bytes = kMaxConfigFileBytes;
    bool follow_symlinks = true;  // false: O_NOFOLLOW on the last component
};

// The whole content of a regular file. Opened non-blocking, so a FIFO fails
// at once instead of waiting for a writer; anything but a regular file, or
// more than max_bytes, is an error naming the path.
Result<std::string> read_file(const std::string &path, ReadFileOptions options = {});

}  // namespace podlane
