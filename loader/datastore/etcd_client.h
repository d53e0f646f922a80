// etcd v3 through its JSON gateway (grpc-gateway: POST /v3/..., base64 keys
// and values, 64-bit numbers as JSON strings). Only what membership needs:
// range, put, create-if-absent transaction, leases, prefix watch. Endpoints
// are tried in turn, so one member down is not an outage.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datastore/http_client.h"
#include "podlane/result.h"

namespace podlane::datastore {

struct KeyValue {
    std::string key, value;
    int64_t create_revision = 0, mod_revision = 0, lease = 0;
};

struct RangeResult {
    std::vector<KeyValue> kvs;
    int64_t revision = 0;  // the store's revision when the range was read
};

struct WatchEvent {
    bool deleted = false;
    KeyValue kv;  // for a delete: key and mod_revision only
};

struct WatchEnd {
    bool compacted = false;  // start revision compacted away: relist
    int64_t compact_revision = 0;
};

class EtcdClient {
public:
    EtcdClient(std::vector<std::string> endpoints, TlsOptions tls);

    Result<RangeResult> range_prefix(const std::string &prefix, StopFlag *stop = nullptr) const;
    Status put(const std::string &key, const std::string &value, int64_t lease = 0, StopFlag *stop = nullptr) const;
    Status remove(const std::string &key, StopFlag *stop = nullptr) const;
    // Compare-and-swap on absence: true when this call created the key,
    // false when it already existed (whatever its value).
    Result<bool> create_if_absent(const std::string &key, const std::string &value, int64_t lease = 0,
                                  StopFlag *stop = nullptr) const;

    Result<int64_t> lease_grant(int64_t ttl_seconds, StopFlag *stop = nullptr) const;
    // Remaining TTL in seconds; 0 when the lease no longer exists.
    Result<int64_t> lease_keepalive(int64_t lease, StopFlag *stop = nullptr) const;
    Status lease_revoke(int64_t lease, StopFlag *stop = nullptr) const;

    // Watches every key under `prefix` from start_revision. on_events gets
    // each batch with the revision it brings the watcher to; on_created once
    // the watch is established. Returns when the stream ends (etcd gone,
    // stop requested, compaction); an Error when it could not be opened.
    Result<WatchEnd> watch_prefix(const std::string &prefix, int64_t start_revision,
                                  const std::function<void()> &on_created,
                                  const std::function<void(const std::vector<WatchEvent> &, int64_t)> &on_events,
                                  StopFlag &stop) const;

    const std::vector<std::string> &endpoints() const { return endpoints_; }

private:
    // POSTs to one endpoint after another until one answers; a gRPC error
    // in the answer ({"error", "code"}) becomes an Error.
    Result<std::string> call(const std::string &path, const std::string &body, StopFlag *stop) const;

    std::vector<std::string> endpoints_;
    HttpClient http_;
    mutable std::atomic<size_t> current_{0};
};

// One key-value of an answer (base64 key and value, numbers as strings); an
// undecodable or missing key is an error.
Result<KeyValue> parse_kv(const nlohmann::json &kv);

// A /v3/kv/range answer. Anything that is not one (no header.revision, kvs
// not an array, a bad key-value, a gRPC error) is an error, so a proxy's "{}"
// never reads as an empty store.
Result<RangeResult> parse_range_answer(const std::string &text, const std::string &what);

// The first key after every key starting with prefix (etcd's range_end).
std::string prefix_range_end(const std::string &prefix);

}  // namespace podlane::datastore
