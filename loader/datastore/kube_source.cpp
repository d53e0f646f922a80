#include "datastore/kube_source.h"

#include <ctime>

#include "datastore/backoff.h"
#include "datastore/kube_nodes.h"

namespace podlane::datastore {
namespace {

using nlohmann::json;

// "... 410: too old resource version: 1 (5)" from a Status object.
std::string status_text(long code, const json &body) {
    std::string msg = "HTTP " + std::to_string(code);
    try {
        if (body.is_object() && body.value("kind", std::string{}) == "Status")
            msg += " " + body.value("reason", std::string{}) + ": " + body.value("message", std::string{});
    } catch (const json::exception &) {
        // not a well-formed Status: the code alone says enough
    }
    return msg;
}

std::string url_escape(const std::string &s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            out += char(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// RFC 3339 in UTC, as metav1.Time is written.
std::string now_rfc3339() {
    std::time_t t = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&t, &utc);  // not gmtime: the agent's threads log at the same time
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

}  // namespace

Result<std::unique_ptr<KubeSource>> KubeSource::create(const Options &options) {
    auto ep = options.kubeconfig.empty() ? in_cluster_config() : load_kubeconfig(options.kubeconfig);
    if (!ep) return ep.error();
    return std::make_unique<KubeSource>(std::move(*ep), options);
}

KubeSource::KubeSource(KubeEndpoint endpoint, const Options &options)
    : endpoint_(std::move(endpoint)), options_(options) {}

KubeSource::~KubeSource() {
    stop();
}

void KubeSource::log(const std::string &msg) const {
    if (log_) log_(msg);
}

Result<KubeSource::Answer> KubeSource::get(const std::string &path, StopFlag *stop) const {
    auto token = endpoint_.bearer_token();
    if (!token) return token.error();
    HttpClient http(endpoint_.tls, *token);
    auto resp = http.send(
        {.method = "GET", .url = endpoint_.server + path, .body = {}, .headers = {}, .timeout_ms = 30000}, stop);
    if (!resp) return resp.error();
    Answer a{resp->status, json::parse(resp->body, nullptr, false)};
    if (a.body.is_discarded()) a.body = json{};
    return a;
}

Result<NodeConfig> KubeSource::resolve_self(NodeConfig self) {
    if (self.node_name.empty()) return Error{"nodeName: needed to find this node's Node object"};
    const std::string path = "/api/v1/nodes/" + url_escape(self.node_name);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{options_.startup_timeout_s};
    Backoff backoff(std::chrono::milliseconds{200}, std::chrono::milliseconds{2000});
    StopFlag never;
    Error last{"no answer"};
    while (std::chrono::steady_clock::now() < deadline) {
        auto a = get(path, nullptr);
        if (!a) {
            last = a.error();
        } else if (a->status != 200) {
            last = Error{"GET " + path + ": " + status_text(a->status, a->body)};
            if (a->status == 401 || a->status == 403) break;  // waiting will not help
        } else {
            auto node = cluster_node_from_object(a->body);
            if (node) {
                if (has_pod_cidr(self) && !(self.pod_cidr == node->pod_cidr))
                    return Error{"podCIDR " + self.pod_cidr.str() + " in the config disagrees with Node " +
                                 self.node_name + " (" + node->pod_cidr.str() +
                                 ", allocated by the controller manager)"};
                if (self.cluster_cidr.length && !self.cluster_cidr.contains(node->pod_cidr))
                    return Error{"Node " + self.node_name + " has pod CIDR " + node->pod_cidr.str() +
                                 ", outside clusterCIDR " + self.cluster_cidr.str() +
                                 " of the config (set it to the cluster's --cluster-cidr)"};
                self.pod_cidr = node->pod_cidr;
                if (self.node_ip.be == 0) self.node_ip = node->node_ip;
                // Dual-stack: the Node's IPv6 pod CIDR, when this agent routes
                // IPv6 (nodeIPv6 + clusterCIDRv6) and its file gives none.
                if (self.cluster_cidr6 && !self.pod_cidr6 && node->pod_cidr6) {
                    if (!self.cluster_cidr6->contains(*node->pod_cidr6))
                        return Error{"Node " + self.node_name + " has IPv6 pod CIDR " + node->pod_cidr6->str() +
                                     ", outside clusterCIDRv6 " + self.cluster_cidr6->str()};
                    self.pod_cidr6 = node->pod_cidr6;
                }
                return self;
            }
            last = node.error();  // e.g. no pod CIDR yet: the controller manager will allocate one
        }
        never.sleep_for(backoff.next());
    }
    return last.wrap("this node's pod CIDR from the Kubernetes API (" + endpoint_.server + ")");
}

Status KubeSource::start(const NodeConfig &self, NodesCallback on_change, LogFn log) {
    if (!has_pod_cidr(self)) return Error{"kubernetes source: start before resolve_self: this node has no pod CIDR"};
    if (self.node_name.empty()) return Error{"kubernetes source: this node has no name"};
    if (auto st = start_thread(self, std::move(on_change), log); !st) return st;
    readiness_ = std::make_unique<ReadinessWriter>(
        "Node " + self.node_name + " condition NetworkUnavailable",
        [this](const Readiness &state, StopFlag *stop) { return patch_network_condition(state, stop); }, log_);
    return {};
}

void KubeSource::publish_readiness(bool ready, const std::string &reason) {
    if (readiness_) readiness_->publish({ready, reason});
}

// A strategic merge patch merges conditions by type: the kubelet's own
// (Ready, MemoryPressure, ...) are left as they are.
Status KubeSource::patch_network_condition(const Readiness &state, StopFlag *stop) const {
    auto token = endpoint_.bearer_token();
    if (!token) return token.error();
    const std::string now = now_rfc3339();
    json condition = {{"type", "NetworkUnavailable"},
                      {"status", state.ready ? "False" : "True"},
                      {"reason", state.ready ? "PodlaneIsUp" : "PodlaneNotReady"},
                      {"message", state.reason},
                      {"lastTransitionTime", now},
                      {"lastHeartbeatTime", now}};
    json patch = {{"status", {{"conditions", json::array({condition})}}}};
    const std::string path = "/api/v1/nodes/" + url_escape(self_.node_name) + "/status";
    HttpClient http(endpoint_.tls, *token);
    auto resp = http.send({.method = "PATCH",
                           .url = endpoint_.server + path,
                           .body = patch.dump(),
                           .headers = {"Content-Type: application/strategic-merge-patch+json"},
                           .timeout_ms = 10000},
                          stop);
    if (!resp) return resp.error();
    if (resp->status / 100 == 2) return {};
    auto body = json::parse(resp->body, nullptr, false);
    std::string why = "PATCH " + path + ": " + status_text(resp->status, body.is_discarded() ? json{} : body);
    if (resp->status == 403)
        why += " (podlane's ClusterRole needs the verb patch on nodes/status: deploy/kubernetes/rbac.yaml)";
    return Error{why};
}

Status KubeSource::watch(NodesCallback on_change, LogFn log) {
    return start_thread(NodeConfig{}, std::move(on_change), std::move(log));  // no name: Node objects only
}

Status KubeSource::start_thread(const NodeConfig &self, NodesCallback on_change, LogFn log) {
    if (thread_.joinable()) return Error{"kubernetes source: already started"};
    self_ = self;
    log_ = std::move(log);
    outage_ = std::make_unique<OutageLog>("Kubernetes API (" + endpoint_.server + ")", log_, health_);
    thread_ = std::thread([this, cb = std::move(on_change)] { run(cb); });
    return {};
}

void KubeSource::stop() {
    readiness_.reset();
    stop_.request_stop();
    if (thread_.joinable()) thread_.join();
}

void KubeSource::upsert(std::map<std::string, ClusterNode> &nodes, const json &object) {
    auto node = cluster_node_from_object(object);
    if (node) {
        skipped_.erase(node->name);
        nodes[node->name] = *node;
        return;
    }
    std::string name = name_of(object);
    nodes.erase(name);  // e.g. its pod CIDR was removed: no route to guess
    if (skipped_.insert(name).second) log("no route to node " + name + " for now: " + node.error().message);
}

Result<std::string> KubeSource::list_nodes(std::map<std::string, ClusterNode> &nodes) {
    // Paged like client-go (limit 500); an expired continue token (410)
    // means starting the list over.
    for (int attempt = 0; attempt < 3; ++attempt) {
        std::map<std::string, ClusterNode> fresh;
        std::string cont, rv;
        bool expired = false;
        do {
            std::string path = "/api/v1/nodes?limit=" + std::to_string(page_size_);
            if (!cont.empty()) path += "&continue=" + url_escape(cont);
            auto a = get(path, &stop_);
            if (!a) return a.error();
            if (a->status == 410) {
                expired = true;
                break;
            }
            if (a->status != 200) return Error{"list nodes: " + status_text(a->status, a->body)};
            if (!a->body.is_object() || !a->body.contains("items") || !a->body["items"].is_array())
                return Error{"list nodes: the answer is not a NodeList"};
            for (const auto &item : a->body["items"]) upsert(fresh, item);
            rv = resource_version_of(a->body);
            const json meta = a->body.value("metadata", json::object());
            cont = meta.contains("continue") && meta["continue"].is_string() ? meta["continue"].get<std::string>() : "";
        } while (!cont.empty());
        if (expired) continue;
        nodes = std::move(fresh);
        return rv;
    }
    return Error{"list nodes: the list kept expiring while paging"};
}

Result<KubeSource::WatchEnd> KubeSource::watch_nodes(std::string &rv, std::map<std::string, ClusterNode> &nodes,
                                                     NodeListPublisher &publisher) {
    auto token = endpoint_.bearer_token();
    if (!token) return token.error();
    HttpClient http(endpoint_.tls, *token);
    std::string path = "/api/v1/nodes?watch=1&allowWatchBookmarks=true&resourceVersion=" + url_escape(rv) +
                       "&timeoutSeconds=" + std::to_string(watch_timeout_s_);
    bool got_data = false;
    std::optional<WatchEnd> end;
    std::optional<Error> failure;
    JsonObjectSplitter splitter;
    auto handle = [&](std::string_view text) {
        auto ev = json::parse(text, nullptr, false);
        if (ev.is_discarded() || !ev.is_object() || !ev.contains("object")) {
            failure = Error{"watch nodes: not a watch event: " + std::string(text.substr(0, 200))};
            return false;
        }
        const std::string type = ev.value("type", std::string{});
        const json &obj = ev["object"];
        if (type == "ERROR") {
            long code = obj.is_object() ? obj.value("code", 0L) : 0L;
            if (code == 410) {
                log("watch nodes: " + status_text(code, obj) + "; listing again");
                end = WatchEnd::Relist;
            } else {
                failure = Error{"watch nodes: " + status_text(code, obj)};
            }
            return false;
        }
        if (auto v = resource_version_of(obj); !v.empty()) rv = v;
        if (type == "BOOKMARK") return true;  // only a newer resourceVersion
        if (type == "ADDED" || type == "MODIFIED") {
            upsert(nodes, obj);
        } else if (type == "DELETED") {
            nodes.erase(name_of(obj));
        } else {
            return true;  // unknown event types are skipped, like client-go
        }
        publisher.publish(nodes);
        return true;
    };
    // A well-formed but unexpected event (a number where a string belongs)
    // ends this watch, not the process.
    auto on_event = [&](std::string_view text) {
        try {
            return handle(text);
        } catch (const json::exception &e) {
            failure = Error{"watch nodes: unexpected event: " + std::string(e.what())};
            return false;
        }
    };
    auto resp = http.stream(
        {.method = "GET", .url = endpoint_.server + path, .body = {}, .headers = {}, .timeout_ms = 0},
        [&](std::string_view chunk) {
            if (!got_data) outage_->recovered();
            got_data = true;
            return splitter.feed(chunk, on_event);
        },
        stop_);
    if (splitter.error()) return splitter.error()->wrap("watch nodes");
    if (failure) return *failure;
    if (end) return *end;
    if (!resp) {
        if (got_data) return WatchEnd::Resume;  // dropped mid-stream: resume from rv
        return resp.error();
    }
    if (resp->status == 410) {
        auto body = json::parse(resp->body, nullptr, false);
        log("watch nodes: " + status_text(410, body) + "; listing again");
        return WatchEnd::Relist;
    }
    if (resp->status < 200 || resp->status > 299)
        return Error{"watch nodes: " + status_text(resp->status, json::parse(resp->body, nullptr, false))};
    return WatchEnd::Resume;  // the server's timeout: resume from rv
}

namespace {
constexpr std::chrono::seconds kHealthyWatch{2};
}  // namespace

void KubeSource::run(NodesCallback on_change) {
    NodeListPublisher publisher(self_.node_name.empty() ? std::nullopt : std::optional{self_entry(self_)},
                                std::move(on_change));
    std::map<std::string, ClusterNode> nodes;
    std::string rv;
    bool need_list = true;
    Backoff backoff;
    while (!stop_.stop_requested()) {
        if (need_list) {
            auto listed = list_nodes(nodes);
            if (!listed) {
                if (stop_.stop_requested()) break;
                outage_->failed(listed.error(), "list");
                stop_.sleep_for(backoff.next());
                continue;
            }
            rv = *listed;
            need_list = false;
            outage_->recovered();
            publisher.publish(nodes);
        }
        const auto watch_started = std::chrono::steady_clock::now();
        auto end = watch_nodes(rv, nodes, publisher);
        if (stop_.stop_requested()) break;
        if (!end) {
            outage_->failed(end.error(), "watch");
            stop_.sleep_for(backoff.next());
            continue;
        }
        // A server (or proxy) that keeps cutting watches short must not turn
        // into a tight reconnect loop: only a watch that lasted earns a reset.
        if (std::chrono::steady_clock::now() - watch_started >= kHealthyWatch)
            backoff.reset();
        else
            stop_.sleep_for(backoff.next());
        if (*end == WatchEnd::Relist) need_list = true;
    }
}

}  // namespace podlane::datastore
