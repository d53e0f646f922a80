// Network namespaces are per thread: enter one for a scope and come back.
#pragma once

#include <string>

#include "podlane/result.h"
#include "podlane/unique_fd.h"

namespace podlane {

// A namespace file (nsfs): opened non-blocking, so a FIFO or device at the
// path is an error, not a hang.
Result<UniqueFd> open_netns(const std::string &path);
// Whether netns_fd is the calling thread's own network namespace.
Result<bool> is_current_netns(int netns_fd);
// open_netns, refusing the caller's own namespace: a pod namespace that is
// the node's would have the pod's setup (default route!) applied to the node.
Result<UniqueFd> open_other_netns(const std::string &path);

// Switches the calling thread into a network namespace; the destructor
// switches back. Keep it on one thread, never across a thread hop.
class NetnsGuard {
public:
    static Result<NetnsGuard> enter(const std::string &path);
    static Result<NetnsGuard> enter(int netns_fd);
    NetnsGuard(NetnsGuard &&) = default;
    NetnsGuard &operator=(NetnsGuard &&) = delete;
    ~NetnsGuard();

private:
    explicit NetnsGuard(UniqueFd original) : original_(std::move(original)) {}
    UniqueFd original_;
};

}  // namespace podlane
