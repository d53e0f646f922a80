// The live monitor's BPF side: off by default, the selected verdicts only,
// the 5-tuple and next hop as in the packet, sampling and the per-CPU rate
// limit, and a switch that turns itself off when its reader stops renewing.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/pkt_cls.h>
#include <sched.h>
#include <time.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "bpf_node.h"
#include "packet.h"

namespace podlane::test {
namespace {

uint64_t mono_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

class Monitor : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        skip_reason_ = BpfTestNode::create(node_, "monitor", {.netfilter = NetfilterMode::Bypass});
    }
    static void TearDownTestSuite() { node_.reset(); }
    void SetUp() override {
        if (!node_) GTEST_SKIP() << skip_reason_;
        node_->seed_standard_node();
        auto control = PinnedMap::open(node_->pin_dir(), PODLANE_MAP_MONITOR);
        ASSERT_TRUE(control) << control.error().message;
        control_ = control->fd();
        control_map_ = std::make_unique<PinnedMap>(std::move(*control));
        auto events = PinnedMap::open(node_->pin_dir(), PODLANE_MAP_EVENTS);
        ASSERT_TRUE(events) << events.error().message;
        events_map_ = std::make_unique<PinnedMap>(std::move(*events));
        rb_ = ring_buffer__new(events_map_->fd(), &Monitor::collect, this, nullptr);
        ASSERT_NE(rb_, nullptr);
        switch_on(0, 0);  // off, and drained below
        drain();
        // Every CPU's rate limiter from scratch: no test inherits another's.
        auto rate = PinnedMap::open(node_->pin_dir(), PODLANE_MAP_MONITOR_RATE);
        ASSERT_TRUE(rate) << rate.error().message;
        const int cpus = libbpf_num_possible_cpus();
        std::vector<podlane_monitor_rate> fresh(static_cast<size_t>(cpus));
        const uint32_t zero = 0;
        ASSERT_EQ(bpf_map_update_elem(rate->fd(), &zero, fresh.data(), BPF_ANY), 0);
    }
    void TearDown() override {
        if (rb_) ring_buffer__free(rb_);
    }

    // types 0: off.
    void switch_on(uint32_t types, uint32_t max_per_sec, uint32_t sample_every = 1, uint64_t until = 0) {
        podlane_monitor_config m{};
        m.until_ns = types ? (until ? until : mono_ns() + 10'000'000'000ull) : 0;
        m.types = types;
        m.sample_every = sample_every;
        m.max_per_sec = max_per_sec;
        const uint32_t zero = 0;
        ASSERT_EQ(bpf_map_update_elem(control_, &zero, &m, BPF_ANY), 0);
    }
    static int collect(void *ctx, void *data, size_t size) {
        auto *self = static_cast<Monitor *>(ctx);
        EXPECT_EQ(size, sizeof(podlane_event));
        podlane_event ev{};
        std::memcpy(&ev, data, std::min(size, sizeof ev));
        self->seen_.push_back(ev);
        return 0;
    }
    std::vector<podlane_event> drain() {
        seen_.clear();
        ring_buffer__consume(rb_);
        return seen_;
    }
    RunResult from_pod(const PacketBuilder &p) { return node_->run(node_->datapath().from_pod_fd(), p.build()); }

    static std::unique_ptr<BpfTestNode> node_;
    static std::string skip_reason_;
    int control_ = -1;
    std::unique_ptr<PinnedMap> control_map_, events_map_;
    ring_buffer *rb_ = nullptr;
    std::vector<podlane_event> seen_;
};
std::unique_ptr<BpfTestNode> Monitor::node_;
std::string Monitor::skip_reason_;

// A route to an interface that does not exist: drop-no-uplink.
PacketBuilder dropped() {
    return PacketBuilder{}.dst("10.244.4.9").tcp(40000, 8080, 0x10);
}

TEST_F(Monitor, OffByDefaultNothingIsReported) {
    podlane_route_value v{Ipv4::parse("192.160.1.14")->be, 999999, 0, PODLANE_FAMILY_IPV4};
    ASSERT_TRUE(node_->maps().put_route(*Cidr::parse("10.244.4.0/24"), v));
    EXPECT_EQ(from_pod(dropped()).retval, TC_ACT_SHOT);
    EXPECT_TRUE(drain().empty());
}

TEST_F(Monitor, ADropIsReportedWithItsTupleAndInterface) {
    podlane_route_value v{Ipv4::parse("192.160.1.14")->be, 999999, 0, PODLANE_FAMILY_IPV4};
    ASSERT_TRUE(node_->maps().put_route(*Cidr::parse("10.244.4.0/24"), v));
    switch_on(PODLANE_MONITOR_DROP, 0);
    const uint64_t before = mono_ns();
    EXPECT_EQ(from_pod(dropped()).retval, TC_ACT_SHOT);
    EXPECT_EQ(from_pod(PacketBuilder{}.dst("10.244.2.20")).retval, TC_ACT_REDIRECT) << "a forward: not selected";
    auto events = drain();
    ASSERT_EQ(events.size(), 1u);
    const auto &ev = events[0];
    EXPECT_EQ(ev.reason, PODLANE_DROP_NO_UPLINK);
    EXPECT_EQ(ev.protocol, 6);
    EXPECT_EQ(Ipv4{ev.saddr}.str(), "10.244.1.10");
    EXPECT_EQ(Ipv4{ev.daddr}.str(), "10.244.4.9");
    EXPECT_EQ(ntohs(ev.sport), 40000);
    EXPECT_EQ(ntohs(ev.dport), 8080);
    EXPECT_EQ(ev.next_hop, 0u);
    EXPECT_GT(ev.len, 0u);
    EXPECT_GE(ev.ts_ns, before);
}

TEST_F(Monitor, AForwardCarriesItsNextHop) {
    switch_on(PODLANE_MONITOR_FORWARD, 0);
    EXPECT_EQ(from_pod(PacketBuilder{}.dst("10.244.2.20").udp(5353, 53)).retval, TC_ACT_REDIRECT);
    auto events = drain();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].reason, PODLANE_FWD_REMOTE);
    EXPECT_EQ(Ipv4{events[0].next_hop}.str(), "192.160.1.12");
    EXPECT_EQ(ntohs(events[0].dport), 53);
}

TEST_F(Monitor, TheRateLimitCountsWhatItSuppressed) {
    switch_on(PODLANE_MONITOR_PASS, 2);
    // Pinned to one CPU: the budget is per CPU.
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(from_pod(PacketBuilder{}.dst("192.168.99.9")).retval, TC_ACT_OK);
    EXPECT_EQ(drain().size(), 2u) << "two per second";
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    EXPECT_EQ(from_pod(PacketBuilder{}.dst("192.168.99.9")).retval, TC_ACT_OK);
    auto events = drain();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].suppressed, 3u) << "the three over the limit are told with the next event";
}

TEST_F(Monitor, SamplingReportsAboutOneInN) {
    switch_on(PODLANE_MONITOR_PASS, 0, 4);
    for (int i = 0; i < 400; ++i) from_pod(PacketBuilder{}.dst("192.168.99.9"));
    auto n = drain().size();
    EXPECT_GT(n, 40u);
    EXPECT_LT(n, 200u);
}

TEST_F(Monitor, ASwitchNotRenewedTurnsItselfOff) {
    switch_on(PODLANE_MONITOR_PASS, 0, 1, mono_ns() - 1);  // its reader stopped renewing (killed)
    from_pod(PacketBuilder{}.dst("192.168.99.9"));
    EXPECT_TRUE(drain().empty());
    podlane_monitor_config m{};
    const uint32_t zero = 0;
    ASSERT_EQ(bpf_map_lookup_elem(control_, &zero, &m), 0);
    EXPECT_EQ(m.until_ns, 0u) << "the programs switch an expired monitor off: back to the one-compare path";
}

}  // namespace
}  // namespace podlane::test
