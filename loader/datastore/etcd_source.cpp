#include "datastore/etcd_source.h"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "datastore/backoff.h"
#include "datastore/cidr_allocator.h"
#include "podlane/node_file_fields.h"

namespace podlane::datastore {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// Readers take name, nodeIP and podCIDR, and a dual-stack node's nodeIPv6
// and podCIDRv6 (parse_node_value), and ignore the rest: older agents read a
// newer value.
std::string node_value(const NodeConfig &self, const Readiness &readiness) {
    json value{{"name", self.node_name},
               {"nodeIP", self.node_ip.str()},
               {"podCIDR", self.pod_cidr.str()},
               {"ready", readiness.ready},
               {"readyReason", readiness.reason}};
    if (self.node_ip6 && self.pod_cidr6) {
        value["nodeIPv6"] = self.node_ip6->str();
        value["podCIDRv6"] = self.pod_cidr6->str();
    }
    return value.dump();
}

// A node's value as node_value writes it, checked as the files' node lists are.
Result<ClusterNode> parse_node_value(const std::string &text) {
    auto doc = parse_json_object(text);
    if (!doc) return doc.error();
    return parse_cluster_node(ConfigFields(*doc));
}

TlsOptions etcd_tls(const Options &options) {
    TlsOptions tls;
    tls.ca_file = options.etcd_ca;
    tls.cert_file = options.etcd_cert;
    tls.key_file = options.etcd_key;
    return tls;
}

}  // namespace

Result<std::unique_ptr<EtcdSource>> EtcdSource::create(const Options &options) {
    if (options.etcd_endpoints.empty())
        return Error{"--datastore etcd needs --etcd-endpoints (e.g. http://10.0.0.1:2379)"};
    for (const auto &e : options.etcd_endpoints)
        if (e.rfind("http://", 0) != 0 && e.rfind("https://", 0) != 0)
            return Error{"--etcd-endpoints: '" + e + "' is not an http:// or https:// URL"};
    if (options.etcd_prefix.empty() || options.etcd_prefix.front() != '/')
        return Error{"--etcd-prefix: '" + options.etcd_prefix + "' must start with /"};
    if (options.etcd_lease_ttl_s < 2) return Error{"--etcd-lease-ttl: at least 2 seconds"};
    return std::unique_ptr<EtcdSource>(new EtcdSource(options));
}

EtcdSource::EtcdSource(const Options &options) : options_(options), client_(options.etcd_endpoints, etcd_tls(options)) {
    if (options_.etcd_prefix.back() != '/') options_.etcd_prefix += '/';
}

EtcdSource::~EtcdSource() {
    stop();
}

std::string EtcdSource::cidr_key_of(const Cidr &cidr) const {
    return options_.etcd_prefix + "podcidrs/" + cidr_key(cidr);
}

void EtcdSource::log(const std::string &msg) const {
    if (log_) log_(msg);
}

namespace {

Result<Cidr> block_from_key(const std::string &segment, const Cidr *) {
    return cidr_from_key(segment);
}
Result<Cidr6> block_from_key(const std::string &segment, const Cidr6 *) {
    return cidr6_from_key(segment);
}

// What one family's claim is about: claims under `prefix` ("podcidrs/",
// "podcidrs6/"), blocks of `block_length` in `cluster`; `configured` is the
// node file's block (the key `field`), which is claimed as given.
template <typename CidrT>
struct BlockClaim {
    std::string prefix;
    const char *field;
    std::optional<CidrT> configured;
    CidrT cluster;
    int block_length;
};

// One claim attempt for node `name`: its block already claimed, the
// configured one, or the lowest free one, made atomic by create-if-absent.
// A lost race (another node took the block between range and txn) simply
// means: look again. `fatal` is set for errors retrying cannot fix.
template <typename CidrT>
Result<CidrT> claim_block(EtcdClient &client, const BlockClaim<CidrT> &c, const std::string &name, bool &fatal,
                          StopFlag &stop) {
    for (int round = 0; round < 64; ++round) {
        auto claims = client.range_prefix(c.prefix, &stop);
        if (!claims) return claims.error();
        std::vector<CidrT> taken;
        std::vector<CidrT> mine;
        std::vector<std::pair<CidrT, std::string>> owners;  // block -> node
        for (const auto &kv : claims->kvs) {
            auto cidr = block_from_key(kv.key.substr(c.prefix.size()), static_cast<const CidrT *>(nullptr));
            if (!cidr) continue;
            taken.push_back(*cidr);
            owners.emplace_back(*cidr, kv.value);
            if (kv.value == name) mine.push_back(*cidr);
        }

        CidrT want;
        if (c.configured) {
            want = *c.configured;
            for (const auto &[other, owner] : owners)
                if (owner != name && other.overlaps(want)) {
                    fatal = true;
                    return Error{std::string(c.field) + " " + want.str() + " from the config overlaps " + other.str() +
                                 ", claimed in etcd by node '" + owner + "' (key " + c.prefix + cidr_key(other) + ")"};
                }
            for (const auto &[other, owner] : owners)
                if (owner == name && other == want) return want;  // ours already
        } else if (!mine.empty()) {
            return mine.front();  // a restarted node keeps its block
        } else {
            auto next = next_free_cidr(c.cluster, c.block_length, taken);
            if (!next) {
                fatal = true;
                return next.error();
            }
            if (!*next) {
                fatal = true;
                return Error{"cluster CIDR " + c.cluster.str() + " is full: every /" + std::to_string(c.block_length) +
                             " is claimed under " + c.prefix};
            }
            want = **next;
        }
        auto created = client.create_if_absent(c.prefix + cidr_key(want), name, 0, &stop);
        if (!created) return created.error();
        if (*created) return want;
    }
    fatal = true;
    return Error{"could not claim a pod CIDR: lost the race 64 times in a row"};
}

}  // namespace

Result<Cidr> EtcdSource::claim_pod_cidr(const NodeConfig &self, bool &fatal, StopFlag &stop) {
    BlockClaim<Cidr> claim{options_.etcd_prefix + "podcidrs/", "podCIDR",
                           has_pod_cidr(self) ? std::optional{self.pod_cidr} : std::nullopt, self.cluster_cidr,
                           options_.pod_cidr_length};
    return claim_block(client_, claim, self.node_name, fatal, stop);
}

Result<std::optional<Cidr6>> EtcdSource::claim_pod_cidr6(const NodeConfig &self, bool &fatal, StopFlag &stop) {
    if (!self.cluster_cidr6 || !self.node_ip6) return std::optional<Cidr6>{};
    BlockClaim<Cidr6> claim{options_.etcd_prefix + "podcidrs6/", "podCIDRv6", self.pod_cidr6, *self.cluster_cidr6,
                            ipv6_block_length(*self.cluster_cidr6)};
    auto got = claim_block(client_, claim, self.node_name, fatal, stop);
    if (!got) return got.error();
    return std::optional<Cidr6>{*got};
}

Result<NodeConfig> EtcdSource::resolve_self(NodeConfig self) {
    if (self.node_name.empty()) return Error{"nodeName: needed to register in etcd"};
    if (self.cluster_cidr.length == 0) return Error{"clusterCIDR: needed to claim a pod CIDR from etcd"};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{options_.startup_timeout_s};
    Backoff backoff;
    StopFlag never;
    for (;;) {
        bool fatal = false;
        auto cidr = claim_pod_cidr(self, fatal, never);
        if (cidr) {
            self.pod_cidr = *cidr;
            // Dual-stack: the IPv6 block too, under its own claims.
            auto cidr6 = claim_pod_cidr6(self, fatal, never);
            if (cidr6) {
                self.pod_cidr6 = *cidr6;
                return self;
            }
            if (fatal || std::chrono::steady_clock::now() >= deadline)
                return cidr6.error().wrap("claiming an IPv6 pod CIDR for node '" + self.node_name + "'");
            never.sleep_for(backoff.next());
            continue;
        }
        if (fatal || std::chrono::steady_clock::now() >= deadline)
            return cidr.error().wrap("claiming a pod CIDR for node '" + self.node_name + "'");
        never.sleep_for(backoff.next());
    }
}

Status EtcdSource::start(const NodeConfig &self, NodesCallback on_change, LogFn log) {
    if (lease_thread_.joinable() || watch_thread_.joinable()) return Error{"etcd source: already started"};
    if (!has_pod_cidr(self)) return Error{"etcd source: start before resolve_self: this node has no pod CIDR"};
    if (self.node_name.empty()) return Error{"etcd source: this node has no name"};
    self_ = self;
    start_watch_thread(std::move(on_change), std::move(log));
    lease_thread_ = std::thread([this] { lease_loop(); });
    readiness_writer_ = std::make_unique<ReadinessWriter>(
        "readiness in etcd key " + node_key(self_.node_name),
        [this](const Readiness &, StopFlag *stop) -> Status {
            // Not registered yet (or re-registering): the registration
            // carries the newest readiness.
            int64_t lease = lease_.load();
            if (lease == 0) return {};
            return client_.put(node_key(self_.node_name), own_value(), lease, stop);
        },
        log_);
    return {};
}

std::string EtcdSource::own_value() const {
    std::lock_guard lock(readiness_mutex_);
    return node_value(self_, readiness_);
}

void EtcdSource::publish_readiness(bool ready, const std::string &reason) {
    {
        std::lock_guard lock(readiness_mutex_);
        readiness_ = {ready, reason};
    }
    if (readiness_writer_) readiness_writer_->publish({ready, reason});
}

Status EtcdSource::watch(NodesCallback on_change, LogFn log) {
    if (lease_thread_.joinable() || watch_thread_.joinable()) return Error{"etcd source: already started"};
    self_ = NodeConfig{};  // no name: nothing registered, nothing claimed
    start_watch_thread(std::move(on_change), std::move(log));
    return {};
}

void EtcdSource::start_watch_thread(NodesCallback on_change, LogFn log) {
    log_ = std::move(log);
    std::string endpoints;
    for (const auto &e : options_.etcd_endpoints) endpoints += (endpoints.empty() ? "" : ",") + e;
    outage_ = std::make_unique<OutageLog>("etcd (" + endpoints + ")", log_, health_);
    // Anyone on the path can then rewrite the node list (the node-list
    // filter only keeps it sane): said once, at start.
    for (const auto &e : options_.etcd_endpoints)
        if (e.rfind("http://", 0) == 0)
            this->log("warning: etcd endpoint " + e +
                      " is plain http: the node list and this node's registration travel unauthenticated and "
                      "unencrypted; use https:// with --etcd-ca, --etcd-cert and --etcd-key");
    watch_thread_ = std::thread([this, cb = std::move(on_change)] { watch_loop(cb); });
}

void EtcdSource::stop() {
    readiness_writer_.reset();
    lease_stop_.request_stop();
    watch_stop_.request_stop();
    if (lease_thread_.joinable()) lease_thread_.join();
    if (watch_thread_.joinable()) watch_thread_.join();
}

Status EtcdSource::leave() {
    readiness_writer_.reset();
    lease_stop_.request_stop();
    if (lease_thread_.joinable()) lease_thread_.join();
    int64_t lease = lease_.exchange(0);
    if (!lease) return {};
    auto st = client_.lease_revoke(lease);
    if (!st) return st.error().wrap("leaving the cluster");
    return {};
}

void EtcdSource::lease_loop() {
    const milliseconds renew_every{options_.etcd_lease_ttl_s * 1000 / 3};
    const std::string key = node_key(self_.node_name);
    Backoff backoff;
    while (!lease_stop_.stop_requested()) {
        if (lease_.load() == 0) {
            auto id = client_.lease_grant(options_.etcd_lease_ttl_s, &lease_stop_);
            Status st = id ? client_.put(key, own_value(), *id, &lease_stop_) : Status{id.error()};
            if (!st) {
                if (lease_stop_.stop_requested()) break;
                outage_->failed(st.error().wrap("registering node '" + self_.node_name + "'"), "register");
                lease_stop_.sleep_for(backoff.next());
                continue;
            }
            lease_.store(*id);
            log("registered in etcd as " + key + " (lease " + std::to_string(*id) + ", TTL " +
                std::to_string(options_.etcd_lease_ttl_s) + "s)");
        } else {
            auto ttl = client_.lease_keepalive(lease_.load(), &lease_stop_);
            if (!ttl) {
                if (lease_stop_.stop_requested()) break;
                outage_->failed(ttl.error(), "lease");
                lease_stop_.sleep_for(std::min(backoff.next(), renew_every));
                continue;
            }
            if (*ttl == 0) {
                log("etcd lease of node '" + self_.node_name + "' expired; registering again");
                lease_.store(0);
                continue;
            }
        }
        outage_->recovered();
        backoff.reset();
        lease_stop_.sleep_for(renew_every);
    }
}

void EtcdSource::watch_loop(NodesCallback on_change) {
    const std::string prefix = options_.etcd_prefix + "nodes/";
    const std::string own_key = registers() ? node_key(self_.node_name) : std::string{};
    NodeListPublisher publisher(registers() ? std::optional{self_entry(self_)} : std::nullopt, std::move(on_change));
    std::map<std::string, ClusterNode> nodes;
    int64_t revision = 0;  // everything up to here is in `nodes`
    bool need_list = true;
    Backoff backoff;

    auto apply = [&](const KeyValue &kv, bool deleted) {
        std::string name = kv.key.substr(prefix.size());
        if (deleted) {
            nodes.erase(name);
            return;
        }
        auto node = parse_node_value(kv.value);
        if (!node) {
            log("ignoring etcd key " + kv.key + ": " + node.error().message);
            nodes.erase(name);
            return;
        }
        nodes[name] = *node;
    };

    while (!watch_stop_.stop_requested()) {
        if (need_list) {
            auto list = client_.range_prefix(prefix, &watch_stop_);
            if (!list) {
                if (watch_stop_.stop_requested()) break;
                outage_->failed(list.error(), "list");
                watch_stop_.sleep_for(backoff.next());
                continue;
            }
            nodes.clear();
            for (const auto &kv : list->kvs) apply(kv, false);
            revision = list->revision;
            need_list = false;
            outage_->recovered();
            backoff.reset();
            publisher.publish(nodes);
        }
        auto end = client_.watch_prefix(
            prefix, revision + 1,
            [&] {
                outage_->recovered();
                backoff.reset();
            },
            [&](const std::vector<WatchEvent> &events, int64_t) {
                bool self_deleted = false;
                for (const auto &ev : events) {
                    apply(ev.kv, ev.deleted);
                    revision = std::max(revision, ev.kv.mod_revision);
                    self_deleted = self_deleted || (ev.deleted && registers() && ev.kv.key == own_key);
                }
                publisher.publish(nodes);
                // Someone deleted this node's key while its lease lives on
                // (etcdctl del, a restore): put it back, or every other node
                // would drop this node's route for good. A lease that expired
                // is the lease loop's to renew.
                if (int64_t lease = lease_.load(); self_deleted && lease != 0) {
                    log("etcd key " + own_key + " was deleted while this node runs; registering again");
                    if (auto st = client_.put(own_key, own_value(), lease, &watch_stop_); !st)
                        log("registering again: " + st.error().message);
                }
            },
            watch_stop_);
        if (watch_stop_.stop_requested()) break;
        if (!end) {
            outage_->failed(end.error(), "watch");
        } else if (end->compacted) {
            log("etcd watch: revision " + std::to_string(revision + 1) + " was compacted (now " +
                std::to_string(end->compact_revision) + "); listing the nodes again");
            need_list = true;
            continue;
        }
        watch_stop_.sleep_for(backoff.next());  // stream ended: reconnect
    }
}

}  // namespace podlane::datastore
