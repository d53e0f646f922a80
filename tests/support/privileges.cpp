#include "privileges.h"

#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

namespace podlane::test {

std::string privileged_skip_reason() {
    if (geteuid() != 0) return "needs root (BPF, network namespaces); run the privileged tier as root";
    return "";
}

std::string enter_private_netns() {
    if (unshare(CLONE_NEWNET) != 0) return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
    return "";
}

}  // namespace podlane::test

#include <sys/stat.h>
#include <sys/vfs.h>

#include <filesystem>

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

namespace podlane::test {

std::string ensure_bpffs() {
    struct statfs fs {};
    if (statfs("/sys/fs/bpf", &fs) == 0 && static_cast<unsigned long>(fs.f_type) == BPF_FS_MAGIC) return "";
    if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700") != 0)
        return std::string("mount bpffs at /sys/fs/bpf: ") + std::strerror(errno);
    return "";
}

std::string make_test_pin_dir(const std::string &name) {
    std::string dir = "/sys/fs/bpf/podlane-test/" + name + "-" + std::to_string(getpid());
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
    return dir;
}

void remove_pin_dir(const std::string &dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);  // unlinking a pin drops its reference
    // Only succeeds once the last test's directory is gone: leaves bpffs as found.
    std::filesystem::remove(std::filesystem::path(dir).parent_path(), ec);
}

}  // namespace podlane::test
