#include "datastore/membership.h"

namespace podlane::datastore {

void OutageLog::failed(const Error &err, const std::string &kind) {
    std::lock_guard lock(mutex_);
    if (health_) health_(false, kind);
    if (down_) return;
    down_ = true;
    if (log_) log_(what_ + " unreachable: " + err.message + "; keeping the current routes, retrying with backoff");
}

void OutageLog::recovered() {
    std::lock_guard lock(mutex_);
    if (!down_) return;
    down_ = false;
    if (health_) health_(true, {});
    if (log_) log_(what_ + " reachable again");
}

bool OutageLog::down() const {
    std::lock_guard lock(mutex_);
    return down_;
}

void NodeListPublisher::publish(const std::map<std::string, ClusterNode> &nodes) {
    std::vector<ClusterNode> list;
    list.reserve(nodes.size() + 1);
    if (self_) list.push_back(*self_);
    for (const auto &[name, node] : nodes)
        if (!self_ || name != self_->name) list.push_back(node);
    if (published_ && list == last_) return;
    published_ = true;
    last_ = list;
    on_change_(std::move(list));
}

}  // namespace podlane::datastore
