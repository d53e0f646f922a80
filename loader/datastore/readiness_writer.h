// Publishes this node's network readiness to the datastore from a thread of
// its own, so the agent's loop never waits on the API: only the newest state
// is written (a state replaced before it was written is skipped), a failed
// write is retried with backoff until it succeeds or a newer state comes.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "datastore/source.h"
#include "datastore/stop_flag.h"

namespace podlane::datastore {

struct Readiness {
    bool ready = false;
    std::string reason;  // one line for people
    bool operator==(const Readiness &) const = default;
};

class ReadinessWriter {
public:
    using Write = std::function<Status(const Readiness &, StopFlag *)>;
    // where: "the Node's NetworkUnavailable condition", for the log.
    ReadinessWriter(std::string where, Write write, LogFn log);
    ~ReadinessWriter();
    ReadinessWriter(const ReadinessWriter &) = delete;
    ReadinessWriter &operator=(const ReadinessWriter &) = delete;

    void publish(Readiness state);

private:
    void run();

    std::string where_;
    Write write_;
    LogFn log_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::optional<Readiness> pending_;
    bool stopping_ = false;
    StopFlag stop_;  // cuts a write in flight at shutdown
    std::thread thread_;
};

}  // namespace podlane::datastore
