// pl-bench-monitor-cost: what `podlanectl monitor` costs the fast path per
// packet (BPF_PROG_TEST_RUN, kernel-measured), side by side in one run:
// monitor off (the default), on for other verdicts, on and sampled with a
// reader, on for every packet with a rate limit, and on for every packet
// with no limit and a reader draining the ring buffer. Not a test: it
// prints a table of medians and ratios to "off".
//
//   pl-bench-monitor-cost [--packets N] [--rounds R]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bpf_node.h"
#include "packet.h"

using namespace podlane;
using namespace podlane::test;

namespace {

constexpr uint32_t kRepeat = 250;  // forwards rewrite the TTL: < 255 per call

uint64_t mono_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

struct Setting {
    const char *name;
    uint32_t types;  // 0: off
    uint32_t sample_every;
    uint32_t max_per_sec;
    bool reader;
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char **argv) {
    long packets = 500'000;
    int rounds = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i];
        if (k == "--packets")
            packets = std::atol(argv[i + 1]);
        else if (k == "--rounds")
            rounds = std::atoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: pl-bench-monitor-cost [--packets N] [--rounds R]\n");
            return 2;
        }
    }
    std::unique_ptr<BpfTestNode> node;
    if (auto why = BpfTestNode::create(node, "bench-monitor", {.netfilter = NetfilterMode::Bypass}); !why.empty()) {
        std::fprintf(stderr, "pl-bench-monitor-cost: cannot build the test node: %s\n", why.c_str());
        return 77;
    }
    node->seed_standard_node();
    auto control = PinnedMap::open(node->pin_dir(), PODLANE_MAP_MONITOR);
    auto events = PinnedMap::open(node->pin_dir(), PODLANE_MAP_EVENTS);
    if (!control || !events) {
        std::fprintf(stderr, "pl-bench-monitor-cost: the monitor maps are not pinned\n");
        return 1;
    }
    // The packet of path (2): a pod's packet to another node's pod.
    const auto frame = PacketBuilder{}.dst("10.244.2.20").tcp(40000, 8080, 0x10).ttl(255).payload_size(64).build();
    const int fd = node->datapath().from_pod_fd();

    const Setting settings[] = {
        {"off (default)", 0, 1, 0, false},
        {"on, drops only (this packet: not selected)", PODLANE_MONITOR_DROP, 1, 0, false},
        {"on, all verdicts, 1 in 100, 1000/s, reader", 0x7, 100, 1000, true},
        {"on, all verdicts, every packet, 1000/s, reader", 0x7, 1, 1000, true},
        {"on, all verdicts, every packet, no limit, reader", 0x7, 1, 0, true},
    };
    std::vector<std::vector<double>> ns(std::size(settings));
    std::vector<long> seen(std::size(settings));
    for (int r = 0; r < rounds; r++) {
        for (size_t s = 0; s < std::size(settings); s++) {
            const Setting &set = settings[s];
            podlane_monitor_config m{};
            m.types = set.types;
            m.until_ns = set.types ? mono_ns() + 600'000'000'000ull : 0;
            m.sample_every = set.sample_every;
            m.max_per_sec = set.max_per_sec;
            const uint32_t zero = 0;
            bpf_map_update_elem(control->fd(), &zero, &m, BPF_ANY);
            std::atomic<bool> stop{false};
            std::atomic<long> got{0};
            std::thread reader;
            if (set.reader)
                reader = std::thread([&] {
                    auto cb = [](void *ctx, void *, size_t) {
                        ++*static_cast<std::atomic<long> *>(ctx);
                        return 0;
                    };
                    ring_buffer *rb = ring_buffer__new(events->fd(), cb, &got, nullptr);
                    while (rb && !stop) ring_buffer__poll(rb, 50);
                    if (rb) ring_buffer__consume(rb), ring_buffer__free(rb);
                });
            double total = 0;
            long calls = std::max(1L, packets / kRepeat);
            for (long i = 0; i < calls; i++) total += node->run(fd, frame, kRepeat).duration_ns;
            stop = true;
            if (reader.joinable()) reader.join();
            ns[s].push_back(total / static_cast<double>(calls));
            seen[s] += got;
        }
    }
    podlane_monitor_config off{};
    const uint32_t zero = 0;
    bpf_map_update_elem(control->fd(), &zero, &off, BPF_ANY);

    const double base = median(ns[0]);
    std::printf("| monitor | ns/packet (median, min–max) | vs off | events read |\n|---|---|---|---|\n");
    for (size_t s = 0; s < std::size(settings); s++) {
        auto [lo, hi] = std::minmax_element(ns[s].begin(), ns[s].end());
        std::printf("| %s | %.1f (%.1f–%.1f) | %.3f× | %ld |\n", settings[s].name, median(ns[s]), *lo, *hi,
                    base > 0 ? median(ns[s]) / base : 0, seen[s]);
    }
    std::printf(
        "\nfrom_pod (tc, bypass build), remote hit (forwarded-remote), %ld packets per setting per round, %d "
        "interleaved rounds; kernel-measured BPF_PROG_TEST_RUN time per packet.\n",
        packets, rounds);
    return 0;
}
