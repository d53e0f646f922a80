// Convergence of the etcd source: time from a change written to etcd (a node
// joining, a node leaving) to the agent's on_change callback holding it,
// which is where podlaned's reconcile of the routes map starts.
//
// Usage:
//   bench_datastore_convergence [rounds]
//       in-process: starts its own etcd on 127.0.0.1 (temporary data dir) and
//       an etcd source; measures write -> on_change.
//   bench_datastore_convergence --etcd URL --pin-dir DIR [rounds]
//       against a running podlaned (--datastore etcd) whose maps are pinned in
//       DIR: measures write -> entry in its routes map (root; see
//       agent_convergence.sh, which sets this up in a private namespace).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "datastore/etcd_client.h"
#include "datastore/etcd_source.h"
#include "etcd_process.h"
#include "node_list_recorder.h"
#include "podlane/maps.h"

using namespace podlane;
using namespace podlane::datastore;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

void report(const char *what, std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))]; };
    std::printf("%-28s n=%zu  p50=%.2f ms  p95=%.2f ms  max=%.2f ms\n", what, v.size(), pct(0.5), pct(0.95), v.back());
}

std::string node_json(const std::string &name, int i) {
    return R"({"name":")" + name + R"(","nodeIP":"192.168.61.)" + std::to_string(i % 250 + 1) +
           R"(","podCIDR":"10.244.)" + std::to_string(100 + i % 150) + R"(.0/24"})";
}

Cidr bench_cidr(int i) {
    return *Cidr::parse("10.244." + std::to_string(100 + i % 150) + ".0/24");
}

// Polls the pinned routes map (every 100 us) until `want` says yes.
bool wait_map(const NodeMaps &maps, const std::function<bool(const std::vector<RouteEntry> &)> &want) {
    auto deadline = Clock::now() + std::chrono::seconds{10};
    while (Clock::now() < deadline) {
        auto routes = maps.routes();
        if (routes && want(*routes)) return true;
        std::this_thread::sleep_for(std::chrono::microseconds{100});
    }
    return false;
}

bool has_route(const std::vector<RouteEntry> &routes, const Cidr &cidr) {
    for (const auto &r : routes)
        if (r.cidr == cidr) return true;
    return false;
}

int agent_mode(const std::string &endpoint, const std::string &pin_dir, const std::string &prefix, int rounds) {
    auto maps = NodeMaps::open(pin_dir);
    if (!maps) {
        std::fprintf(stderr, "error: %s\n", maps.error().message.c_str());
        return 1;
    }
    EtcdClient client({endpoint}, {});
    std::vector<double> join, leave;
    for (int i = 0; i < rounds; ++i) {
        std::string name = "bench-" + std::to_string(i);
        Cidr cidr = bench_cidr(i);
        auto t0 = Clock::now();
        if (!client.put(prefix + "nodes/" + name, node_json(name, i))) return 1;
        if (!wait_map(*maps, [&](const auto &r) { return has_route(r, cidr); })) {
            std::fprintf(stderr, "error: %s never reached the routes map\n", cidr.str().c_str());
            return 1;
        }
        join.push_back(ms(Clock::now() - t0));
        t0 = Clock::now();
        if (!client.remove(prefix + "nodes/" + name)) return 1;
        if (!wait_map(*maps, [&](const auto &r) { return !has_route(r, cidr); })) {
            std::fprintf(stderr, "error: %s never left the routes map\n", cidr.str().c_str());
            return 1;
        }
        leave.push_back(ms(Clock::now() - t0));
    }
    std::printf("podlaned convergence (write to etcd -> routes map entry), %d rounds\n", rounds);
    report("node joins (entry added)", join);
    report("node leaves (entry removed)", leave);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    std::string etcd_url, pin_dir;
    int rounds = 50;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--etcd" && i + 1 < argc)
            etcd_url = argv[++i];
        else if (a == "--pin-dir" && i + 1 < argc)
            pin_dir = argv[++i];
        else
            rounds = std::atoi(argv[i]);
    }
    if (rounds <= 0) rounds = 50;
    if (!etcd_url.empty() && !pin_dir.empty()) return agent_mode(etcd_url, pin_dir, "/podlane/", rounds);
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
    opt.kind = Kind::Etcd;
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
    auto st = (*source)->start(
        *cfg, [&](std::vector<ClusterNode> l) { seen(std::move(l)); }, [](const std::string &) {});
    if (!st || !seen.wait_for([](const auto &l) { return l.size() == 1; })) {
        std::fprintf(stderr, "error: the source did not start\n");
        return 1;
    }

    EtcdClient client({(*etcd)->endpoint()}, {});
    std::vector<double> join, leave;
    for (int i = 0; i < rounds; ++i) {
        std::string name = "bench-" + std::to_string(i);
        std::string value = node_json(name, i);
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
