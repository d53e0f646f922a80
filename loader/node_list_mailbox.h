// Hands the node lists a datastore source publishes on its own thread to an
// agent's poll loop: the callback keeps only the newest list and wakes the
// loop through an eventfd; the loop takes it. Shared by the node and router
// agents.
#pragma once

#include <mutex>
#include <optional>
#include <vector>

#include "datastore/source.h"
#include "podlane/unique_fd.h"

namespace podlane {

class NodeListMailbox {
public:
    NodeListMailbox() = default;
    NodeListMailbox(const NodeListMailbox &) = delete;  // the callback points at it
    NodeListMailbox &operator=(const NodeListMailbox &) = delete;

    Status open();
    bool is_open() const { return event_.valid(); }
    int fd() const { return event_.get(); }  // readable when a list waits
    // For ClusterSource::start/watch; valid while this mailbox lives.
    datastore::NodesCallback callback();
    // The newest list since the last take (nullopt: none).
    std::optional<std::vector<ClusterNode>> take();

private:
    UniqueFd event_;
    std::mutex mutex_;
    std::optional<std::vector<ClusterNode>> pending_;
};

}  // namespace podlane
