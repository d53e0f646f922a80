// The event loop both roles of podlaned run after start: it owns the file
// descriptors (signals, the config directory's inotify watch, the datastore
// mailbox, a role's own event fd) and hands each event to the role.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "node_list_mailbox.h"
#include "podlane/result.h"

namespace podlane {

using Logger = std::function<void(const std::string &)>;

// What a role does on the loop's events. All calls come from the loop's
// thread.
class LoopEvents {
public:
    virtual ~LoopEvents() = default;
    // SIGHUP, or the config file was written or replaced.
    virtual void on_config_changed() = 0;
    // The datastore published a new node list (only with a datastore), at
    // published_at.
    virtual void on_datastore_nodes(std::vector<ClusterNode> nodes,
                                    std::chrono::steady_clock::time_point published_at) = 0;
    // Periodic work, called before every wait: returns how long the loop may
    // sleep before calling it again (nullopt: until the next event).
    virtual std::optional<std::chrono::milliseconds> on_tick(std::chrono::steady_clock::time_point now) = 0;
    // A role's own event source (-1: none) and what to do when it is readable.
    virtual int event_fd() const { return -1; }
    virtual void on_event_fd_readable() {}
};

class AgentLoop {
public:
    AgentLoop(std::filesystem::path config_path, Logger log);

    // Opens the mailbox a datastore source publishes into; its callback is
    // valid while this loop lives.
    Status open_mailbox();
    datastore::NodesCallback mailbox_callback() { return mailbox_.callback(); }

    // Until SIGTERM/SIGINT (returns OK: the dataplane stays in place) or an
    // error of the loop itself.
    Status run(LoopEvents &role);

private:
    bool config_file_touched(int inotify_fd) const;

    std::filesystem::path config_path_;
    Logger log_;
    NodeListMailbox mailbox_;
};

}  // namespace podlane
