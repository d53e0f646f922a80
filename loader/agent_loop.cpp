#include "agent_loop.h"

#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "podlane/unique_fd.h"

namespace podlane {

AgentLoop::AgentLoop(std::filesystem::path config_path, Logger log)
    : config_path_(std::filesystem::absolute(config_path)), log_(std::move(log)) {}

Status AgentLoop::open_mailbox() {
    return mailbox_.open();
}

// Drains the watch; true when one of the events names the config file.
bool AgentLoop::config_file_touched(int inotify_fd) const {
    alignas(inotify_event) char buf[4096];
    bool ours = false;
    ssize_t len;
    while ((len = ::read(inotify_fd, buf, sizeof buf)) > 0)
        for (char *p = buf; p < buf + len;) {
            auto *ev = reinterpret_cast<inotify_event *>(p);
            if (ev->len && config_path_.filename() == ev->name) ours = true;
            p += sizeof(inotify_event) + ev->len;
        }
    return ours;
}

Status AgentLoop::run(LoopEvents &role) {
    // main() blocked these signals before any thread started, so they
    // arrive here only.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, sig);
    UniqueFd sig_fd(::signalfd(-1, &mask, SFD_CLOEXEC));
    if (!sig_fd.valid()) return errno_error("signalfd", errno);

    // Watch the directory: editors and config managers replace the file.
    UniqueFd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!inotify.valid()) return errno_error("inotify", errno);
    if (::inotify_add_watch(inotify.get(), config_path_.parent_path().c_str(),
                            IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0)
        return errno_error("watch " + config_path_.parent_path().string(), errno);

    enum { kSignals, kConfigDir, kMailbox, kRoleEvents, kCount };
    for (;;) {
        int timeout_ms = -1;
        if (auto wait = role.on_tick(std::chrono::steady_clock::now()))
            timeout_ms = static_cast<int>(std::max<long long>(wait->count(), 0)) + 1;
        // An fd of -1 is skipped by poll(): no mailbox without a datastore,
        // no role events for the node.
        pollfd fds[kCount] = {{sig_fd.get(), POLLIN, 0},
                              {inotify.get(), POLLIN, 0},
                              {mailbox_.is_open() ? mailbox_.fd() : -1, POLLIN, 0},
                              {role.event_fd(), POLLIN, 0}};
        if (::poll(fds, kCount, timeout_ms) < 0) {
            if (errno == EINTR) continue;
            return errno_error("poll", errno);
        }
        if (fds[kSignals].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(sig_fd.get(), &info, sizeof info) == sizeof info) {
                if (info.ssi_signo != SIGHUP) {
                    log_(std::string("stopping on ") + strsignal(info.ssi_signo) +
                         "; programs stay attached and maps pinned, traffic keeps flowing");
                    return {};
                }
                log_("SIGHUP: reloading config");
                role.on_config_changed();
            }
        }
        if ((fds[kConfigDir].revents & POLLIN) && config_file_touched(inotify.get())) role.on_config_changed();
        if (fds[kMailbox].revents & POLLIN)
            if (auto delivery = mailbox_.take())
                role.on_datastore_nodes(std::move(delivery->nodes), delivery->published_at);
        if (fds[kRoleEvents].revents & POLLIN) role.on_event_fd_readable();
    }
}

}  // namespace podlane
