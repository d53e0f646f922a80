#include "podlane/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

namespace podlane {

Result<UniqueFd> open_netns(const std::string &path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return errno_error("open network namespace " + path, errno);
    return fd;
}

Result<NetnsGuard> NetnsGuard::enter(int netns_fd) {
    auto original = open_netns("/proc/thread-self/ns/net");
    if (!original) return original.error();
    // Already there (podlaned on the host network, probed from its own
    // container): setns would need CAP_SYS_ADMIN for nothing.
    struct stat here {
    }, there{};
    if (::fstat(original->get(), &here) == 0 && ::fstat(netns_fd, &there) == 0 && here.st_dev == there.st_dev &&
        here.st_ino == there.st_ino)
        return NetnsGuard(UniqueFd());
    if (setns(netns_fd, CLONE_NEWNET) != 0) return errno_error("enter network namespace", errno);
    return NetnsGuard(std::move(*original));
}

Result<NetnsGuard> NetnsGuard::enter(const std::string &path) {
    auto target = open_netns(path);
    if (!target) return target.error();
    auto guard = enter(target->get());
    if (!guard) return guard.error().wrap(path);
    return guard;
}

NetnsGuard::~NetnsGuard() {
    if (original_.valid() && setns(original_.get(), CLONE_NEWNET) != 0) {
        // Continuing in the wrong namespace would configure the wrong node.
        std::perror("podlane: cannot return to the original network namespace");
        std::abort();
    }
}

}  // namespace podlane
