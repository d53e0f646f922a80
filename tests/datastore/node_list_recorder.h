// Collects what a ClusterSource publishes, for tests: every list, in order,
// and a poll-until helper with a deadline (no sleep-and-hope).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "podlane/node_config.h"

namespace podlane::test {

class NodeListRecorder {
public:
    void operator()(std::vector<ClusterNode> nodes) {
        std::lock_guard lock(mutex_);
        lists_.push_back(std::move(nodes));
        cv_.notify_all();
    }
    void log(const std::string &line) {
        std::lock_guard lock(mutex_);
        logs_.push_back(line);
        cv_.notify_all();
    }
    // Waits until a log line contains needle; false on timeout.
    bool wait_for_log(const std::string &needle, std::chrono::milliseconds timeout = std::chrono::seconds{20}) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] {
            for (const auto &l : logs_)
                if (l.find(needle) != std::string::npos) return true;
            return false;
        });
    }
    // Waits until pred(latest list) holds; false on timeout.
    bool wait_for(const std::function<bool(const std::vector<ClusterNode> &)> &pred,
                  std::chrono::milliseconds timeout = std::chrono::seconds{20}) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, timeout, [&] { return !lists_.empty() && pred(lists_.back()); });
    }
    std::vector<std::vector<ClusterNode>> lists() const {
        std::lock_guard lock(mutex_);
        return lists_;
    }
    std::vector<ClusterNode> latest() const {
        std::lock_guard lock(mutex_);
        return lists_.empty() ? std::vector<ClusterNode>{} : lists_.back();
    }
    std::vector<std::string> logs() const {
        std::lock_guard lock(mutex_);
        return logs_;
    }
    size_t count_logs(const std::string &needle) const {
        std::lock_guard lock(mutex_);
        size_t n = 0;
        for (const auto &l : logs_) n += l.find(needle) != std::string::npos;
        return n;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::vector<ClusterNode>> lists_;
    std::vector<std::string> logs_;
};

inline bool has_node(const std::vector<ClusterNode> &nodes, const std::string &name) {
    for (const auto &n : nodes)
        if (n.name == name) return true;
    return false;
}

}  // namespace podlane::test
