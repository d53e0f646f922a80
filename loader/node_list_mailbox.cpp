#include "node_list_mailbox.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace podlane {

Status NodeListMailbox::open() {
    event_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!event_.valid()) return errno_error("eventfd", errno);
    return {};
}

datastore::NodesCallback NodeListMailbox::callback() {
    return [this](std::vector<ClusterNode> nodes) {
        {
            std::lock_guard lock(mutex_);
            pending_ = std::move(nodes);
        }
        uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(event_.get(), &one, sizeof one);
    };
}

std::optional<std::vector<ClusterNode>> NodeListMailbox::take() {
    uint64_t count;
    [[maybe_unused]] auto r = ::read(event_.get(), &count, sizeof count);
    std::optional<std::vector<ClusterNode>> nodes;
    std::lock_guard lock(mutex_);
    nodes.swap(pending_);
    return nodes;
}

}  // namespace podlane
