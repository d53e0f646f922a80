#include "datastore/readiness_writer.h"

#include "datastore/backoff.h"

namespace podlane::datastore {

ReadinessWriter::ReadinessWriter(std::string where, Write write, LogFn log)
    : where_(std::move(where)), write_(std::move(write)), log_(std::move(log)) {
    thread_ = std::thread([this] { run(); });
}

ReadinessWriter::~ReadinessWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    stop_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void ReadinessWriter::publish(Readiness state) {
    {
        std::lock_guard lock(mutex_);
        pending_ = std::move(state);
    }
    cv_.notify_all();
}

void ReadinessWriter::run() {
    Backoff backoff(std::chrono::milliseconds{500}, std::chrono::milliseconds{10000});
    bool failing = false;
    for (;;) {
        Readiness state;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || pending_; });
            if (stopping_) return;
            state = std::move(*pending_);
            pending_.reset();
        }
        auto st = write_(state, &stop_);
        if (st) {
            if (failing && log_) log_(where_ + ": written again");
            failing = false;
            backoff.reset();
            continue;
        }
        if (stop_.stop_requested()) return;
        if (!failing && log_) log_("warning: " + where_ + ": " + st.error().message + " (retrying with backoff)");
        failing = true;
        std::unique_lock lock(mutex_);
        if (!pending_) pending_ = state;  // retried unless a newer state came
        cv_.wait_for(lock, backoff.next(), [&] { return stopping_; });
        if (stopping_) return;
    }
}

}  // namespace podlane::datastore
