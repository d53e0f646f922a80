// Convergence of the etcd source: time from a change written to etcd (a node
// joining, a node leaving) to the agent's on_change callback holding it,
// which is where podlaned's reconcile of the routes map starts.
//
// Usage: bench_datastore_convergence [rounds]   (needs the etcd binary)
// Starts its own etcd on 127.0.0.1 with a temporary data dir.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "datastore/etcd_client.h"
#include "datastore/etcd_source.h"
#include "etcd_process.h"
#include "node_list_recorder.h"

using namespace podlane;
using namespace podlane::datastore;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void report(const char *what, std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))]; };
    std::printf("%-28s n=%zu  p50=%.2f ms  p95=%.2f ms  max=%.2f ms\n", what, v.size(), pct(0.5), pct(0.95), v.back());
}

}  // namespace

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? std::atoi(argv[1]) : 50;
    if (auto why = test::EtcdProcess::skip_reason(); !why.empty()) {
        std::fprintf(stderr, "skipped: %s\n", why.c_str());
        return 77;
    }
    auto etcd = test::EtcdProcess::launch();
    if (!etcd) {
        std::fprintf(stderr, "error: %s\n", etcd.error().message.c_str());
        return 1;
    }
    Options opt;
    opt.kind = "etcd";
    opt.etcd_endpoints = {(*etcd)->endpoint()};
    auto source = EtcdSource::create(opt);
    if (!source) {
        std::fprintf(stderr, "error: %s\n", source.error().message.c_str());
        return 1;
    }
    NodeConfig self;
    self.node_name = "observer";
    self.node_ip = *Ipv4::parse("192.168.60.1");
    self.cluster_cidr = *Cidr::parse("10.244.0.0/16");
    auto cfg = (*source)->resolve_self(self);
    if (!cfg) {
        std::fprintf(stderr, "error: %s\n", cfg.error().message.c_str());
        return 1;
    }
    test::NodeListRecorder seen;
    auto st = (*source)->start(*cfg, [&](std::vector<ClusterNode> l) { seen(std::move(l)); }, [](const std::string &) {});
    if (!st || !seen.wait_for([](const auto &l) { return l.size() == 1; })) {
        std::fprintf(stderr, "error: the source did not start\n");
        return 1;
    }

    EtcdClient client({(*etcd)->endpoint()}, {});
    std::vector<double> join, leave;
    for (int i = 0; i < rounds; ++i) {
        std::string name = "bench-" + std::to_string(i);
        std::string value = R"({"name":")" + name + R"(","nodeIP":"192.168.61.)" + std::to_string(i % 250 + 1) +
                            R"(","podCIDR":"10.244.)" + std::to_string(100 + i % 150) + R"(.0/24"})";
        auto t0 = Clock::now();
        if (!client.put(opt.etcd_prefix + "nodes/" + name, value)) return 1;
        if (!seen.wait_for([&](const auto &l) { return test::has_node(l, name); })) return 1;
        join.push_back(ms(Clock::now() - t0));

        t0 = Clock::now();
        if (!client.remove(opt.etcd_prefix + "nodes/" + name)) return 1;
        if (!seen.wait_for([&](const auto &l) { return !test::has_node(l, name); })) return 1;
        leave.push_back(ms(Clock::now() - t0));
    }
    std::printf("etcd source convergence (write to etcd -> on_change), etcd 127.0.0.1, %d rounds\n", rounds);
    report("node joins", join);
    report("node leaves", leave);
    (*source)->stop();
    return 0;
}
