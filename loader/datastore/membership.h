// Pieces both watching sources share: logging an outage once instead of per
// retry, and publishing the node list only when it changed (with this node,
// when there is one, always in it, so its own LOCAL route never depends on
// its registration).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "datastore/source.h"

namespace podlane::datastore {

class OutageLog {
public:
    OutageLog(std::string what, LogFn log, HealthFn health = {})
        : what_(std::move(what)), log_(std::move(log)), health_(std::move(health)) {}
    // Logs the first failure of an outage; later ones are silent. Every
    // failure reaches the health listener, with its kind.
    void failed(const Error &err, const std::string &kind);
    // Logs the end of an outage (nothing when there was none).
    void recovered();
    bool down() const;

private:
    std::string what_;
    LogFn log_;
    HealthFn health_;
    mutable std::mutex mutex_;
    bool down_ = false;
};

class NodeListPublisher {
public:
    // self: this node, listed first; nullopt for a watcher that is no node.
    NodeListPublisher(std::optional<ClusterNode> self, NodesCallback on_change)
        : self_(std::move(self)), on_change_(std::move(on_change)) {}
    // nodes by name; calls on_change when the resulting list differs from
    // the last one published.
    void publish(const std::map<std::string, ClusterNode> &nodes);

private:
    std::optional<ClusterNode> self_;
    NodesCallback on_change_;
    std::vector<ClusterNode> last_;
    bool published_ = false;
};

}  // namespace podlane::datastore
