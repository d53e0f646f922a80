// What podlaned measures of itself, for /metrics: how long reconciles take,
// how long a datastore change takes to reach the routes map, the datastore's
// health and the nodes refused. Written by the agent's loop and the
// datastore's thread, read by the metrics server's thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "datastore/source.h"
#include "podlane/metrics_text.h"

namespace podlane {

class AgentMetrics {
public:
    AgentMetrics();

    void reconciled(std::chrono::steady_clock::duration took);
    // A change from the datastore (or the config file) is in the routes map.
    void converged(std::chrono::steady_clock::duration since_event);
    // From the datastore's thread: an error of the given kind (list, watch,
    // register, ...) and whether the datastore is reachable now.
    void datastore_error(const std::string &kind);
    void datastore_up(bool up);
    // Both of the above, for ClusterSource::set_health_listener; valid while
    // this object lives.
    datastore::HealthFn health_listener();
    void refused_node(const std::string &why);
    void network_ready(bool ready);

    // The agent's own families, appended to a scrape.
    void write(MetricsText &out) const;

private:
    mutable std::mutex mutex_;
    MetricHistogram reconcile_;
    MetricHistogram convergence_;
    bool datastore_up_ = true;
    std::optional<bool> network_ready_;  // node role
    std::map<std::string, uint64_t> datastore_errors_;
    std::map<std::string, uint64_t> refused_;
};

// The families every role serves: podlane_build_info.
void write_build_info(MetricsText &out, const std::string &role);

}  // namespace podlane
