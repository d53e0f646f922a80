#include "podlane/netns.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cstdio>
#include <cstdlib>

namespace podlane {

Result<UniqueFd> open_netns(const std::string &path) {
    // Non-blocking: the path may come from a runtime's CNI_NETNS, and a FIFO
    // there would hang open() until a writer came.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
    if (!fd.valid()) return errno_error("open network namespace " + path, errno);
    struct statfs fs {};
    if (::fstatfs(fd.get(), &fs) != 0) return errno_error("statfs network namespace " + path, errno);
    if (fs.f_type != NSFS_MAGIC)
        return Error{"open network namespace " + path +
                         ": not a namespace file (expected /proc/<pid>/ns/net or a bind mount of one, e.g. "
                         "/run/netns/<name>)",
                     EINVAL};
    // Another kind of namespace (mnt, pid, ...) is nsfs too.
    if (int type = ::ioctl(fd.get(), NS_GET_NSTYPE); type != CLONE_NEWNET)
        return Error{"open network namespace " + path + ": a namespace, but not a network namespace", EINVAL};
    return fd;
}

Result<bool> is_current_netns(int netns_fd) {
    struct stat want {
    }, self{};
    if (::fstat(netns_fd, &want) != 0) return errno_error("stat network namespace", errno);
    if (::stat("/proc/thread-self/ns/net", &self) != 0)
        return errno_error("stat /proc/thread-self/ns/net (is /proc mounted?)", errno);
    return want.st_dev == self.st_dev && want.st_ino == self.st_ino;
}

Result<UniqueFd> open_other_netns(const std::string &path) {
    auto fd = open_netns(path);
    if (!fd) return fd.error();
    auto current = is_current_netns(fd->get());
    if (!current) return current.error().wrap(path);
    if (*current)
        return Error{path +
                         " is the caller's own network namespace, not a separate one (a pod's namespace is "
                         "expected)",
                     EINVAL};
    return fd;
}

Result<NetnsGuard> NetnsGuard::enter(int netns_fd) {
    // Already there (podlaned on the host network, probed from its own
    // container): setns would need CAP_SYS_ADMIN for nothing.
    if (auto current = is_current_netns(netns_fd); current && *current) return NetnsGuard(UniqueFd());
    auto original = open_netns("/proc/thread-self/ns/net");
    if (!original) return original.error();
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
