#include "file_lock.h"

#include <sys/file.h>

#include <thread>
#include <utility>

namespace podlane::cni {

Result<FileLock> FileLock::acquire(int fd, const std::string &what, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::microseconds(50);
    // Polling instead of a blocking flock: a stuck holder must turn into
    // "try again later" (code 11), not a hung runtime.
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK) return errno_error("lock " + what, errno);
        if (std::chrono::steady_clock::now() >= deadline)
            return Error{"lock " + what + ": still held by another CNI invocation after " +
                             std::to_string(timeout.count()) + " ms; try again later",
                         EAGAIN};
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::microseconds(2000));
    }
    return FileLock(fd);
}

FileLock::FileLock(FileLock &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock::~FileLock() {
    if (fd_ >= 0) flock(fd_, LOCK_UN);
}

}  // namespace podlane::cni
