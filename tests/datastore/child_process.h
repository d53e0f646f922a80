// A child process owned by a test: started with fork/exec, output to a log
// file, killed by its PID (never by name) and reaped when the owner goes,
// also when the test fails. PR_SET_PDEATHSIG kills it if the test binary
// itself dies.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "podlane/result.h"

namespace podlane::test {

class ChildProcess {
public:
    ChildProcess() = default;
    static Result<ChildProcess> spawn(const std::vector<std::string> &argv, const std::string &log_path);
    ChildProcess(ChildProcess &&o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
    ChildProcess &operator=(ChildProcess &&o) noexcept;
    ~ChildProcess() { kill_and_wait(); }

    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0; }
    // SIGTERM (or `sig`), then SIGKILL after `grace`; reaps. No-op when not running.
    void kill_and_wait(int sig = 15, std::chrono::milliseconds grace = std::chrono::milliseconds{5000});
    // True when it has exited already (and reaps it).
    bool exited();

private:
    pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int free_local_port();

// Searches PATH (and /usr/sbin, /usr/bin) for an executable; "" if absent.
std::string find_executable(const std::string &name);

// mkdtemp under $TMPDIR (or /tmp); removed by the caller.
std::string make_temp_dir(const std::string &tag);

}  // namespace podlane::test
