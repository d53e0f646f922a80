// An exclusive flock held for a scope: serialises allocators across
// processes. The kernel drops it when the holder dies, even by kill -9.
#pragma once

#include <chrono>
#include <string>

#include "podlane/result.h"
#include "podlane/unique_fd.h"

namespace podlane::cni {

class FileLock {
public:
    // EAGAIN when still held by someone else after timeout.
    static Result<FileLock> acquire(int fd, const std::string &what, std::chrono::milliseconds timeout);
    FileLock(FileLock &&other) noexcept;
    FileLock &operator=(FileLock &&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;  // not owned: the store keeps the file open
};

}  // namespace podlane::cni
