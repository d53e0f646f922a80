// The etcd source against a real etcd: concurrent CIDR claims, membership,
// leaving, lease expiry, etcd restarts and compaction.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "child_process.h"
#include "datastore/etcd_client.h"
#include "datastore/etcd_source.h"
#include "etcd_process.h"
#include "fake_kube_api.h"
#include "node_list_recorder.h"
#include "podlane/scope_exit.h"
#include "route_table.h"

using namespace podlane;
using namespace podlane::datastore;
using podlane::test::EtcdProcess;
using podlane::test::FakeKubeApi;
using podlane::test::has_node;
using podlane::test::NodeListRecorder;
using namespace std::chrono_literals;

namespace {

class EtcdSourceTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why = EtcdProcess::skip_reason();
        if (!why.empty()) GTEST_SKIP() << why;
        auto etcd = EtcdProcess::launch();
        ASSERT_TRUE(etcd.ok()) << etcd.error().message;
        etcd_ = std::move(*etcd);
    }

    Options options(int ttl = 10) const {
        Options o;
        o.kind = datastore::Kind::Etcd;
        o.etcd_endpoints = {etcd_->endpoint()};
        o.etcd_prefix = "/podlane-test/";
        o.etcd_lease_ttl_s = ttl;
        o.startup_timeout_s = 30;
        return o;
    }

    static NodeConfig node(const std::string &name, const std::string &ip) {
        NodeConfig cfg;
        cfg.node_name = name;
        cfg.node_ip = *Ipv4::parse(ip);
        cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
        return cfg;
    }

    struct Member {
        NodeListRecorder seen;  // first: outlives the source's thread, which calls into it
        NodeConfig cfg;
        std::unique_ptr<EtcdSource> source;
    };

    // resolve_self + start, like podlaned does.
    std::unique_ptr<Member> join(const std::string &name, const std::string &ip, int ttl = 10) {
        auto m = std::make_unique<Member>();
        auto src = EtcdSource::create(options(ttl));
        EXPECT_TRUE(src.ok()) << src.error().message;
        if (!src) return nullptr;
        m->source = std::move(*src);
        auto cfg = m->source->resolve_self(node(name, ip));
        EXPECT_TRUE(cfg.ok()) << cfg.error().message;
        if (!cfg) return nullptr;
        m->cfg = *cfg;
        Member *raw = m.get();
        auto st = m->source->start(
            m->cfg, [raw](std::vector<ClusterNode> l) { raw->seen(std::move(l)); },
            [raw](const std::string &line) { raw->seen.log(line); });
        EXPECT_TRUE(st.ok()) << st.error().message;
        return m;
    }

    static bool has_all(const std::vector<ClusterNode> &nodes, std::initializer_list<const char *> names) {
        for (auto n : names)
            if (!has_node(nodes, n)) return false;
        return true;
    }

    std::unique_ptr<EtcdProcess> etcd_;
};

TEST_F(EtcdSourceTest, ThreeNodesStartingTogetherClaimDistinctCidrsAndSeeEachOther) {
    // The three claims race on purpose: the transaction must separate them.
    std::vector<std::future<std::unique_ptr<Member>>> starting;
    const char *names[] = {"node-a", "node-b", "node-c"};
    const char *ips[] = {"192.168.50.11", "192.168.50.12", "192.168.50.13"};
    for (int i = 0; i < 3; ++i)
        starting.push_back(std::async(std::launch::async, [this, &names, &ips, i] { return join(names[i], ips[i]); }));
    std::vector<std::unique_ptr<Member>> members;
    for (auto &f : starting) members.push_back(f.get());
    for (auto &m : members) ASSERT_TRUE(m);

    std::set<std::string> cidrs;
    for (auto &m : members) {
        EXPECT_TRUE(m->cfg.cluster_cidr.contains(m->cfg.pod_cidr)) << m->cfg.pod_cidr.str();
        EXPECT_EQ(m->cfg.pod_cidr.length, 24);
        cidrs.insert(m->cfg.pod_cidr.str());
    }
    EXPECT_EQ(cidrs.size(), 3u) << "two nodes got the same pod CIDR";

    for (auto &m : members) {
        ASSERT_TRUE(m->seen.wait_for([](const auto &l) { return l.size() == 3; }))
            << m->cfg.node_name << " did not see all three nodes";
        // Each node sees each other's claimed CIDR via that node's IP.
        for (auto &other : members) {
            bool found = false;
            for (const auto &n : m->seen.latest())
                if (n.name == other->cfg.node_name) {
                    found = true;
                    EXPECT_EQ(n.pod_cidr, other->cfg.pod_cidr);
                    EXPECT_EQ(n.node_ip, other->cfg.node_ip);
                }
            EXPECT_TRUE(found);
        }
        // And the routes podlaned derives: own CIDR local, each other via its node.
        auto routes = podlane::test::routes_for(m->cfg, m->seen.latest());
        EXPECT_EQ(routes.size(), 3u);
        for (auto &other : members)
            EXPECT_EQ(routes[other->cfg.pod_cidr.str()], other.get() == m.get() ? "local" : other->cfg.node_ip.str())
                << m->cfg.node_name << "'s route to " << other->cfg.node_name;
    }
}

TEST_F(EtcdSourceTest, RestartedNodeKeepsItsCidrAndConfiguredCidrsAreChecked) {
    auto first = EtcdSource::create(options());
    ASSERT_TRUE(first.ok());
    auto a = (*first)->resolve_self(node("node-a", "192.168.50.11"));
    ASSERT_TRUE(a.ok()) << a.error().message;
    auto b = (*first)->resolve_self(node("node-b", "192.168.50.12"));
    ASSERT_TRUE(b.ok()) << b.error().message;
    EXPECT_NE(a->pod_cidr, b->pod_cidr);

    auto again = EtcdSource::create(options());
    ASSERT_TRUE(again.ok());
    auto a2 = (*again)->resolve_self(node("node-a", "192.168.50.11"));
    ASSERT_TRUE(a2.ok()) << a2.error().message;
    EXPECT_EQ(a2->pod_cidr, a->pod_cidr);

    // A configured CIDR that another node owns is refused, naming the owner.
    auto c = node("node-c", "192.168.50.13");
    c.pod_cidr = b->pod_cidr;
    auto clash = (*again)->resolve_self(c);
    ASSERT_FALSE(clash.ok());
    EXPECT_NE(clash.error().message.find("node-b"), std::string::npos) << clash.error().message;

    // A free configured CIDR is claimed as given, and then skipped by others.
    c.pod_cidr = *Cidr::parse("10.244.200.0/24");
    auto c_ok = (*again)->resolve_self(c);
    ASSERT_TRUE(c_ok.ok()) << c_ok.error().message;
    EXPECT_EQ(c_ok->pod_cidr.str(), "10.244.200.0/24");
    EtcdClient client({etcd_->endpoint()}, {});
    auto claims = client.range_prefix("/podlane-test/podcidrs/");
    ASSERT_TRUE(claims.ok());
    EXPECT_EQ(claims->kvs.size(), 3u);
}

// Dual-stack nodes claim an IPv6 /64 as they claim their IPv4 /24: distinct,
// kept across restarts, a configured one checked; others learn it.
TEST_F(EtcdSourceTest, DualStackNodesClaimIpv6BlocksToo) {
    auto dual = [](NodeConfig cfg, const char *ip6) {
        cfg.node_ip6 = *Ipv6::parse(ip6);
        cfg.cluster_cidr6 = *Cidr6::parse("fd00:10:244::/56");
        return cfg;
    };
    auto src = EtcdSource::create(options());
    ASSERT_TRUE(src.ok());
    auto a = (*src)->resolve_self(dual(node("node-a", "192.168.50.11"), "fd00:50::11"));
    ASSERT_TRUE(a.ok()) << a.error().message;
    auto b = (*src)->resolve_self(dual(node("node-b", "192.168.50.12"), "fd00:50::12"));
    ASSERT_TRUE(b.ok()) << b.error().message;
    ASSERT_TRUE(a->pod_cidr6 && b->pod_cidr6);
    EXPECT_EQ(a->pod_cidr6->length, 64);
    EXPECT_NE(*a->pod_cidr6, *b->pod_cidr6);
    EXPECT_FALSE((*src)->resolve_self(node("node-v4", "192.168.50.14"))->pod_cidr6) << "IPv4-only: no IPv6 claim";

    auto again = EtcdSource::create(options());
    ASSERT_TRUE(again.ok());
    auto a2 = (*again)->resolve_self(dual(node("node-a", "192.168.50.11"), "fd00:50::11"));
    ASSERT_TRUE(a2.ok()) << a2.error().message;
    EXPECT_EQ(*a2->pod_cidr6, *a->pod_cidr6) << "a restarted node keeps its IPv6 block";
    auto c = dual(node("node-c", "192.168.50.13"), "fd00:50::13");
    c.pod_cidr6 = b->pod_cidr6;
    auto clash = (*again)->resolve_self(c);
    ASSERT_FALSE(clash.ok());
    EXPECT_NE(clash.error().message.find("podCIDRv6"), std::string::npos) << clash.error().message;
    EXPECT_NE(clash.error().message.find("node-b"), std::string::npos) << clash.error().message;
    EtcdClient client({etcd_->endpoint()}, {});
    auto claims = client.range_prefix("/podlane-test/podcidrs6/");
    ASSERT_TRUE(claims.ok());
    EXPECT_EQ(claims->kvs.size(), 2u);

    // Started, a node's registration carries its IPv6 half to the others.
    Member m;
    m.cfg = *a2;
    m.source = std::move(*again);
    ASSERT_TRUE(m.source->start(
        m.cfg, [&m](std::vector<ClusterNode> l) { m.seen(std::move(l)); }, [](auto &&) {}));
    NodeListRecorder seen;  // before the watcher: its thread calls into it
    auto watcher = EtcdSource::create(options());
    ASSERT_TRUE(watcher.ok());
    ASSERT_TRUE((*watcher)->watch([&seen](std::vector<ClusterNode> l) { seen(std::move(l)); }, [](auto &&) {}));
    EXPECT_TRUE(seen.wait_for([&](const auto &l) {
        return std::any_of(l.begin(), l.end(), [&](const ClusterNode &n) {
            return n.name == "node-a" && n.pod_cidr6 == a->pod_cidr6 && n.node_ip6 == a->node_ip6;
        });
    }));
    (*watcher)->stop();
    m.source->stop();
}

TEST_F(EtcdSourceTest, LeavingNodeDisappearsEverywhere) {
    auto a = join("node-a", "192.168.50.11");
    auto b = join("node-b", "192.168.50.12");
    auto c = join("node-c", "192.168.50.13");
    ASSERT_TRUE(a && b && c);
    for (auto *m : {a.get(), b.get(), c.get()})
        ASSERT_TRUE(m->seen.wait_for([](const auto &l) { return l.size() == 3; }));

    auto st = c->source->leave();
    ASSERT_TRUE(st.ok()) << st.error().message;
    for (auto *m : {a.get(), b.get()}) {
        ASSERT_TRUE(m->seen.wait_for([](const auto &l) { return l.size() == 2 && !has_node(l, "node-c"); }))
            << m->cfg.node_name << " still routes to node-c";
        auto routes = podlane::test::routes_for(m->cfg, m->seen.latest());
        EXPECT_EQ(routes.count(c->cfg.pod_cidr.str()), 0u) << m->cfg.node_name << " keeps node-c's route";
        EXPECT_EQ(routes.size(), 2u);
    }
}

TEST_F(EtcdSourceTest, NodeThatStopsRenewingExpiresEverywhere) {
    auto a = join("node-a", "192.168.50.11");
    auto b = join("node-b", "192.168.50.12", /*ttl=*/2);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->seen.wait_for([](const auto &l) { return has_node(l, "node-b"); }));
    // Renewal keeps it for longer than its TTL...
    std::this_thread::sleep_for(4s);
    EXPECT_TRUE(has_node(a->seen.latest(), "node-b"));
    // ...a crash (no renewal, no revoke) loses it after the TTL.
    b->source->stop();
    ASSERT_TRUE(a->seen.wait_for([](const auto &l) { return !has_node(l, "node-b"); }, 30s));
}

TEST_F(EtcdSourceTest, EtcdRestartLosesNothingAndLaterChangesArrive) {
    auto a = join("node-a", "192.168.50.11");
    auto b = join("node-b", "192.168.50.12");
    ASSERT_TRUE(a && b);
    for (auto *m : {a.get(), b.get()}) ASSERT_TRUE(m->seen.wait_for([](const auto &l) { return l.size() == 2; }));
    // The test's etcd speaks plain http: said once, at start.
    EXPECT_EQ(a->seen.count_logs("is plain http"), 1u);

    etcd_->stop(9);  // a crash, mid-watch
    // Both notice (the log says so once), and publish nothing shorter.
    ASSERT_TRUE(a->seen.wait_for_log("unreachable", 30s));
    std::this_thread::sleep_for(2s);  // several retries happen meanwhile
    EXPECT_EQ(a->seen.count_logs("unreachable"), 1u) << "an outage is logged once, not per retry";

    auto st = etcd_->start();
    ASSERT_TRUE(st.ok()) << st.error().message;

    auto c = join("node-c", "192.168.50.13");
    ASSERT_TRUE(c);
    for (auto *m : {a.get(), b.get(), c.get()})
        ASSERT_TRUE(m->seen.wait_for([](const auto &l) { return l.size() == 3; }))
            << m->cfg.node_name << " missed a change made after the restart";
    EXPECT_GE(a->seen.count_logs("reachable again"), 1u);

    // Once both were known, no published list ever lacked one of them.
    for (auto *m : {a.get(), b.get()}) {
        bool both_known = false;
        for (const auto &l : m->seen.lists()) {
            if (both_known) {
                EXPECT_TRUE(has_all(l, {"node-a", "node-b"})) << "a node was dropped during the outage";
            }
            both_known = both_known || has_all(l, {"node-a", "node-b"});
        }
    }
}

// The readiness gate with etcd (issue 18): the node's registration carries
// its readiness, rewritten on its lease whenever it changes; other nodes
// still read the value (they ignore the extra keys).
TEST_F(EtcdSourceTest, ReadinessIsPublishedWithTheRegistration) {
    auto a = join("node-a", "192.168.50.11");
    auto b = join("node-b", "192.168.50.12");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(b->seen.wait_for([](const auto &l) { return has_node(l, "node-a"); }));
    EtcdClient client({etcd_->endpoint()}, {});
    auto value_becomes = [&](bool ready, const std::string &reason) {
        for (int i = 0; i < 400; ++i) {
            auto keys = client.range_prefix("/podlane-test/nodes/node-a");
            if (keys && keys->kvs.size() == 1) {
                auto v = nlohmann::json::parse(keys->kvs[0].value, nullptr, false);
                if (v.is_object() && v.value("ready", !ready) == ready && v.value("readyReason", "") == reason &&
                    keys->kvs[0].lease != 0)
                    return true;
            }
            std::this_thread::sleep_for(25ms);
        }
        return false;
    };
    EXPECT_TRUE(value_becomes(false, "starting")) << "registered not ready until told otherwise";
    a->source->publish_readiness(true, "1 route to the other nodes in place");
    EXPECT_TRUE(value_becomes(true, "1 route to the other nodes in place"));
    a->source->publish_readiness(false, "1 wanted route(s) not in the routes map yet: 10.244.9.0/24");
    EXPECT_TRUE(value_becomes(false, "1 wanted route(s) not in the routes map yet: 10.244.9.0/24"));
    EXPECT_TRUE(has_node(b->seen.latest(), "node-a")) << "node-b still reads node-a's value";
}

TEST_F(EtcdSourceTest, DeletedOwnKeyIsPutBack) {
    auto a = join("node-a", "192.168.50.11");
    auto b = join("node-b", "192.168.50.12");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(b->seen.wait_for([](const auto &l) { return has_node(l, "node-a"); }));
    EtcdClient client({etcd_->endpoint()}, {});
    ASSERT_TRUE(client.remove(a->source->node_key("node-a")).ok());  // an operator's etcdctl del
    ASSERT_TRUE(a->seen.wait_for_log("registering again"));
    // Back in etcd, on its lease...
    std::vector<KeyValue> kvs;
    for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
        auto keys = client.range_prefix("/podlane-test/nodes/node-a");
        ASSERT_TRUE(keys.ok());
        if (!(kvs = keys->kvs).empty()) break;
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_EQ(kvs.size(), 1u);
    EXPECT_NE(kvs[0].lease, 0) << "put back with its lease";
    // ...and node-b ends with it in its list (it may have seen it vanish).
    ASSERT_TRUE(b->seen.wait_for([](const auto &l) { return has_node(l, "node-a"); }));
}

TEST(EtcdTls, ClientCertificatesAndCaAreUsed) {
    std::string why = EtcdProcess::skip_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    std::string dir = podlane::test::make_temp_dir("etcd-tls");
    ASSERT_FALSE(dir.empty());
    podlane::ScopeExit remove_dir([&dir] { std::filesystem::remove_all(dir); });
    auto certs = podlane::test::make_test_certificates(dir);
    if (!certs) GTEST_SKIP() << certs.error().message;
    auto etcd = EtcdProcess::launch(*certs);
    ASSERT_TRUE(etcd.ok()) << etcd.error().message;

    Options o;
    o.kind = datastore::Kind::Etcd;
    o.etcd_endpoints = {(*etcd)->endpoint()};
    o.etcd_ca = certs->ca;
    o.etcd_cert = certs->client_cert;
    o.etcd_key = certs->client_key;
    o.startup_timeout_s = 20;
    auto src = EtcdSource::create(o);
    ASSERT_TRUE(src.ok());
    NodeConfig cfg;
    cfg.node_name = "node-tls";
    cfg.node_ip = *Ipv4::parse("192.168.50.31");
    cfg.cluster_cidr = *Cidr::parse("10.244.0.0/16");
    auto resolved = (*src)->resolve_self(cfg);
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    NodeListRecorder seen;
    ASSERT_TRUE((*src)
                    ->start(
                        *resolved, [&](std::vector<ClusterNode> l) { seen(std::move(l)); }, [](const std::string &) {})
                    .ok());
    EtcdClient client({(*etcd)->endpoint()}, TlsOptions{.ca_file = certs->ca,
                                                        .cert_file = certs->client_cert,
                                                        .key_file = certs->client_key,
                                                        .ca_pem = {},
                                                        .cert_pem = {},
                                                        .key_pem = {},
                                                        .insecure_skip_verify = false});
    ASSERT_TRUE(
        client.put("/podlane/nodes/other", R"({"name":"other","nodeIP":"192.168.50.32","podCIDR":"10.244.77.0/24"})")
            .ok());
    EXPECT_TRUE(seen.wait_for([](const auto &l) { return has_node(l, "other"); }));
    (*src)->stop();

    // Without a client certificate etcd refuses, and the error says so.
    o.etcd_cert.clear();
    o.etcd_key.clear();
    o.startup_timeout_s = 2;
    auto anonymous = EtcdSource::create(o);
    ASSERT_TRUE(anonymous.ok());
    cfg.node_name = "node-anon";
    auto refused = (*anonymous)->resolve_self(cfg);
    EXPECT_FALSE(refused.ok());
}

TEST_F(EtcdSourceTest, CompactedWatchIsReportedSoTheSourceRelists) {
    EtcdClient client({etcd_->endpoint()}, {});
    ASSERT_TRUE(client.put("/p/nodes/x", "1").ok());
    ASSERT_TRUE(client.put("/p/nodes/x", "2").ok());
    auto r = client.range_prefix("/p/");
    ASSERT_TRUE(r.ok());
    HttpClient http;
    auto compact = http.send({.method = "POST",
                              .url = etcd_->endpoint() + "/v3/kv/compaction",
                              .body = R"({"revision":")" + std::to_string(r->revision) + R"(","physical":true})",
                              .headers = {},
                              .timeout_ms = 5000});
    ASSERT_TRUE(compact.ok() && compact->status == 200);

    StopFlag stop;
    auto end = client.watch_prefix(
        "/p/", 1, [] {}, [](const auto &, int64_t) {}, stop);
    ASSERT_TRUE(end.ok()) << end.error().message;
    EXPECT_TRUE(end->compacted);
    EXPECT_EQ(end->compact_revision, r->revision);
}

// The router role: it watches the nodes but is none, so it must leave no
// key of its own and claim no pod CIDR.
TEST_F(EtcdSourceTest, WatcherThatIsNoNodeSeesNodesComeAndGoAndRegistersNothing) {
    NodeListRecorder router;  // before the source: its thread calls into it until stopped
    auto src = EtcdSource::create(options());
    ASSERT_TRUE(src.ok());
    auto st = (*src)->watch([&router](std::vector<ClusterNode> l) { router(std::move(l)); },
                            [&router](const std::string &line) { router.log(line); });
    ASSERT_TRUE(st.ok()) << st.error().message;
    ASSERT_TRUE(router.wait_for([](const auto &l) { return l.empty(); })) << "an empty cluster is published as such";

    auto a = join("node-a", "192.168.50.11");
    auto b = join("node-b", "192.168.50.12");
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(router.wait_for([](const auto &l) { return l.size() == 2; }));
    for (auto *m : {a.get(), b.get()}) {
        bool found = false;
        for (const auto &n : router.latest())
            if (n.name == m->cfg.node_name) {
                found = true;
                EXPECT_EQ(n.pod_cidr, m->cfg.pod_cidr);
                EXPECT_EQ(n.node_ip, m->cfg.node_ip);
            }
        EXPECT_TRUE(found) << m->cfg.node_name;
    }
    EtcdClient client({etcd_->endpoint()}, {});
    auto nodes = client.range_prefix("/podlane-test/nodes/");
    auto claims = client.range_prefix("/podlane-test/podcidrs/");
    ASSERT_TRUE(nodes.ok() && claims.ok());
    EXPECT_EQ(nodes->kvs.size(), 2u) << "the watcher registered itself";
    EXPECT_EQ(claims->kvs.size(), 2u) << "the watcher claimed a pod CIDR";
    // The nodes never see the watcher either.
    ASSERT_TRUE(a->seen.wait_for([](const auto &l) { return l.size() == 2; }));

    ASSERT_TRUE(b->source->leave().ok());
    ASSERT_TRUE(router.wait_for([](const auto &l) { return l.size() == 1 && !has_node(l, "node-b"); }))
        << "the watcher still lists node-b after it left";
}

TEST_F(EtcdSourceTest, StopEndsAnIdleWatchPromptly) {
    auto a = join("node-a", "192.168.50.11");
    ASSERT_TRUE(a);
    ASSERT_TRUE(a->seen.wait_for([](const auto &l) { return l.size() == 1; }));
    auto t0 = std::chrono::steady_clock::now();
    a->source->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

}  // namespace

namespace {

std::string read_all(const std::string &path) {
    auto text = podlane::read_file(path);
    return text ? *text : std::string{};
}

TEST_F(EtcdSourceTest, ResolveNodeToolWritesTheClaimedCidrForTheCniPlugin) {
    std::string dir = podlane::test::make_temp_dir("resolve");
    ASSERT_FALSE(dir.empty());
    podlane::ScopeExit remove_dir([&dir] { std::filesystem::remove_all(dir); });
    std::string in = dir + "/node.json", out = dir + "/resolved.json";
    {
        std::ofstream f(in);
        f << R"({"nodeName": "node-x", "nodeIP": "192.168.50.21", "uplink": "eth0", "clusterCIDR": "10.244.0.0/16"})";
    }
    std::string tool = std::string(PODLANE_BUILD_DIR) + "/loader/datastore/podlane-resolve-node";
    std::string cmd = tool + " --config " + in + " --out " + out + " --datastore etcd --etcd-endpoints " +
                      etcd_->endpoint() + " --etcd-prefix /podlane-test/ > " + dir + "/log 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << read_all(dir + "/log");
    auto first = podlane::load_node_config(out);  // the CNI plugin's own rules: podCIDR required
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_TRUE(first->cluster_cidr.contains(first->pod_cidr));
    EXPECT_EQ(first->uplink, "eth0");

    ASSERT_EQ(std::system(cmd.c_str()), 0) << read_all(dir + "/log");  // again: same block
    auto second = podlane::load_node_config(out);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->pod_cidr, first->pod_cidr);

    // podlaned, resolving later with the file it was given, lands on the same block.
    auto src = EtcdSource::create(options());
    ASSERT_TRUE(src.ok());
    auto agent_view = (*src)->resolve_self(node("node-x", "192.168.50.21"));
    ASSERT_TRUE(agent_view.ok());
    EXPECT_EQ(agent_view->pod_cidr, first->pod_cidr);
}

}  // namespace

// A proxy (or anything else) in front of etcd that answers below 500
// without a gRPC error must not read as an empty store: that would remove
// every route. Each unexpected answer is an error; the source then keeps
// the last good list.
TEST(EtcdClientAnswers, UnexpectedAnswersAreErrorsNotEmptyLists) {
    std::string why = FakeKubeApi::skip_reason();
    if (!why.empty()) GTEST_SKIP() << why;
    auto proxy = FakeKubeApi::launch();
    ASSERT_TRUE(proxy.ok()) << proxy.error().message;
    EtcdClient client({(*proxy)->server()}, {});

    // Nothing configured: the fake answers 404 "{}".
    auto r = client.range_prefix("/podlane/nodes/");
    EXPECT_FALSE(r.ok()) << "404 {} read as " << (r ? r->kvs.size() : 0) << " keys";

    struct Case {
        int status;
        const char *body;
    };
    for (const Case &c : {Case{200, "{}"}, Case{200, "not json"}, Case{200, R"({"header":{}})"},
                          Case{200, R"({"header":{"revision":"5"},"kvs":{}})"},
                          Case{200, R"({"header":{"revision":"5"},"kvs":[{"key":"!!!"}]})"},
                          Case{403, "<html>forbidden</html>"}, Case{302, ""}}) {
        ASSERT_TRUE((*proxy)->control("answer", {{"path", "/v3/kv/range"}, {"status", c.status}, {"body", c.body}}));
        auto answer = client.range_prefix("/podlane/nodes/");
        EXPECT_FALSE(answer.ok()) << c.status << " " << c.body << " read as a list";
    }
    // A real answer with no keys is an empty list.
    ASSERT_TRUE((*proxy)->control(
        "answer", {{"path", "/v3/kv/range"}, {"status", 200}, {"body", R"({"header":{"revision":"7"}})"}}));
    auto empty = client.range_prefix("/podlane/nodes/");
    ASSERT_TRUE(empty.ok()) << empty.error().message;
    EXPECT_TRUE(empty->kvs.empty());
    EXPECT_EQ(empty->revision, 7);
}
