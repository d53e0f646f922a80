#include "datastore/stop_flag.h"

namespace podlane::datastore {

void StopFlag::request_stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    // Under the lock: a transfer unregisters (under the same lock) before it
    // frees its handle, so every handle woken here is still alive.
    for (auto &[handle, wake] : wakers_) wake(handle);
    cv_.notify_all();
}

bool StopFlag::stop_requested() const {
    std::lock_guard lock(mutex_);
    return stopped_;
}

bool StopFlag::sleep_for(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, d, [this] { return stopped_; });
}

bool StopFlag::add_waker(void *handle, Waker wake) {
    std::lock_guard lock(mutex_);
    if (stopped_) return false;
    wakers_.insert({handle, wake});
    return true;
}

void StopFlag::remove_waker(void *handle) {
    std::lock_guard lock(mutex_);
    std::erase_if(wakers_, [handle](const auto &w) { return w.first == handle; });
}

}  // namespace podlane::datastore
