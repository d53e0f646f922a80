#include "datastore/etcd_client.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "datastore/base64.h"

namespace podlane::datastore {
namespace {

using nlohmann::json;

// grpc-gateway renders int64 as strings and omits zero values.
int64_t num(const json &obj, const char *field) {
    auto it = obj.find(field);
    if (it == obj.end() || it->is_null()) return 0;
    if (it->is_string()) {
        const auto &text = it->get_ref<const std::string &>();
        int64_t v = 0;
        std::from_chars(text.data(), text.data() + text.size(), v);
        return v;
    }
    if (it->is_number_integer()) return it->get<int64_t>();
    return 0;
}

// A field the answer must carry decodable when present; absent: empty.
Result<std::string> b64_field(const json &obj, const char *field) {
    auto it = obj.find(field);
    if (it == obj.end() || it->is_null()) return std::string{};
    if (!it->is_string()) return Error{std::string(field) + " is not a base64 string"};
    auto decoded = base64_decode(it->get<std::string>());
    if (!decoded) return Error{std::string(field) + ": " + decoded.error().message};
    return *decoded;
}

// {"error": "...", "code": N, "message": "..."} is how the gateway reports a
// gRPC status.
std::optional<Error> grpc_error(const json &doc) {
    if (!doc.is_object()) return Error{"etcd answered something other than a JSON object"};
    if (doc.contains("error") || (doc.contains("code") && doc.contains("message")))
        return Error{"etcd: " + doc.value("message", doc.value("error", std::string{"error"})) + " (gRPC code " +
                     std::to_string(doc.value("code", 0)) + ")"};
    return std::nullopt;
}

Result<json> parse(const std::string &text, const std::string &what) {
    if (text.empty()) return Error{what + ": etcd answered nothing"};
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Error{what + ": etcd answered invalid JSON: " + text.substr(0, 200)};
    if (auto err = grpc_error(doc)) return err->wrap(what);
    return doc;
}

}  // namespace

Result<KeyValue> parse_kv(const json &kv) {
    if (!kv.is_object()) return Error{"a key-value is not a JSON object"};
    auto key = b64_field(kv, "key");
    if (!key) return key.error();
    if (key->empty()) return Error{"a key-value has no key"};
    auto value = b64_field(kv, "value");
    if (!value) return value.error().wrap("key " + *key);
    return KeyValue{std::move(*key), std::move(*value), num(kv, "create_revision"), num(kv, "mod_revision"),
                    num(kv, "lease")};
}

Result<RangeResult> parse_range_answer(const std::string &text, const std::string &what) {
    auto doc = parse(text, what);
    if (!doc) return doc.error();
    // A store answer always has a header with the revision (>= 1); kvs is
    // omitted when empty. Anything else (a proxy's page, "{}") is no answer:
    // read as an empty list it would remove every route.
    try {
        auto header = doc->find("header");
        if (header == doc->end() || !header->is_object() || num(*header, "revision") <= 0)
            return Error{what + ": not an etcd answer (no header.revision): " + text.substr(0, 200)};
        RangeResult out;
        out.revision = num(*header, "revision");
        if (auto kvs = doc->find("kvs"); kvs != doc->end() && !kvs->is_null()) {
            if (!kvs->is_array()) return Error{what + ": kvs is not an array"};
            for (const auto &item : *kvs) {
                auto kv = parse_kv(item);
                if (!kv) return kv.error().wrap(what);
                out.kvs.push_back(std::move(*kv));
            }
        }
        return out;
    } catch (const json::exception &e) {
        return Error{what + ": unexpected answer: " + e.what()};
    }
}

std::string prefix_range_end(const std::string &prefix) {
    std::string end = prefix;
    while (!end.empty()) {
        if (static_cast<unsigned char>(end.back()) < 0xff) {
            end.back() = static_cast<char>(end.back() + 1);
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0');  // every key
}

EtcdClient::EtcdClient(std::vector<std::string> endpoints, TlsOptions tls)
    : endpoints_(std::move(endpoints)), http_(std::move(tls)) {
    for (auto &e : endpoints_)
        while (!e.empty() && e.back() == '/') e.pop_back();
}

Result<std::string> EtcdClient::call(const std::string &path, const std::string &body, StopFlag *stop) const {
    if (endpoints_.empty()) return Error{"etcd: no endpoints configured (--etcd-endpoints)"};
    std::string failures;
    for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
        size_t idx = (current_.load() + attempt) % endpoints_.size();
        HttpRequest req{
            .method = "POST", .url = endpoints_[idx] + path, .body = body, .headers = {}, .timeout_ms = 5000};
        auto resp = http_.send(req, stop);
        if (resp && resp->status >= 200 && resp->status < 300) {
            current_.store(idx);
            return std::move(resp->body);
        }
        // The gateway reports a gRPC status with a 4xx and {"error", "code",
        // "message"}: etcd's own answer, not worth another endpoint. Any other
        // answer (a proxy's 404 or 403 page) is a failure of this endpoint.
        if (resp && resp->status >= 400 && resp->status < 500) {
            auto doc = json::parse(resp->body, nullptr, false);
            if (doc.is_object() && doc.contains("code") && (doc.contains("error") || doc.contains("message"))) {
                current_.store(idx);
                return *grpc_error(doc);
            }
        }
        if (!failures.empty()) failures += "; ";
        failures +=
            resp ? endpoints_[idx] + path + ": HTTP " + std::to_string(resp->status) + " " + resp->body.substr(0, 200)
                 : resp.error().message;
        if (stop && stop->stop_requested()) break;
    }
    return Error{failures};
}

Result<RangeResult> EtcdClient::range_prefix(const std::string &prefix, StopFlag *stop) const {
    json body = {{"key", base64_encode(prefix)}, {"range_end", base64_encode(prefix_range_end(prefix))}};
    auto text = call("/v3/kv/range", body.dump(), stop);
    if (!text) return text.error().wrap("range " + prefix);
    return parse_range_answer(*text, "range " + prefix);
}

Status EtcdClient::put(const std::string &key, const std::string &value, int64_t lease, StopFlag *stop) const {
    json body = {{"key", base64_encode(key)}, {"value", base64_encode(value)}};
    if (lease) body["lease"] = std::to_string(lease);
    auto text = call("/v3/kv/put", body.dump(), stop);
    if (!text) return text.error().wrap("put " + key);
    auto doc = parse(*text, "put " + key);
    if (!doc) return doc.error();
    return {};
}

Status EtcdClient::remove(const std::string &key, StopFlag *stop) const {
    json body = {{"key", base64_encode(key)}};
    auto text = call("/v3/kv/deleterange", body.dump(), stop);
    if (!text) return text.error().wrap("delete " + key);
    auto doc = parse(*text, "delete " + key);
    if (!doc) return doc.error();
    return {};
}

Result<bool> EtcdClient::create_if_absent(const std::string &key, const std::string &value, int64_t lease,
                                          StopFlag *stop) const {
    json put = {{"key", base64_encode(key)}, {"value", base64_encode(value)}};
    if (lease) put["lease"] = std::to_string(lease);
    json body = {
        {"compare",
         json::array(
             {{{"key", base64_encode(key)}, {"target", "CREATE"}, {"result", "EQUAL"}, {"create_revision", "0"}}})},
        {"success", json::array({{{"request_put", put}}})},
    };
    auto text = call("/v3/kv/txn", body.dump(), stop);
    if (!text) return text.error().wrap("create " + key);
    auto doc = parse(*text, "create " + key);
    if (!doc) return doc.error();
    return doc->value("succeeded", false);
}

Result<int64_t> EtcdClient::lease_grant(int64_t ttl_seconds, StopFlag *stop) const {
    json body = {{"TTL", std::to_string(ttl_seconds)}};
    auto text = call("/v3/lease/grant", body.dump(), stop);
    if (!text) return text.error().wrap("lease grant");
    auto doc = parse(*text, "lease grant");
    if (!doc) return doc.error();
    int64_t id = num(*doc, "ID");
    if (!id) return Error{"lease grant: etcd answered no lease ID: " + text->substr(0, 200)};
    return id;
}

Result<int64_t> EtcdClient::lease_keepalive(int64_t lease, StopFlag *stop) const {
    json body = {{"ID", std::to_string(lease)}};
    auto text = call("/v3/lease/keepalive", body.dump(), stop);
    if (!text) return text.error().wrap("lease keepalive");
    // A streaming RPC through the gateway: {"result": {...}} per message.
    auto doc = parse(*text, "lease keepalive");
    if (!doc) return doc.error();
    const json &result = doc->contains("result") ? (*doc)["result"] : *doc;
    return num(result, "TTL");
}

Status EtcdClient::lease_revoke(int64_t lease, StopFlag *stop) const {
    json body = {{"ID", std::to_string(lease)}};
    auto text = call("/v3/lease/revoke", body.dump(), stop);
    if (!text) return text.error().wrap("lease revoke");
    auto doc = parse(*text, "lease revoke");
    if (!doc) return doc.error();
    return {};
}

Result<WatchEnd> EtcdClient::watch_prefix(
    const std::string &prefix, int64_t start_revision, const std::function<void()> &on_created,
    const std::function<void(const std::vector<WatchEvent> &, int64_t)> &on_events, StopFlag &stop) const {
    if (endpoints_.empty()) return Error{"etcd: no endpoints configured (--etcd-endpoints)"};
    json body = {{"create_request",
                  {{"key", base64_encode(prefix)},
                   {"range_end", base64_encode(prefix_range_end(prefix))},
                   {"start_revision", std::to_string(start_revision)}}}};
    WatchEnd end;
    std::optional<Error> stream_error;
    bool created = false;
    JsonObjectSplitter splitter;
    auto handle = [&](std::string_view text) {
        auto doc = json::parse(text, nullptr, false);
        if (doc.is_discarded() || !doc.is_object()) {
            stream_error = Error{"watch " + prefix + ": invalid JSON in the stream"};
            return false;
        }
        if (doc.contains("error")) {
            stream_error = grpc_error(doc["error"].is_object() ? doc["error"] : doc)
                               .value_or(Error{"watch error"})
                               .wrap("watch " + prefix);
            return false;
        }
        const json &r = doc.contains("result") ? doc["result"] : doc;
        if (num(r, "compact_revision") > 0) {
            end.compacted = true;
            end.compact_revision = num(r, "compact_revision");
            return false;
        }
        if (r.value("canceled", false)) {
            stream_error = Error{"watch " + prefix + ": canceled by etcd: " + r.value("cancel_reason", std::string{})};
            return false;
        }
        if (r.value("created", false) && !created) {
            created = true;
            on_created();
        }
        std::vector<WatchEvent> events;
        if (r.contains("events"))
            for (const auto &ev : r["events"]) {
                auto kv = parse_kv(ev.value("kv", json::object()));
                if (!kv) {
                    stream_error = kv.error().wrap("watch " + prefix);
                    return false;
                }
                events.push_back({ev.value("type", std::string{}) == "DELETE", std::move(*kv)});
            }
        if (!events.empty()) on_events(events, num(r.value("header", json::object()), "revision"));
        return true;
    };
    // A well-formed but unexpected document (a string where an object
    // belongs) must end this watch, not the process.
    auto on_object = [&](std::string_view text) {
        try {
            return handle(text);
        } catch (const json::exception &e) {
            stream_error = Error{"watch " + prefix + ": unexpected answer: " + e.what()};
            return false;
        }
    };

    std::string failures;
    for (size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
        size_t idx = (current_.load() + attempt) % endpoints_.size();
        HttpRequest req{.method = "POST",
                        .url = endpoints_[idx] + "/v3/watch",
                        .body = body.dump(),
                        .headers = {},
                        .timeout_ms = 0};
        auto resp = http_.stream(
            req, [&](std::string_view chunk) { return splitter.feed(chunk, on_object); }, stop);
        if (splitter.error()) return splitter.error()->wrap("watch " + prefix);
        if (stream_error) return *stream_error;
        if (resp && resp->status >= 200 && resp->status < 300) {
            current_.store(idx);
            return end;  // ended: by etcd, by compaction or by stop
        }
        if (created) return resp ? Error{"watch " + prefix + ": HTTP " + std::to_string(resp->status)} : resp.error();
        if (!failures.empty()) failures += "; ";
        failures += resp ? endpoints_[idx] + "/v3/watch: HTTP " + std::to_string(resp->status) : resp.error().message;
        if (stop.stop_requested()) return end;
    }
    return Error{"watch " + prefix + ": " + failures};
}

}  // namespace podlane::datastore
