#include "agent_metrics.h"

namespace podlane {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

// A reconcile is a handful of map writes (sub-millisecond), a convergence
// includes the datastore's own delivery (milliseconds to seconds).
std::vector<double> reconcile_bounds() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
}
std::vector<double> convergence_bounds() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

AgentMetrics::AgentMetrics() : reconcile_(reconcile_bounds()), convergence_(convergence_bounds()) {}

void AgentMetrics::reconciled(std::chrono::steady_clock::duration took) {
    std::lock_guard lock(mutex_);
    reconcile_.observe(seconds(took));
}

void AgentMetrics::converged(std::chrono::steady_clock::duration since_event) {
    std::lock_guard lock(mutex_);
    convergence_.observe(seconds(since_event));
}

void AgentMetrics::datastore_error(const std::string &kind) {
    std::lock_guard lock(mutex_);
    ++datastore_errors_[kind];
}

void AgentMetrics::datastore_up(bool up) {
    std::lock_guard lock(mutex_);
    datastore_up_ = up;
}

datastore::HealthFn AgentMetrics::health_listener() {
    return [this](bool up, const std::string &failed_kind) {
        if (!failed_kind.empty()) datastore_error(failed_kind);
        datastore_up(up);
    };
}

void AgentMetrics::network_ready(bool ready) {
    std::lock_guard lock(mutex_);
    network_ready_ = ready;
}

void AgentMetrics::refused_node(const std::string &why) {
    std::lock_guard lock(mutex_);
    ++refused_[why];
}

void AgentMetrics::write(MetricsText &out) const {
    std::lock_guard lock(mutex_);
    out.family("podlane_reconcile_duration_seconds",
               "Time to bring the routes map in step with a node list (filter, diff, map writes)", "histogram");
    out.histogram("podlane_reconcile_duration_seconds", {}, reconcile_);
    out.family("podlane_route_convergence_seconds",
               "Time from a node list change (datastore event, config file write) to the routes map holding it",
               "histogram");
    out.histogram("podlane_route_convergence_seconds", {}, convergence_);
    out.family("podlane_datastore_up",
               "1 while the datastore answers (always 1 with the config file), 0 during an outage", "gauge");
    out.sample("podlane_datastore_up", {}, datastore_up_ ? 1 : 0);
    out.family("podlane_datastore_errors_total", "Failed datastore requests, by kind of request", "counter");
    for (const auto &[kind, n] : datastore_errors_)
        out.sample("podlane_datastore_errors_total", {{"kind", kind}}, static_cast<double>(n));
    if (network_ready_) {
        out.family("podlane_network_ready",
                   "1 when every other node's route and this node's pod CIDR are in the routes map (what the Node's "
                   "NetworkUnavailable condition and the etcd registration say)",
                   "gauge");
        out.sample("podlane_network_ready", {}, *network_ready_ ? 1 : 0);
    }
    out.family("podlane_refused_nodes_total",
               "Node entries refused by the node-list filter, by reason: counted when first refused (once per node and "
               "reason, again if it comes back after a list without it)",
               "counter");
    for (const auto &[why, n] : refused_)
        out.sample("podlane_refused_nodes_total", {{"why", why}}, static_cast<double>(n));
}

void write_build_info(MetricsText &out, const std::string &role) {
    out.family("podlane_build_info", "Always 1: the version and role of this podlaned", "gauge");
    out.sample("podlane_build_info", {{"version", PODLANE_VERSION}, {"role", role}}, 1);
}

}  // namespace podlane
