// Hands the node lists a datastore source publishes on its own thread to an
// agent's poll loop: the callback keeps only the newest list and wakes the
// loop through an eventfd; the loop takes it. Shared by the node and router
// agents.
#pragma once

#include <chrono>
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
    struct Delivery {
        std::vector<ClusterNode> nodes;  // the newest list
        // When the oldest list not yet taken was published: a change is
        // measured from its datastore event, even when a later list
        // replaced it before the loop woke.
        std::chrono::steady_clock::time_point published_at;
    };
    // The newest list since the last take (nullopt: none).
    std::optional<Delivery> take();

private:
    UniqueFd event_;
    std::mutex mutex_;
    std::optional<Delivery> pending_;
};

}  // namespace podlane
