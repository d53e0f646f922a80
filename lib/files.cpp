#include "podlane/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podlane/unique_fd.h"

namespace podlane {

Result<std::string> read_file(const std::string &path, ReadFileOptions options) {
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    if (!options.follow_symlinks) flags |= O_NOFOLLOW;
    UniqueFd fd(::open(path.c_str(), flags));
    if (!fd.valid()) return errno_error("cannot read " + path, errno);

    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return errno_error("cannot stat " + path, errno);
    if (!S_ISREG(st.st_mode))
        return Error{"cannot read " + path + ": not a regular file (a FIFO, device, socket or directory)", EINVAL};

    std::string content;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno_error("cannot read " + path, errno);
        }
        if (n == 0) break;
        // Checked on what was read, not on st_size: /proc files report 0.
        if (content.size() + static_cast<std::size_t>(n) > options.max_bytes)
            return Error{"cannot read " + path + ": larger than " + std::to_string(options.max_bytes) + " bytes",
                         EFBIG};
        content.append(buf, static_cast<std::size_t>(n));
    }
    return content;
}

}  // namespace podlane
