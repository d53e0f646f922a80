// Cluster membership through etcd (the self-hosted mode).
//
// Keys under the prefix (default /podlane/):
//   nodes/<name>           {"name","nodeIP","podCIDR"}, attached to the node's
//                          lease: a node that stops renewing it leaves.
//   podcidrs/<a.b.c.d-len> the owning node's name, no lease: a restarted node
//                          finds its block again and keeps it.
// A node claims a block with a create-if-absent transaction, so two nodes
// starting at the same instant never get the same one.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "datastore/etcd_client.h"
#include "datastore/membership.h"
#include "datastore/readiness_writer.h"
#include "datastore/source.h"
#include "datastore/stop_flag.h"

namespace podlane::datastore {

class EtcdSource : public ClusterSource {
public:
    static Result<std::unique_ptr<EtcdSource>> create(const Options &options);
    ~EtcdSource() override;

    Result<NodeConfig> resolve_self(NodeConfig self) override;
    Status start(const NodeConfig &self, NodesCallback on_change, LogFn log) override;
    Status watch(NodesCallback on_change, LogFn log) override;
    void stop() override;
    void set_health_listener(HealthFn health) override { health_ = std::move(health); }
    // Carried in this node's registration ("ready", "readyReason"): written
    // again now, and with every later registration.
    void publish_readiness(bool ready, const std::string &reason) override;

    // Leaves the cluster now instead of after the lease TTL: stops renewing
    // and revokes the lease, so every node drops this node's route. The pod
    // CIDR stays claimed for this node's name.
    Status leave();

    std::string node_key(const std::string &name) const { return options_.etcd_prefix + "nodes/" + name; }
    std::string cidr_key_of(const Cidr &cidr) const;

private:
    explicit EtcdSource(const Options &options);
    // One claim attempt; `fatal` is set for errors retrying cannot fix.
    Result<Cidr> claim_pod_cidr(const NodeConfig &self, bool &fatal, StopFlag &stop);
    // Dual-stack (nodeIPv6 + clusterCIDRv6): the IPv6 block, claimed under
    // podcidrs6/ by the same rules; nullopt for an IPv4-only node.
    Result<std::optional<Cidr6>> claim_pod_cidr6(const NodeConfig &self, bool &fatal, StopFlag &stop);
    void lease_loop();
    void watch_loop(NodesCallback on_change);
    void start_watch_thread(NodesCallback on_change, LogFn log);
    bool registers() const { return !self_.node_name.empty(); }
    void log(const std::string &msg) const;
    // This node's registration value, with its readiness as last published.
    std::string own_value() const;

    Options options_;
    EtcdClient client_;
    NodeConfig self_;
    LogFn log_;
    HealthFn health_;
    std::unique_ptr<OutageLog> outage_;
    StopFlag lease_stop_, watch_stop_;
    std::thread lease_thread_, watch_thread_;
    std::atomic<int64_t> lease_{0};
    mutable std::mutex readiness_mutex_;
    Readiness readiness_{false, "starting"};
    std::unique_ptr<ReadinessWriter> readiness_writer_;  // from start()
};

}  // namespace podlane::datastore
