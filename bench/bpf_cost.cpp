// pl-bench-bpf-cost: what each node program costs per packet, measured by the
// kernel (BPF_PROG_TEST_RUN), for a remote hit, a local hit and a pass, in the
// netfilter-compatible build (conntrack lookup per packet, over flows that
// conntrack holds as established) and the --netfilter bypass build, with
// 3, 500 and 5,000 routes and 10,000 endpoints in the maps; plus the rate at
// which the routes map takes updates. Not a test: it prints a table.
//
//   pl-bench-bpf-cost [--packets N] [--rounds R] [--json FILE]
//
// BPF_PROG_TEST_RUN with repeat > 1 hands the program the packet it already
// rewrote, so a forwarding case loses one TTL per repetition: every frame is
// built with TTL 255 and each call repeats at most 250 times; N packets are
// many such calls, and the per-packet figure is their kernel-measured mean.
// Rounds interleave the map sizes (3, 500, 5000, 3, 500, ...) so that drift
// of a noisy machine lands on all of them; the table shows the median round.
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "bpf_node.h"
#include "packet.h"
#include "podlane/reasons.h"

using namespace podlane;
using namespace podlane::test;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kRepeat = 250;  // < 255: the TTL never reaches the expiry path

struct Case {
    BpfTestNode *node;
    std::string program, name;
    int prog_fd;
    std::vector<uint8_t> frame;
    bool rewrites = false;  // forwards: decrements TTL, so at most kRepeat per call
    bool xdp = false;
};

struct Sample {
    std::string program, name, reason;
    int routes;
    int retval;
    long packets = 0;                  // over all rounds
    std::vector<double> ns_per_round;  // one mean per round
};

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A program that returns at once: what the test-run harness itself costs.
int load_empty(bpf_prog_type type) {
    struct bpf_insn insns[] = {
        {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, type == BPF_PROG_TYPE_XDP ? 2 /*XDP_PASS*/ : 0},
        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
    };
    return bpf_prog_load(type, "pl_empty", "GPL", insns, 2, nullptr);
}

// Mean ns/packet over `packets` packets. A case that leaves the packet alone
// runs in one call; one that rewrites it runs in calls of kRepeat.
double measure(const Case &c, long packets) {
    BpfTestNode &node = *c.node;
    if (!c.rewrites) return node.run(c.prog_fd, c.frame, static_cast<uint32_t>(packets)).duration_ns;
    long calls = std::max(1L, packets / kRepeat);
    double total = 0;
    for (long i = 0; i < calls; i++) total += node.run(c.prog_fd, c.frame, kRepeat).duration_ns;
    return total / static_cast<double>(calls);
}

// Routes beyond the standard three: /24s in 10.1.0.0 .. 10.30.255.0, never
// 10.244/16, all toward node 192.160.1.12 on the uplink.
void add_routes(BpfTestNode &node, int extra) {
    for (int i = 0; i < extra; i++) {
        Cidr c{Ipv4::from_host((10u << 24) | ((1u + i / 256) << 16) | ((i % 256) << 8)), 24};
        podlane_route_value v{Ipv4::parse("192.160.1.12")->be, static_cast<__u32>(node.uplink_ifindex()), 0,
                              PODLANE_FAMILY_IPV4};
        (void)node.maps().put_route(c, v);
    }
}

// Endpoints beyond the standard pod: 10.250.x.y.
void add_endpoints(BpfTestNode &node, int extra) {
    podlane_endpoint_value ep{};
    ep.host_ifindex = 43;
    for (int i = 0; i < extra; i++)
        (void)node.maps().put_endpoint(Ipv4::from_host((10u << 24) | (250u << 16) | (i + 1)), ep);
    // The local-hit cases' sender, on the veth every run arrives on: the
    // anti-spoofing check finds it as it finds a real pod.
    podlane_endpoint_value sender{};
    sender.host_ifindex = kStdPodHostIfindex;
    (void)node.maps().put_endpoint(*Ipv4::parse("10.244.1.11"), sender);
}

std::string reason_of(const Case &c, int &retval) {
    BpfTestNode &node = *c.node;
    auto before = node.stats();
    auto r = node.run(c.prog_fd, c.frame, 1);
    retval = r.retval;
    auto after = node.stats();
    for (size_t i = 0; i < after.size() && i < before.size(); i++)
        if (after[i].packets != before[i].packets) {
            auto *info = reason_info(static_cast<unsigned>(i));
            return info ? std::string(info->name) : "reason " + std::to_string(i);
        }
    return "(none counted)";
}

struct UpdateRate {
    double insert_per_s = 0, replace_per_s = 0, delete_per_s = 0;
};

UpdateRate route_update_rate(BpfTestNode &node, int n) {
    node.seed_standard_node();
    std::vector<Cidr> cidrs;
    for (int i = 0; i < n; i++)
        cidrs.push_back(Cidr{Ipv4::from_host((10u << 24) | ((1u + i / 256) << 16) | ((i % 256) << 8)), 24});
    podlane_route_value v{Ipv4::parse("192.160.1.12")->be, static_cast<__u32>(node.uplink_ifindex()), 0,
                          PODLANE_FAMILY_IPV4};
    auto rate = [&](auto &&fn) {
        auto t0 = Clock::now();
        for (auto &c : cidrs) fn(c);
        return n / std::chrono::duration<double>(Clock::now() - t0).count();
    };
    UpdateRate u;
    u.insert_per_s = rate([&](const Cidr &c) { (void)node.maps().put_route(c, v); });
    v.node_ip = Ipv4::parse("192.160.1.13")->be;
    u.replace_per_s = rate([&](const Cidr &c) { (void)node.maps().put_route(c, v); });
    u.delete_per_s = rate([&](const Cidr &c) { (void)node.maps().delete_route(c); });
    return u;
}

}  // namespace

int main(int argc, char **argv) {
    long packets = 1'000'000;
    // An XDP test run costs ~19 ms of set-up per call on this kernel (outside
    // the measured time), and a rewriting case gets 250 packets per call:
    // 70,000 per round keeps 5 rounds x 3 map sizes above 1e6 in ~80 s.
    long xdp_rewrite_packets = 70'000;
    int rounds = 5;
    std::string json_path;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--packets")
            packets = std::atol(argv[i + 1]);
        else if (k == "--rounds")
            rounds = std::atoi(argv[i + 1]);
        else if (k == "--json")
            json_path = argv[i + 1];
        else if (k == "--xdp-rewrite-packets")
            xdp_rewrite_packets = std::atol(argv[i + 1]);
        else {
            std::fprintf(
                stderr,
                "usage: pl-bench-bpf-cost [--packets N] [--rounds R] [--xdp-rewrite-packets N] [--json FILE]\n");
            return 2;
        }
    }
    std::unique_ptr<BpfTestNode> bypass, compat;
    for (auto [node, name, mode] : {std::tuple{&bypass, "bench-cost", NetfilterMode::Bypass},
                                    std::tuple{&compat, "bench-cost-compat", NetfilterMode::Compat}})
        if (auto why = BpfTestNode::create(*node, name, {.netfilter = mode}); !why.empty()) {
            std::fprintf(stderr, "pl-bench-bpf-cost: cannot build the test node: %s\n", why.c_str());
            return 77;
        }
    // The compat cases' flows, established in this namespace's conntrack (the
    // bench runs in the private namespace the test node made).
    for (const char *flow :
         {"-s 10.244.1.10 -d 10.244.2.20", "-s 10.244.1.11 -d 10.244.1.10", "-s 10.244.2.20 -d 10.244.1.10"}) {
        std::string cmd = std::string("conntrack -I -p tcp ") + flow +
                          " --sport 40000 --dport 8080 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 432000 "
                          ">/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            std::fprintf(stderr, "pl-bench-bpf-cost: `conntrack -I` failed (Debian package conntrack)\n");
            return 77;
        }
    }
    auto &dp = bypass->datapath();
    auto &ct = compat->datapath();
    auto frame = [](PacketBuilder b) { return b.ttl(255).payload_size(64).build(); };
    auto flow = [&](const char *src, const char *dst) {
        return frame(PacketBuilder{}.src(src).dst(dst).tcp(40000, 8080, kTcpAck));
    };
    BpfTestNode *b = bypass.get(), *c = compat.get();
    int empty_tc = load_empty(BPF_PROG_TYPE_SCHED_CLS), empty_xdp = load_empty(BPF_PROG_TYPE_XDP);
    std::vector<Case> cases = {
        {c, "from_pod (tc)", "remote hit, established", ct.from_pod_fd(), flow("10.244.1.10", "10.244.2.20"), true},
        {c, "from_pod (tc)", "local hit, established", ct.from_pod_fd(), flow("10.244.1.11", "10.244.1.10"), true},
        {c, "from_pod (tc)", "new flow (pass)", ct.from_pod_fd(), flow("10.244.1.10", "10.244.2.21")},
        {c, "uplink (tc)", "local hit, established", ct.uplink_tc_fd(), flow("10.244.2.20", "10.244.1.10"), true},
        {c, "uplink (xdp)", "local hit, established", ct.uplink_xdp_fd(), flow("10.244.2.20", "10.244.1.10"), true,
         true},
        {b, "from_pod (tc, bypass)", "remote hit", dp.from_pod_fd(), frame(PacketBuilder{}.dst("10.244.2.20")), true},
        {b, "from_pod (tc, bypass)", "local hit", dp.from_pod_fd(),
         frame(PacketBuilder{}.src("10.244.1.11").dst("10.244.1.10")), true},
        {b, "from_pod (tc, bypass)", "pass (outside)", dp.from_pod_fd(), frame(PacketBuilder{}.dst("198.51.100.7"))},
        {b, "uplink (tc, bypass)", "local hit", dp.uplink_tc_fd(),
         frame(PacketBuilder{}.src("10.244.2.20").dst("10.244.1.10")), true},
        {b, "uplink (tc, bypass)", "pass (to node)", dp.uplink_tc_fd(),
         frame(PacketBuilder{}.src("192.160.1.12").dst("192.160.1.11"))},
        {b, "uplink (xdp, bypass)", "local hit", dp.uplink_xdp_fd(),
         frame(PacketBuilder{}.src("10.244.2.20").dst("10.244.1.10")), true, true},
        {b, "uplink (xdp, bypass)", "pass (to node)", dp.uplink_xdp_fd(),
         frame(PacketBuilder{}.src("192.160.1.12").dst("192.160.1.11")), false, true},
    };
    if (empty_tc >= 0) cases.push_back({b, "empty tc program", "harness floor", empty_tc, frame(PacketBuilder{})});
    if (empty_xdp >= 0)
        cases.push_back({b, "empty xdp program", "harness floor", empty_xdp, frame(PacketBuilder{}), false, true});
    auto budget = [&](const Case &c) { return c.xdp && c.rewrites ? xdp_rewrite_packets : packets; };

    const int sizes[] = {3, 500, 5000};
    std::map<std::pair<int, size_t>, Sample> samples;
    for (int r = 0; r < rounds; r++) {
        for (int routes : sizes) {
            for (BpfTestNode *node : {b, c}) {
                node->seed_standard_node();
                add_routes(*node, routes - 3);
                add_endpoints(*node, 9999);
            }
            for (size_t ci = 0; ci < cases.size(); ci++) {
                auto &s = samples[{routes, ci}];
                if (r == 0) {
                    s.program = cases[ci].program;
                    s.name = cases[ci].name;
                    s.routes = routes;
                    s.reason = reason_of(cases[ci], s.retval);
                }
                s.ns_per_round.push_back(measure(cases[ci], budget(cases[ci])));
                s.packets += budget(cases[ci]);
            }
        }
    }
    auto rate = route_update_rate(*bypass, 5000);

    // --- table
    std::printf("| program | case | verdict (reason) | 3 routes | 500 routes | 5,000 routes | 5,000 vs 3 |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (size_t ci = 0; ci < cases.size(); ci++) {
        auto &s3 = samples[{3, ci}];
        std::printf("| %s | %s | %s | ", s3.program.c_str(), s3.name.c_str(), s3.reason.c_str());
        for (int routes : sizes) {
            auto &s = samples[{routes, ci}];
            auto [lo, hi] = std::minmax_element(s.ns_per_round.begin(), s.ns_per_round.end());
            std::printf("%.1f ns (%.1f–%.1f) | ", median(s.ns_per_round), *lo, *hi);
        }
        double m3 = median(s3.ns_per_round), m5k = median(samples[{5000, ci}].ns_per_round);
        std::printf("%+.1f %% |\n", m3 > 0 ? (m5k / m3 - 1) * 100 : 0);
    }
    std::printf(
        "\nEach cell: median of %d rounds (min–max) of %ld packets per round (XDP local hit: %ld, since "
        "each XDP test-run call costs ~19 ms and a rewriting case gets 250 packets per call); "
        "10,000 endpoints in the map; kernel-measured BPF_PROG_TEST_RUN time per packet.\n",
        rounds, packets, xdp_rewrite_packets);
    std::printf("Routes map updates through libpodlane (5,000 /24s): insert %.0f/s, replace %.0f/s, delete %.0f/s\n",
                rate.insert_per_s, rate.replace_per_s, rate.delete_per_s);

    if (!json_path.empty()) {
        nlohmann::json j;
        j["packets_per_round"] = packets;
        j["rounds"] = rounds;
        j["endpoints"] = 10000;
        for (auto &[key, s] : samples)
            j["cases"].push_back({{"program", s.program},
                                  {"case", s.name},
                                  {"routes", s.routes},
                                  {"reason", s.reason},
                                  {"retval", s.retval},
                                  {"packets", s.packets},
                                  {"ns_per_packet", s.ns_per_round},
                                  {"median_ns", median(s.ns_per_round)}});
        j["route_updates_per_s"] = {{"insert", rate.insert_per_s},
                                    {"replace", rate.replace_per_s},
                                    {"delete", rate.delete_per_s},
                                    {"entries", 5000}};
        std::ofstream(json_path) << j.dump(1) << "\n";
    }
    return 0;
}
