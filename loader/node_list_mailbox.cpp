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
            auto published_at = pending_ ? pending_->published_at : std::chrono::steady_clock::now();
            pending_ = Delivery{std::move(nodes), published_at};
        }
        uint64_t one = 1;
        [[maybe_unused]] auto n = ::write(event_.get(), &one, sizeof one);
    };
}

std::optional<NodeListMailbox::Delivery> NodeListMailbox::take() {
    uint64_t count;
    [[maybe_unused]] auto r = ::read(event_.get(), &count, sizeof count);
    std::optional<Delivery> delivery;
    std::lock_guard lock(mutex_);
    delivery.swap(pending_);
    return delivery;
}

}  // namespace podlane
