// The CNI network list goes onto the host only once podlaned is ready, as
// Cilium's agent does: a runtime that finds no network list keeps the node's
// pods pending (the kubelet reports NetworkReady=false) instead of creating
// pods whose endpoints the dataplane cannot yet register.
#pragma once

#include <string>

#include "podlane/result.h"

namespace podlane {

// Copies the network list `source` (JSON, checked) into `conf_dir` under its
// own file name. Written to a temporary file, synced and renamed, so a
// runtime never reads half a list. Returns the installed path.
Result<std::string> install_cni_conflist(const std::string &source, const std::string &conf_dir);

// `--detach`: the list goes first, so no new pod is wired to a dataplane
// that is being removed. Absent is fine.
Status remove_cni_conflist(const std::string &source, const std::string &conf_dir);

}  // namespace podlane
