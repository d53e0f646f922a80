// The netfilter-compatible build of the node programs (the default): a pod
// flow takes the fast path only once the node's conntrack holds it as
// established and untranslated. Conntrack entries are made with the
// conntrack tool inside the test's private namespace, then the programs run
// over packets of those flows.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cstdio>
#include <memory>
#include <string>

#include "bpf_node.h"
#include "packet.h"

namespace podlane::test {
namespace {

// Runs a shell command in the test's namespace; returns its stdout.
std::string run_command(const std::string &cmd, int *status = nullptr) {
    std::string out;
    FILE *p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!p) return out;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    int rc = ::pclose(p);
    if (status) *status = rc;
    return out;
}

// One TCP or UDP conntrack entry in the test's namespace.
struct Entry {
    std::string proto = "tcp", src = "10.244.1.10", dst = "10.244.2.20";
    int sport = 40000, dport = 8080;
    std::string state = "ESTABLISHED";  // TCP only
    std::string status = "SEEN_REPLY,ASSURED";
    int timeout_s = 300;
    std::string dst_nat;  // reply source, when the flow is DNATed

    std::string insert_command() const {
        std::string cmd = "conntrack -I -p " + proto + " -s " + src + " -d " + dst + " --sport " +
                          std::to_string(sport) + " --dport " + std::to_string(dport) + " -t " +
                          std::to_string(timeout_s);
        if (proto == "tcp") cmd += " --state " + state;
        if (!status.empty()) cmd += " -u " + status;
        if (!dst_nat.empty()) cmd += " --dst-nat " + dst_nat;
        return cmd;
    }
};

class NetfilterCompat : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (run_command("command -v conntrack").empty()) {
            skip_reason_ = "the conntrack tool (Debian package conntrack) is not installed";
            return;
        }
        skip_reason_ = BpfTestNode::create(node_, "netfilter-compat");
    }
    static void TearDownTestSuite() { node_.reset(); }
    void SetUp() override {
        if (!node_) GTEST_SKIP() << skip_reason_;
        node_->seed_standard_node();
        node_->seed_standard_node6();
        flush();
    }
    void TearDown() override { flush(); }

    static void flush() { run_command("conntrack -F"); }
    static void add(const Entry &e) {
        int status = 0;
        run_command(e.insert_command(), &status);
        ASSERT_EQ(status, 0) << e.insert_command();
    }
    // Seconds left on the flow's entry, as conntrack -L prints them; -1 when gone.
    static int seconds_left(const Entry &e) {
        std::string out = run_command("conntrack -L -p " + e.proto + " -s " + e.src + " -d " + e.dst);
        unsigned proto_num = 0;
        int left = -1;
        char name[16];
        if (std::sscanf(out.c_str(), "%15s %u %d", name, &proto_num, &left) != 3) return -1;
        return left;
    }

    // Runs prog over frame; returns the verdict and checks exactly `reason` was counted.
    static int run_counted(int prog_fd, const std::vector<uint8_t> &frame, podlane_reason reason,
                           uint32_t ingress_ifindex = kStdPodHostIfindex) {
        auto before = node_->stats();
        auto r = node_->run(prog_fd, frame, 1, ingress_ifindex);
        auto after = node_->stats();
        EXPECT_EQ(after[reason].packets - before[reason].packets, 1u) << "expected reason " << reason;
        EXPECT_EQ(packets_counted(before, after), 1u) << "every verdict lands in exactly one reason";
        return r.retval;
    }

    int from_pod() { return node_->datapath().from_pod_fd(); }
    int uplink_tc() { return node_->datapath().uplink_tc_fd(); }
    int uplink_xdp() { return node_->datapath().uplink_xdp_fd(); }

    static std::unique_ptr<BpfTestNode> node_;
    static std::string skip_reason_;
};
std::unique_ptr<BpfTestNode> NetfilterCompat::node_;
std::string NetfilterCompat::skip_reason_;

PacketBuilder tcp_to_remote(uint8_t flags) {
    return PacketBuilder{}.src("10.244.1.10").dst("10.244.2.20").tcp(40000, 8080, flags);
}
PacketBuilder tcp_from_remote(uint8_t flags) {
    return PacketBuilder{}.src("10.244.2.20").dst("10.244.1.10").tcp(8080, 40000, flags);
}

TEST_F(NetfilterCompat, NewFlowGoesThroughTheStack) {
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(run_counted(from_pod(), PacketBuilder{}.udp(5353, 53).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_tc(), tcp_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_xdp(), tcp_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), XDP_PASS);
}

TEST_F(NetfilterCompat, EstablishedFlowTakesTheFastPathBothWays) {
    add(Entry{});
    auto out = tcp_to_remote(kTcpAck).build();
    EXPECT_EQ(run_counted(from_pod(), out, PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
    // The reply direction finds the same entry.
    EXPECT_EQ(run_counted(uplink_tc(), tcp_from_remote(kTcpAck).build(), PODLANE_FWD_LOCAL), TC_ACT_REDIRECT);
    EXPECT_EQ(run_counted(uplink_xdp(), tcp_from_remote(kTcpAck).build(), PODLANE_FWD_LOCAL), XDP_REDIRECT);
    // IP options move the TCP header: the ports are still found.
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpAck).ip_options({1, 1, 1, 0}).build(), PODLANE_FWD_REMOTE),
              TC_ACT_REDIRECT);
}

TEST_F(NetfilterCompat, SameNodeFlowIsCheckedToo) {
    Entry e;
    e.src = "10.244.1.11";
    e.dst = "10.244.1.10";
    // The sender, on its own veth: the source check wants it registered.
    constexpr uint32_t kSenderVeth = kStdPodHostIfindex + 1;
    podlane_endpoint_value sender{};
    sender.host_ifindex = kSenderVeth;
    ASSERT_TRUE(node_->maps().put_endpoint(*Ipv4::parse("10.244.1.11"), sender));
    auto pkt = PacketBuilder{}.src("10.244.1.11").dst("10.244.1.10").tcp(40000, 8080, kTcpAck).build();
    EXPECT_EQ(run_counted(from_pod(), pkt, PODLANE_PASS_FLOW_NEW, kSenderVeth), TC_ACT_OK)
        << "the bridge (br_netfilter) sees it first";
    add(e);
    EXPECT_EQ(run_counted(from_pod(), pkt, PODLANE_FWD_LOCAL, kSenderVeth), TC_ACT_REDIRECT);
}

TEST_F(NetfilterCompat, HandshakeIsTheStacksUntilAssured) {
    // SYN_RECV: the SYN-ACK has been seen, the last ACK of the handshake not yet.
    Entry e;
    e.state = "SYN_RECV";
    e.status = "SEEN_REPLY";
    add(e);
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
}

TEST_F(NetfilterCompat, SynAlwaysGoesThroughTheStack) {
    Entry stale;  // of an earlier connection on the same ports, kept ESTABLISHED by the fast path
    add(stale);
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpSyn).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(seconds_left(stale), -1) << "expired, so conntrack opens a new entry and netfilter sees a new connection";
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpSyn).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK)
        << "a SYN with no entry";
    Entry opening;  // a retransmitted SYN of a connection being opened is left alone
    opening.state = "SYN_SENT";
    opening.status = "";
    add(opening);
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpSyn).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_GT(seconds_left(opening), 200);
}

TEST_F(NetfilterCompat, UdpIsEstablishedOnceAReplyWasSeen) {
    Entry e;
    e.proto = "udp";
    e.dport = 53;
    e.status = "";
    auto pkt = PacketBuilder{}.udp(40000, 53).build();
    add(e);
    EXPECT_EQ(run_counted(from_pod(), pkt, PODLANE_PASS_FLOW_NEW), TC_ACT_OK) << "no reply seen yet";
    flush();
    e.status = "SEEN_REPLY";
    add(e);
    EXPECT_EQ(run_counted(from_pod(), pkt, PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
}

TEST_F(NetfilterCompat, TranslatedFlowGoesThroughTheStackBothWays) {
    // A pod on this node reached a Service whose backend is 10.244.2.20: the
    // reply arrives from the backend and must be un-DNATed by the kernel.
    Entry e;
    e.dst = "10.96.0.10";
    e.dst_nat = "10.244.2.20";
    add(e);
    EXPECT_EQ(run_counted(uplink_tc(), tcp_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_TRANSLATED), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_xdp(), tcp_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_TRANSLATED), XDP_PASS);
}

// A node (or an outside host) talking to a pod: the pod's replies go to a
// node address, through the stack, so the other direction must go there too
// (seen in the lab: otherwise the replies' ACKs cover data conntrack never
// saw, and kube-proxy's INVALID rule drops them).
TEST_F(NetfilterCompat, FlowsWithANodeStayInTheStackBothWays) {
    Entry e;
    e.src = "192.160.1.12";
    e.dst = "10.244.1.10";
    add(e);
    auto from_node = PacketBuilder{}.src("192.160.1.12").dst("10.244.1.10").tcp(40000, 8080, kTcpAck).build();
    EXPECT_EQ(run_counted(uplink_tc(), from_node, PODLANE_PASS_PEER_NOT_POD), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_xdp(), from_node, PODLANE_PASS_PEER_NOT_POD), XDP_PASS);
    auto spoofed_local = PacketBuilder{}.src("10.244.1.11").dst("10.244.1.10").tcp(40000, 8080, kTcpAck).build();
    EXPECT_EQ(run_counted(uplink_tc(), spoofed_local, PODLANE_DROP_LOCAL_SOURCE_ON_UPLINK), TC_ACT_SHOT)
        << "this node's own pods never arrive on the uplink: such a source is forged";
}

TEST_F(NetfilterCompat, WhatConntrackCannotBeAskedAboutGoesThroughTheStack) {
    add(Entry{});
    EXPECT_EQ(run_counted(from_pod(), PacketBuilder{}.protocol(1).build(), PODLANE_PASS_FLOW_UNTRACKED), TC_ACT_OK)
        << "ICMP";
    EXPECT_EQ(run_counted(from_pod(), PacketBuilder{}.protocol(132).build(), PODLANE_PASS_FLOW_UNTRACKED), TC_ACT_OK)
        << "SCTP";
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpAck).fragment(185, false).build(), PODLANE_PASS_FLOW_UNTRACKED),
              TC_ACT_OK)
        << "a later fragment has no ports";
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpAck).fragment(0, true).build(), PODLANE_PASS_FLOW_UNTRACKED),
              TC_ACT_OK)
        << "a first fragment: the kernel reassembles before conntrack";
    EXPECT_EQ(run_counted(from_pod(), PacketBuilder{}.protocol(6).payload_size(6).build(), PODLANE_PASS_FLOW_UNTRACKED),
              TC_ACT_OK)
        << "TCP header cut short";
}

TEST_F(NetfilterCompat, NodesOwnPacketsHaveBeenThroughNetfilterAlready) {
    // Host device egress: the node's own packets, and pods' packets the
    // kernel routed there after netfilter (they carry their receiving
    // interface).
    const int from_host = node_->datapath().from_host_fd();
    EXPECT_EQ(run_counted(from_host, tcp_to_remote(kTcpSyn).build(), PODLANE_FWD_REMOTE, 0), TC_ACT_REDIRECT);
    auto routed = tcp_to_remote(kTcpSyn).ttl(63).build();
    auto before = node_->stats();
    auto r = node_->run(from_host, routed, 1, kStdPodHostIfindex);
    EXPECT_EQ(r.retval, TC_ACT_REDIRECT);
    ASSERT_GT(r.out.size(), kTtlOffset);
    EXPECT_EQ(r.out[kTtlOffset], 63) << "the kernel was this packet's router hop: TTL already decremented";
    EXPECT_EQ(node_->stats()[PODLANE_FWD_REMOTE].packets - before[PODLANE_FWD_REMOTE].packets, 1u);
}

// The stack never sees a fast-path flow again, so the programs keep its
// entry's timeout as the stack would: short after FIN/RST, extended while
// packets flow.
TEST_F(NetfilterCompat, FinAndRstShortenTheEntry) {
    Entry e;
    e.timeout_s = 432000;
    add(e);
    ASSERT_GT(seconds_left(e), 3600);
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpFin | kTcpAck).build(), PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
    EXPECT_LE(seconds_left(e), 120);
    EXPECT_GT(seconds_left(e), 100);
    EXPECT_EQ(run_counted(uplink_tc(), tcp_from_remote(kTcpRst).build(), PODLANE_FWD_LOCAL), TC_ACT_REDIRECT);
    EXPECT_LE(seconds_left(e), 10);
}

TEST_F(NetfilterCompat, BusyFlowIsKeptTracked) {
    Entry e;
    e.proto = "udp";
    e.dport = 53;
    e.timeout_s = 1;
    add(e);
    EXPECT_EQ(run_counted(from_pod(), PacketBuilder{}.udp(40000, 53).build(), PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
    EXPECT_GT(seconds_left(e), 100) << "an entry about to expire is extended while packets flow";
    Entry far;
    far.timeout_s = 3000;
    add(far);
    EXPECT_EQ(run_counted(from_pod(), tcp_to_remote(kTcpAck).build(), PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
    EXPECT_GT(seconds_left(far), 2900) << "an entry with time left is not touched";
}

// --- IPv6: the same rules over 36-byte conntrack tuples

Entry entry6() {
    Entry e;
    e.src = "fd00:10:244:1::a";
    e.dst = "fd00:10:244:2::14";
    return e;
}
Packet6Builder tcp6_to_remote(uint8_t flags) {
    return Packet6Builder{}.src("fd00:10:244:1::a").dst("fd00:10:244:2::14").tcp(40000, 8080, flags);
}
Packet6Builder tcp6_from_remote(uint8_t flags) {
    return Packet6Builder{}.src("fd00:10:244:2::14").dst("fd00:10:244:1::a").tcp(8080, 40000, flags);
}

TEST_F(NetfilterCompat, Ipv6NewFlowGoesThroughTheStack) {
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_tc(), tcp6_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_xdp(), tcp6_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), XDP_PASS);
    add(Entry{});  // the same ports over IPv4 are another flow
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
}

TEST_F(NetfilterCompat, Ipv6EstablishedFlowTakesTheFastPathBothWays) {
    add(entry6());
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpAck).build(), PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
    EXPECT_EQ(run_counted(uplink_tc(), tcp6_from_remote(kTcpAck).build(), PODLANE_FWD_LOCAL), TC_ACT_REDIRECT);
    EXPECT_EQ(run_counted(uplink_xdp(), tcp6_from_remote(kTcpAck).build(), PODLANE_FWD_LOCAL), XDP_REDIRECT);
    // Extension headers move the TCP header: the ports are still found.
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpAck).ext(60).ext(43, 1).build(), PODLANE_FWD_REMOTE),
              TC_ACT_REDIRECT);
    Entry udp = entry6();
    udp.proto = "udp";
    udp.dport = 53;
    udp.status = "SEEN_REPLY";
    add(udp);
    EXPECT_EQ(run_counted(from_pod(), Packet6Builder{}.udp(40000, 53).build(), PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
}

TEST_F(NetfilterCompat, Ipv6TranslatedFlowGoesThroughTheStack) {
    // A pod reached an IPv6 Service whose backend is fd00:10:244:2::14.
    Entry e = entry6();
    e.dst = "fd00:10:96::a";
    e.dst_nat = "fd00:10:244:2::14";
    add(e);
    EXPECT_EQ(run_counted(uplink_tc(), tcp6_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_TRANSLATED), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_xdp(), tcp6_from_remote(kTcpAck).build(), PODLANE_PASS_FLOW_TRANSLATED), XDP_PASS);
}

TEST_F(NetfilterCompat, Ipv6HandshakeAndSynAreTheStacks) {
    Entry e = entry6();
    e.state = "SYN_RECV";
    e.status = "SEEN_REPLY";
    add(e);
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpAck).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    flush();
    Entry stale = entry6();
    add(stale);
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpSyn).build(), PODLANE_PASS_FLOW_NEW), TC_ACT_OK);
    EXPECT_EQ(seconds_left(stale), -1) << "the earlier connection's entry is expired";
}

TEST_F(NetfilterCompat, Ipv6WhatConntrackCannotBeAskedAboutGoesThroughTheStack) {
    add(entry6());
    EXPECT_EQ(run_counted(from_pod(), Packet6Builder{}.protocol(58).build(), PODLANE_PASS_FLOW_UNTRACKED), TC_ACT_OK)
        << "ICMPv6";
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpAck).fragment(0, true).build(), PODLANE_PASS_FLOW_UNTRACKED),
              TC_ACT_OK)
        << "a first fragment: the kernel reassembles before conntrack";
    EXPECT_EQ(
        run_counted(from_pod(), tcp6_to_remote(kTcpAck).fragment(185, false).build(), PODLANE_PASS_FLOW_UNTRACKED),
        TC_ACT_OK)
        << "a later fragment";
}

TEST_F(NetfilterCompat, Ipv6FlowsWithANodeStayInTheStack) {
    Entry e = entry6();
    e.src = "fd00:192:160:1::12";
    e.dst = "fd00:10:244:1::a";
    add(e);
    auto from_node = Packet6Builder{}.src("fd00:192:160:1::12").dst("fd00:10:244:1::a").tcp(40000, 8080, kTcpAck);
    EXPECT_EQ(run_counted(uplink_tc(), from_node.build(), PODLANE_PASS_PEER_NOT_POD), TC_ACT_OK);
    EXPECT_EQ(run_counted(uplink_xdp(), from_node.build(), PODLANE_PASS_PEER_NOT_POD), XDP_PASS);
}

TEST_F(NetfilterCompat, Ipv6FinShortensTheEntry) {
    Entry e = entry6();
    e.timeout_s = 432000;
    add(e);
    EXPECT_EQ(run_counted(from_pod(), tcp6_to_remote(kTcpFin | kTcpAck).build(), PODLANE_FWD_REMOTE), TC_ACT_REDIRECT);
    EXPECT_LE(seconds_left(e), 120);
}

}  // namespace
}  // namespace podlane::test
