// Cluster membership from the Kubernetes API (the kubelet mode): list and
// watch Node objects the way client-go's reflector does: list (paged) for a
// resourceVersion, watch from it with bookmarks, resume from the last seen
// version when a watch ends or drops, list again on 410 Gone.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "datastore/kube_config.h"
#include "datastore/membership.h"
#include "datastore/readiness_writer.h"
#include "datastore/source.h"
#include "datastore/stop_flag.h"

namespace podlane::datastore {

class KubeSource : public ClusterSource {
public:
    // --kubeconfig, or the in-cluster service account.
    static Result<std::unique_ptr<KubeSource>> create(const Options &options);
    KubeSource(KubeEndpoint endpoint, const Options &options);
    ~KubeSource() override;

    // Takes this node's pod CIDR (and, if the config has none, node IP) from
    // its Node object, waiting for the controller manager to allocate one.
    Result<NodeConfig> resolve_self(NodeConfig self) override;
    Status start(const NodeConfig &self, NodesCallback on_change, LogFn log) override;
    Status watch(NodesCallback on_change, LogFn log) override;
    void stop() override;
    void set_health_listener(HealthFn health) override { health_ = std::move(health); }
    // Sets the Node's NetworkUnavailable condition (PATCH nodes/NAME/status,
    // as Calico, Cilium and flannel do): True until ready.
    void publish_readiness(bool ready, const std::string &reason) override;

    // Server-side watch timeout; the watch is then resumed (not relisted).
    void set_watch_timeout(int seconds) { watch_timeout_s_ = seconds; }
    // Nodes per list page (client-go's default: 500).
    void set_page_size(int n) { page_size_ = n; }

private:
    struct Answer {
        long status = 0;
        nlohmann::json body;
    };
    Result<Answer> get(const std::string &path, StopFlag *stop) const;
    // Every node of a (paged) list, and the list's resourceVersion.
    Result<std::string> list_nodes(std::map<std::string, ClusterNode> &nodes);
    enum class WatchEnd { Resume, Relist };
    // Watches from `rv` (updated as events and bookmarks arrive).
    Result<WatchEnd> watch_nodes(std::string &rv, std::map<std::string, ClusterNode> &nodes,
                                 NodeListPublisher &publisher);
    void upsert(std::map<std::string, ClusterNode> &nodes, const nlohmann::json &object);
    Status start_thread(const NodeConfig &self, NodesCallback on_change, LogFn log);
    void run(NodesCallback on_change);
    void log(const std::string &msg) const;
    Status patch_network_condition(const Readiness &state, StopFlag *stop) const;

    KubeEndpoint endpoint_;
    Options options_;
    NodeConfig self_;
    LogFn log_;
    HealthFn health_;
    std::unique_ptr<OutageLog> outage_;
    std::set<std::string> skipped_;  // nodes already reported as unusable
    int watch_timeout_s_ = 300;
    int page_size_ = 500;
    StopFlag stop_;
    std::thread thread_;
    std::unique_ptr<ReadinessWriter> readiness_;  // node role, from start()
};

}  // namespace podlane::datastore
