// The Kubernetes source against a fake API server that speaks the Node API's
// wire format: paged List, chunked watch stream, BOOKMARK, ERROR 410 (and
// HTTP 410), dropped connections, server-side watch timeouts. Each case
// asserts the routes map the agent would program from what the source saw.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include "datastore/kube_source.h"
#include "etcd_process.h"
#include "fake_kube_api.h"
#include "node_list_recorder.h"
#include "podlane/scope_exit.h"
#include "reconcile.h"
#include "route_table.h"

using namespace podlane;
using namespace podlane::datastore;
using podlane::test::FakeKubeApi;
using podlane::test::has_node;
using podlane::test::NodeListRecorder;
using podlane::test::routes_for;
using podlane::test::RouteTable;
using namespace std::chrono_literals;

namespace {

class KubeSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why = FakeKubeApi::skip_reason();
        if (!why.empty()) GTEST_SKIP() << why;
        auto api = FakeKubeApi::launch("s3cret");
        ASSERT_TRUE(api.ok()) << api.error().message;
        api_ = std::move(*api);
        ASSERT_TRUE(api_->upsert("node-a", "192.168.50.11", "10.244.0.0/24").ok());
        ASSERT_TRUE(api_->upsert("node-b", "192.168.50.12", "10.244.1.0/24").ok());
        ASSERT_TRUE(api_->upsert("node-c", "192.168.50.13", "").ok());  // no pod CIDR allocated yet
    }

    std::unique_ptr<KubeSource> make(const std::string &token = "s3cret") {
        Options o;
        o.kind = datastore::Kind::Kubernetes;
        o.kubeconfig = api_->write_kubeconfig(token);
        o.startup_timeout_s = 20;
        auto src = KubeSource::create(o);
        EXPECT_TRUE(src.ok()) << src.error().message;
        return src ? std::move(*src) : nullptr;
    }

    // resolve_self + start for node-a, as podlaned does.
    void start_node_a(int watch_timeout_s = 300) {
        source_ = make();
        ASSERT_TRUE(source_);
        source_->set_watch_timeout(watch_timeout_s);
        source_->set_page_size(2);  // the three nodes take two pages
        NodeConfig cfg;
        cfg.node_name = "node-a";
        cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
        auto resolved = source_->resolve_self(cfg);
        ASSERT_TRUE(resolved.ok()) << resolved.error().message;
        self_ = *resolved;
        auto st = source_->start(
            self_, [this](std::vector<ClusterNode> l) { seen_(std::move(l)); },
            [this](const std::string &line) { seen_.log(line); });
        ASSERT_TRUE(st.ok()) << st.error().message;
    }

    bool routes_become(const RouteTable &want, std::chrono::milliseconds timeout = 20s) {
        bool ok = seen_.wait_for([&](const auto &l) { return routes_for(self_, l) == want; }, timeout);
        if (!ok) {
            std::string got;
            for (const auto &[c, via] : routes_for(self_, seen_.latest())) got += c + " via " + via + "; ";
            ADD_FAILURE() << "routes are: " << got;
        }
        return ok;
    }

    std::unique_ptr<FakeKubeApi> api_;
    NodeListRecorder seen_;  // before the source: its thread calls into it until stopped
    NodeConfig self_;
    std::unique_ptr<KubeSource> source_;
};

TEST_F(KubeSourceTest, OwnCidrAndIpComeFromTheNodeObject) {
    start_node_a();
    EXPECT_EQ(self_.pod_cidr.str(), "10.244.0.0/24");
    EXPECT_EQ(self_.node_ip.str(), "192.168.50.11");
}

TEST_F(KubeSourceTest, ListThenWatchAddsModifiesAndDeletesRoutes) {
    start_node_a();
    // node-c has no pod CIDR: no route, and the log says why.
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    EXPECT_TRUE(seen_.wait_for_log("node-c"));
    EXPECT_EQ(api_->count_lists(), 2) << "the three nodes come in two pages";

    ASSERT_TRUE(api_->upsert("node-c", "192.168.50.13", "10.244.2.0/24").ok());  // MODIFIED: allocated
    ASSERT_TRUE(routes_become(
        {{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}, {"10.244.2.0/24", "192.168.50.13"}}));

    ASSERT_TRUE(api_->upsert("node-b", "192.168.50.22", "10.244.1.0/24").ok());  // new InternalIP
    ASSERT_TRUE(api_->upsert("node-d", "192.168.50.14", "10.244.3.0/24").ok());  // ADDED
    ASSERT_TRUE(api_->remove("node-c").ok());                                    // DELETED
    ASSERT_TRUE(routes_become(
        {{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.22"}, {"10.244.3.0/24", "192.168.50.14"}}));
    EXPECT_EQ(api_->count_lists(), 2) << "watch events must not cause relists";
}

// Node objects are untrusted: one that claims the whole Internet, a block
// inside this node's CIDR, or a loopback or multicast next hop changes no
// route, and each is reported with its reason.
TEST_F(KubeSourceTest, BadNodeObjectsLeaveTheRoutesUnchangedAndAreReported) {
    start_node_a();
    const RouteTable before = {{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}};
    ASSERT_TRUE(routes_become(before));
    ASSERT_TRUE(api_->upsert("evil-all", "192.168.50.20", "0.0.0.0/0").ok());
    ASSERT_TRUE(api_->upsert("evil-mine", "192.168.50.21", "10.244.0.0/25").ok());
    ASSERT_TRUE(api_->upsert("evil-lo", "127.0.0.1", "10.244.5.0/24").ok());
    ASSERT_TRUE(api_->upsert("evil-mcast", "224.0.0.1", "10.244.6.0/24").ok());
    ASSERT_TRUE(seen_.wait_for([](const auto &l) { return has_node(l, "evil-mcast"); }, 20s));
    EXPECT_EQ(routes_for(self_, seen_.latest()), before);

    std::map<std::string, std::string> reasons;
    for (const auto &r : filter_for_node(self_, seen_.latest()).refused) reasons[r.node.name] = refusal_word(r.reason);
    EXPECT_EQ(reasons, (std::map<std::string, std::string>{{"evil-all", "pod-cidr-outside-cluster"},
                                                           {"evil-mine", "pod-cidr-overlaps-self"},
                                                           {"evil-lo", "node-ip-not-unicast"},
                                                           {"evil-mcast", "node-ip-not-unicast"}}));
}

// The readiness gate (issue 18): the Node's NetworkUnavailable condition is
// True until the agent says its routes are in, then False; the kubelet's own
// conditions are left alone (a strategic merge patch, merged by type).
TEST_F(KubeSourceTest, ReadinessSetsTheNodesNetworkUnavailableCondition) {
    start_node_a();
    auto condition_becomes = [&](const std::string &want) {
        for (int i = 0; i < 200; ++i) {
            if (api_->condition("node-a", "NetworkUnavailable") == want) return true;
            std::this_thread::sleep_for(50ms);
        }
        return false;
    };
    source_->publish_readiness(false, "waiting for the first node list");
    ASSERT_TRUE(condition_becomes("True")) << api_->node("node-a").dump();
    source_->publish_readiness(true, "2 routes to the other nodes in place");
    ASSERT_TRUE(condition_becomes("False")) << api_->node("node-a").dump();
    auto node = api_->node("node-a");
    EXPECT_EQ(api_->condition("node-a", "Ready"), "True") << "the kubelet's condition is kept: " << node.dump();
    for (const auto &c : node["status"]["conditions"])
        if (c["type"] == "NetworkUnavailable") {
            EXPECT_EQ(c["reason"], "PodlaneIsUp");
            EXPECT_EQ(c["message"], "2 routes to the other nodes in place");
            EXPECT_TRUE(c.contains("lastTransitionTime"));
        }
    int patches = 0;
    for (const auto &r : api_->requests())
        if (r.value("method", "") == "PATCH") {
            ++patches;
            EXPECT_EQ(r["path"], "/api/v1/nodes/node-a/status");
            EXPECT_EQ(r["contentType"], "application/strategic-merge-patch+json");
        }
    EXPECT_EQ(patches, 2);
}

TEST_F(KubeSourceTest, AMissingPatchPermissionIsLoggedWithTheRbacFixAndRetried) {
    ASSERT_TRUE(api_->control("answer", {{"path", "/api/v1/nodes/node-a/status"},
                                         {"status", 403},
                                         {"body", R"({"kind":"Status","reason":"Forbidden","message":"no"})"}})
                    .ok());
    start_node_a();
    source_->publish_readiness(true, "ready");
    EXPECT_TRUE(seen_.wait_for_log("patch on nodes/status")) << "the log must name the missing permission";
    std::this_thread::sleep_for(1500ms);
    int patches = 0;
    for (const auto &r : api_->requests()) patches += r.value("method", "") == "PATCH";
    EXPECT_GE(patches, 2) << "a refused write is retried";
}

// An answer larger than the cap fails the request with a clear error
// instead of being buffered without end; the source keeps its routes.
TEST_F(KubeSourceTest, OversizedAnswersAreErrors) {
    ASSERT_TRUE(api_->control("answer",
                              {{"path", "/big"}, {"status", 200}, {"body", std::string(1024, 'x')}, {"repeat", 2048}}));
    HttpClient http;
    auto resp = http.send({.method = "GET",
                           .url = api_->server() + "/big",
                           .body = {},
                           .headers = {},
                           .timeout_ms = 20000,
                           .max_body_bytes = 1u << 20});
    ASSERT_FALSE(resp.ok()) << "2 MiB buffered under a 1 MiB cap";
    EXPECT_NE(resp.error().message.find("larger than 1 MiB"), std::string::npos) << resp.error().message;

    // A node list of 17 MiB: the default cap (16 MiB) refuses it.
    ASSERT_TRUE(api_->control(
        "answer", {{"path", "/api/v1/nodes"}, {"status", 200}, {"body", std::string(1u << 20, ' ')}, {"repeat", 17}}));
    source_ = make();
    ASSERT_TRUE(source_);
    ASSERT_TRUE(source_
                    ->watch([this](std::vector<ClusterNode> l) { seen_(std::move(l)); },
                            [this](const std::string &line) { seen_.log(line); })
                    .ok());
    EXPECT_TRUE(seen_.wait_for_log("larger than 16 MiB"));
    EXPECT_TRUE(seen_.lists().empty()) << "nothing published";
}

TEST_F(KubeSourceTest, WatcherThatIsNoNodeListsEveryRoutableNode) {
    source_ = make();
    ASSERT_TRUE(source_);
    auto st = source_->watch([this](std::vector<ClusterNode> l) { seen_(std::move(l)); },
                             [this](const std::string &line) { seen_.log(line); });
    ASSERT_TRUE(st.ok()) << st.error().message;
    // node-c has no pod CIDR yet: not listed.
    ASSERT_TRUE(
        seen_.wait_for([](const auto &l) { return l.size() == 2 && has_node(l, "node-a") && has_node(l, "node-b"); }));
    ASSERT_TRUE(api_->upsert("node-c", "192.168.50.13", "10.244.2.0/24").ok());
    ASSERT_TRUE(api_->remove("node-a").ok());
    ASSERT_TRUE(
        seen_.wait_for([](const auto &l) { return l.size() == 2 && has_node(l, "node-b") && has_node(l, "node-c"); }));
    for (const auto &n : seen_.latest()) {
        if (n.name == "node-c") {
            EXPECT_EQ(n.pod_cidr.str(), "10.244.2.0/24");
        }
    }
}

TEST_F(KubeSourceTest, BookmarksMoveTheResumeVersionSoNoRelistIsNeeded) {
    ASSERT_TRUE(api_->control("bookmarks", {{"interval", 0.2}}).ok());
    start_node_a();
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    // Other resources change: the Node watch only learns it from bookmarks.
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(api_->control("bump").ok());
    std::this_thread::sleep_for(1500ms);         // several bookmark intervals
    ASSERT_TRUE(api_->control("compact").ok());  // history before now is gone
    ASSERT_TRUE(api_->control("drop").ok());

    ASSERT_TRUE(api_->upsert("node-d", "192.168.50.14", "10.244.3.0/24").ok());
    ASSERT_TRUE(routes_become(
        {{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}, {"10.244.3.0/24", "192.168.50.14"}}));
    EXPECT_EQ(api_->count_lists(), 2) << "resuming from the bookmark's version must not need a relist";
    EXPECT_EQ(seen_.count_logs("listing again"), 0u);
    auto reqs = api_->requests();
    for (const auto &r : reqs) {
        if (r["query"].value("watch", "") != "") {
            EXPECT_EQ(r["query"].value("allowWatchBookmarks", ""), "true");
        }
    }
}

class KubeExpiredTest : public KubeSourceTest, public ::testing::WithParamInterface<bool> {};

TEST_P(KubeExpiredTest, TooOldResourceVersionRelistsAndCatchesUp) {
    ASSERT_TRUE(api_->control("http410", {{"on", GetParam()}}).ok());
    start_node_a();
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    int lists_before = api_->count_lists();

    // Changes the open watch never delivers, then history is compacted and
    // the connection drops: the resume is refused with 410 Gone.
    ASSERT_TRUE(api_->control("hold", {{"on", true}}).ok());
    ASSERT_TRUE(api_->remove("node-b").ok());
    ASSERT_TRUE(api_->upsert("node-d", "192.168.50.14", "10.244.3.0/24").ok());
    ASSERT_TRUE(api_->control("compact").ok());
    ASSERT_TRUE(api_->control("drop").ok());
    ASSERT_TRUE(api_->control("hold", {{"on", false}}).ok());

    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.3.0/24", "192.168.50.14"}}));
    EXPECT_GT(api_->count_lists(), lists_before) << "a 410 must lead to a fresh list";
    EXPECT_TRUE(seen_.wait_for_log("listing again"));

    ASSERT_TRUE(api_->upsert("node-e", "192.168.50.15", "10.244.4.0/24").ok());  // and the new watch works
    ASSERT_TRUE(routes_become(
        {{"10.244.0.0/24", "local"}, {"10.244.3.0/24", "192.168.50.14"}, {"10.244.4.0/24", "192.168.50.15"}}));
}

INSTANTIATE_TEST_SUITE_P(ErrorEventOrHttpStatus, KubeExpiredTest, ::testing::Values(false, true),
                         [](const auto &info) { return info.param ? "Http410" : "ErrorEvent410"; });

TEST_F(KubeSourceTest, DroppedConnectionResumesFromTheLastVersion) {
    start_node_a();
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    ASSERT_TRUE(api_->upsert("node-d", "192.168.50.14", "10.244.3.0/24").ok());
    ASSERT_TRUE(routes_become(
        {{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}, {"10.244.3.0/24", "192.168.50.14"}}));

    ASSERT_TRUE(api_->control("drop").ok());
    ASSERT_TRUE(api_->remove("node-d").ok());
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    EXPECT_EQ(api_->count_lists(), 2) << "a dropped watch resumes; it does not relist";
    EXPECT_GE(api_->count_watches(), 2);
    // Every published list kept node-b: a drop never shortens the list.
    for (const auto &l : seen_.lists()) EXPECT_TRUE(has_node(l, "node-b"));
}

TEST_F(KubeSourceTest, ServerWatchTimeoutResumesAndKeepsDelivering) {
    start_node_a(/*watch_timeout_s=*/1);
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    std::this_thread::sleep_for(2500ms);  // at least two server-side timeouts
    ASSERT_TRUE(api_->upsert("node-d", "192.168.50.14", "10.244.3.0/24").ok());
    ASSERT_TRUE(routes_become(
        {{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}, {"10.244.3.0/24", "192.168.50.14"}}));
    EXPECT_GE(api_->count_watches(), 3);
    EXPECT_EQ(api_->count_lists(), 2);
    EXPECT_EQ(seen_.count_logs("unreachable"), 0u) << "a server-side timeout is not an outage";
}

TEST_F(KubeSourceTest, ApiServerGoneKeepsRoutesAndLogsOnce) {
    start_node_a();
    ASSERT_TRUE(routes_become({{"10.244.0.0/24", "local"}, {"10.244.1.0/24", "192.168.50.12"}}));
    size_t published = seen_.lists().size();
    api_->kill();
    ASSERT_TRUE(seen_.wait_for_log("unreachable", 30s));
    std::this_thread::sleep_for(2s);  // retries meanwhile
    EXPECT_EQ(seen_.count_logs("unreachable"), 1u);
    EXPECT_EQ(seen_.lists().size(), published) << "an unreachable API server must publish nothing";
}

// Dual-stack Node objects: the agent's own IPv6 pod CIDR from its Node, the
// others' IPv6 claims in the lists (IPv6 first in spec.podCIDRs, as kind
// writes them).
TEST_F(KubeSourceTest, DualStackNodesCarryTheirIpv6CidrAndAddress) {
    ASSERT_TRUE(api_->upsert_dual("node-a", "192.168.50.11", "10.244.0.0/24", "fd00:50::11", "fd00:10:244::/64").ok());
    ASSERT_TRUE(
        api_->upsert_dual("node-b", "192.168.50.12", "10.244.1.0/24", "fd00:50::12", "fd00:10:244:1::/64").ok());
    source_ = make();  // the fixture's: stopped before the recorder goes
    ASSERT_TRUE(source_);
    auto &src = source_;
    NodeConfig cfg;
    cfg.node_name = "node-a";
    cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
    cfg.node_ip6 = *Ipv6::parse("fd00:50::11");
    cfg.cluster_cidr6 = *Cidr6::parse("fd00:10:244::/56");
    auto resolved = src->resolve_self(cfg);
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->pod_cidr.str(), "10.244.0.0/24");
    ASSERT_TRUE(resolved->pod_cidr6);
    EXPECT_EQ(resolved->pod_cidr6->str(), "fd00:10:244::/64");

    cfg.cluster_cidr6 = *Cidr6::parse("fd00:99::/56");
    auto outside = src->resolve_self(cfg);
    ASSERT_FALSE(outside.ok());
    EXPECT_NE(outside.error().message.find("outside clusterCIDRv6"), std::string::npos) << outside.error().message;

    auto st = src->start(
        *resolved, [this](std::vector<ClusterNode> l) { seen_(std::move(l)); },
        [this](const std::string &line) { seen_.log(line); });
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_TRUE(seen_.wait_for([](const auto &l) {
        return std::any_of(l.begin(), l.end(), [](const ClusterNode &n) {
            return n.name == "node-b" && n.pod_cidr6 && n.pod_cidr6->str() == "fd00:10:244:1::/64" && n.node_ip6 &&
                   n.node_ip6->str() == "fd00:50::12";
        });
    })) << "node-b's IPv6 claim reaches the node list";
}

TEST_F(KubeSourceTest, ResolveSelfWaitsForTheControllerManagersAllocation) {
    auto src = make();
    ASSERT_TRUE(src);
    std::thread allocate([this] {
        std::this_thread::sleep_for(1s);
        EXPECT_TRUE(api_->upsert("node-c", "192.168.50.13", "10.244.2.0/24").ok());
    });
    NodeConfig cfg;
    cfg.node_name = "node-c";
    cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
    auto resolved = src->resolve_self(cfg);
    allocate.join();
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->pod_cidr.str(), "10.244.2.0/24");

    cfg.node_name = "node-b";
    cfg.pod_cidr = *Cidr::parse("10.244.9.0/24");  // disagrees with the Node object
    auto clash = src->resolve_self(cfg);
    ASSERT_FALSE(clash.ok());
    EXPECT_NE(clash.error().message.find("10.244.1.0/24"), std::string::npos) << clash.error().message;
}

TEST_F(KubeSourceTest, WrongTokenFailsFastWithTheStatus) {
    auto src = make("wrong");
    ASSERT_TRUE(src);
    NodeConfig cfg;
    cfg.node_name = "node-a";
    auto t0 = std::chrono::steady_clock::now();
    auto resolved = src->resolve_self(cfg);
    ASSERT_FALSE(resolved.ok());
    EXPECT_NE(resolved.error().message.find("401"), std::string::npos) << resolved.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST(KubeTls, ServerCertificateCheckedAgainstTheKubeconfigCa) {
    std::string why = FakeKubeApi::skip_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    std::string dir = podlane::test::make_temp_dir("kube-tls");
    ASSERT_FALSE(dir.empty());
    podlane::ScopeExit remove_dir([&dir] { std::filesystem::remove_all(dir); });
    auto certs = podlane::test::make_test_certificates(dir);
    if (!certs) GTEST_SKIP() << certs.error().message;
    auto api = FakeKubeApi::launch("s3cret", certs->server_cert, certs->server_key);
    ASSERT_TRUE(api.ok()) << api.error().message;
    ASSERT_TRUE((*api)->upsert("node-a", "192.168.50.11", "10.244.0.0/24").ok());
    auto ca = podlane::read_file(certs->ca);
    ASSERT_TRUE(ca.ok());

    Options o;
    o.kind = datastore::Kind::Kubernetes;
    o.startup_timeout_s = 3;
    o.kubeconfig = (*api)->write_kubeconfig("s3cret", *ca);  // certificate-authority-data
    auto src = KubeSource::create(o);
    ASSERT_TRUE(src.ok()) << src.error().message;
    NodeConfig cfg;
    cfg.node_name = "node-a";
    auto resolved = (*src)->resolve_self(cfg);
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved->pod_cidr.str(), "10.244.0.0/24");

    // Without the CA the server is not trusted: an error, not a route.
    o.kubeconfig = (*api)->write_kubeconfig("s3cret");
    auto untrusting = KubeSource::create(o);
    ASSERT_TRUE(untrusting.ok());
    auto refused = (*untrusting)->resolve_self(cfg);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("https://127.0.0.1"), std::string::npos) << refused.error().message;
}

}  // namespace
