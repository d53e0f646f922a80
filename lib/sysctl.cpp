#include "podlane/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "podlane/unique_fd.h"

namespace podlane {

Status write_sysctl(const std::string &path, const std::string &value) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) return errno_error("open " + path, errno);
    if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        return errno_error("write " + path, errno);
    return {};
}

int read_sysctl_int(const std::string &path) {
    std::ifstream in(path);
    int v = -1;
    in >> v;
    return in ? v : -1;
}

}  // namespace podlane
