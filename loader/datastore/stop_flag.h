// Cancellation shared by a source's worker threads and the thread that stops
// them: interruptible sleeps, and a wake-up for HTTP transfers in flight so a
// long-lived watch ends at once instead of at its next timeout.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

namespace podlane::datastore {

class StopFlag {
public:
    void request_stop();
    bool stop_requested() const;
    // Sleeps up to `d`; false when stopped (before or during the sleep).
    bool sleep_for(std::chrono::milliseconds d);

    // For HttpClient: a transfer registers a waker while it runs. Returns
    // false (and registers nothing) when already stopped.
    using Waker = void (*)(void *);
    bool add_waker(void *handle, Waker wake);
    void remove_waker(void *handle);

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    bool stopped_ = false;
    std::set<std::pair<void *, Waker>> wakers_;
};

}  // namespace podlane::datastore
