// Every node program over random and mutated frames (deterministic seed):
// each run ends in a valid verdict, counted under exactly one reason whose
// verdict class matches, and nothing that fails the kernel's ip_rcv checks
// (or the source checks) is ever forwarded.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "bpf_node.h"
#include "packet.h"
#include "podlane/reasons.h"

namespace podlane::test {
namespace {

constexpr uint32_t kSeed = 0x5eed16;
constexpr int kFrames = 20000;

enum class Prog { FromPod, FromHost, UplinkTc, UplinkXdp };
constexpr Prog kProgs[] = {Prog::FromPod, Prog::FromHost, Prog::UplinkTc, Prog::UplinkXdp};

const char *prog_name(Prog p) {
    switch (p) {
        case Prog::FromPod:
            return "from_pod";
        case Prog::FromHost:
            return "from_host";
        case Prog::UplinkTc:
            return "uplink_tc";
        case Prog::UplinkXdp:
            return "uplink_xdp";
    }
    return "?";
}

// Valid frames every program can forward, the seeds of the mutations.
std::vector<std::vector<uint8_t>> seed_frames() {
    return {
        PacketBuilder{}.dst("10.244.2.20").build(),
        PacketBuilder{}.dst("10.244.3.20").ip_options({1, 1, 1, 0}).build(),
        PacketBuilder{}.dst("10.244.2.20").tcp(40000, 80, kTcpAck).build(),
        PacketBuilder{}.src("10.244.2.20").dst("10.244.1.10").build(),
        PacketBuilder{}.src("10.244.2.20").dst("10.244.1.10").udp(53, 5353).build(),
        PacketBuilder{}.src("10.244.2.20").dst("10.244.1.10").ip_options({0x94, 4, 0, 0, 1, 1, 1, 0}).build(),
        PacketBuilder{}.src("10.244.1.11").dst("10.244.1.10").build(),
        Packet6Builder{}.build(),
        Packet6Builder{}.tcp(40000, 80, kTcpAck).ext(60).ext(43, 1).build(),
        Packet6Builder{}.src("fd00:10:244:2::14").dst("fd00:10:244:1::a").build(),
        Packet6Builder{}.src("fd00:10:244:2::14").dst("fd00:10:244:1::a").fragment(0, true).udp(53, 5353).build(),
        Packet6Builder{}.src("fd00:10:244:1::b").dst("fd00:10:244:1::a").ext(51, 2).build(),
    };
}

bool is_ipv6(const std::vector<uint8_t> &f) {
    return f.size() >= 14 && f[12] == 0x86 && f[13] == 0xDD;
}

uint16_t be16(const std::vector<uint8_t> &f, size_t at) {
    return static_cast<uint16_t>(f[at] << 8 | f[at + 1]);
}

// What ip6_rcv demands of an IPv6 packet before the kernel would route it.
bool passes_ip6_rcv(const std::vector<uint8_t> &f) {
    if (f.size() < kIpOffset + 40 || (f[kIpOffset] >> 4) != 6) return false;
    return be16(f, kIpOffset + 4) + 40u <= f.size() - kIpOffset;
}

// What ip_rcv demands of an IPv4 packet before the kernel would route it.
bool passes_ip_rcv(const std::vector<uint8_t> &f) {
    if (is_ipv6(f)) return passes_ip6_rcv(f);
    if (f.size() < kIpOffset + 20 || be16(f, 12) != 0x0800) return false;
    const size_t ihl = (f[kIpOffset] & 0x0F) * 4u;
    if ((f[kIpOffset] >> 4) != 4 || ihl < 20 || f.size() < kIpOffset + ihl) return false;
    const size_t tot_len = be16(f, kIpOffset + 2);
    if (tot_len < ihl || tot_len > f.size() - kIpOffset) return false;
    return ipv4_checksum_ok(f);
}

// The IPv6 source's bytes (the frame passed ip6_rcv's checks: it is there).
std::vector<uint8_t> source6_of(const std::vector<uint8_t> &f) {
    return {f.begin() + kIpOffset + 8, f.begin() + kIpOffset + 24};
}

void check_ipv6_forward(Prog p, const std::vector<uint8_t> &frame, int i) {
    const auto src = source6_of(frame);
    const auto own = Ipv6::parse("fd00:10:244:1::a")->bytes;
    const auto local = *Cidr6::parse("fd00:10:244:1::/64");
    Ipv6 s;
    std::copy(src.begin(), src.end(), s.bytes.begin());
    if (p == Prog::FromPod) {
        EXPECT_EQ(s.bytes, own) << "frame " << i << ": from_pod forwarded " << s.str();
    }
    if (p == Prog::UplinkTc || p == Prog::UplinkXdp) {
        EXPECT_FALSE(local.contains(s)) << "frame " << i << ": uplink forwarded a local source " << s.str();
        EXPECT_NE(s.bytes[0], 0xFF) << "frame " << i << ": uplink forwarded a multicast source";
        EXPECT_FALSE(Cidr6::parse("fe80::/10")->contains(s)) << "frame " << i << ": forwarded a link-local source";
        EXPECT_NE(s, *Ipv6::parse("::1")) << "frame " << i << ": uplink forwarded a loopback source";
    }
}

uint32_t source_of(const std::vector<uint8_t> &f) {
    return static_cast<uint32_t>(f[kIpOffset + 12]) << 24 | f[kIpOffset + 13] << 16 | f[kIpOffset + 14] << 8 |
           f[kIpOffset + 15];
}

bool verdict_matches(Prog p, int retval, Verdict v) {
    const bool xdp = p == Prog::UplinkXdp;
    switch (v) {
        case Verdict::Forward:
            return retval == (xdp ? XDP_REDIRECT : TC_ACT_REDIRECT);
        case Verdict::Pass:
            return retval == (xdp ? XDP_PASS : TC_ACT_OK);
        case Verdict::Drop:
            return retval == (xdp ? XDP_DROP : TC_ACT_SHOT);
    }
    return false;
}

class Fuzz : public ::testing::TestWithParam<NetfilterMode> {};

TEST_P(Fuzz, EveryFrameOneValidVerdictAndNoForwardOfBadPackets) {
    std::unique_ptr<BpfTestNode> node;
    const bool bypass = GetParam() == NetfilterMode::Bypass;
    std::string skip = BpfTestNode::create(node, bypass ? "fuzz-bypass" : "fuzz-compat", {.netfilter = GetParam()});
    if (!node) GTEST_SKIP() << skip;
    node->seed_standard_node();
    node->seed_standard_node6();
    podlane_endpoint_value second{};
    second.host_ifindex = kStdPodHostIfindex + 1;
    ASSERT_TRUE(node->maps().put_endpoint(*Ipv4::parse("10.244.1.11"), second));
    ASSERT_TRUE(node->maps().put_endpoint6(*Ipv6::parse("fd00:10:244:1::b"), second));

    auto fd = [&](Prog p) {
        switch (p) {
            case Prog::FromPod:
                return node->datapath().from_pod_fd();
            case Prog::FromHost:
                return node->datapath().from_host_fd();
            case Prog::UplinkTc:
                return node->datapath().uplink_tc_fd();
            case Prog::UplinkXdp:
                return node->datapath().uplink_xdp_fd();
        }
        return -1;
    };

    std::mt19937 rng(kSeed);
    const auto seeds = seed_frames();
    auto below = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    size_t truncate_seed = 0, truncate_at = 14, runs = 0, forwards = 0, failures = 0;

    for (int i = 0; i < kFrames && failures < 20; i++) {
        std::vector<uint8_t> frame;
        switch (i % 4) {
            case 0: {  // random bytes, mostly with an IPv4 or IPv6 ethertype and version nibble
                frame.resize(14 + below(120));
                for (auto &b : frame) b = static_cast<uint8_t>(rng());
                if (below(4) != 0 && frame.size() > 14) {
                    const bool v6 = below(2) == 0;
                    frame[12] = v6 ? 0x86 : 0x08, frame[13] = v6 ? 0xDD : 0x00;
                    frame[14] = static_cast<uint8_t>((v6 ? 0x60 : 0x40) | (frame[14] & 0x0F));
                }
                break;
            }
            case 1:
            case 2: {  // a valid frame with one to four bytes changed, mostly in the headers
                frame = seeds[below(seeds.size())];
                const size_t edits = 1 + below(4);
                for (size_t e = 0; e < edits; e++) {
                    size_t at = below(3) != 0 ? below(std::min<size_t>(frame.size(), 14 + 80)) : below(frame.size());
                    frame[at] =
                        below(2) ? static_cast<uint8_t>(rng()) : static_cast<uint8_t>(frame[at] ^ (1u << below(8)));
                }
                break;
            }
            case 3: {  // every seed cut at every length, in turn
                frame = seeds[truncate_seed];
                frame.resize(std::min(truncate_at, frame.size()));
                if (++truncate_at > seeds[truncate_seed].size()) {
                    truncate_at = 14;
                    truncate_seed = (truncate_seed + 1) % seeds.size();
                }
                break;
            }
        }

        for (Prog p : kProgs) {
            const uint32_t ingress = p == Prog::FromHost ? 0 : kStdPodHostIfindex;
            auto before = node->stats();
            auto r = node->run(fd(p), frame, 1, ingress);
            auto after = node->stats();
            const uint64_t counted = packets_counted(before, after);
            if (r.retval == -1000 - EINVAL) {
                // The kernel refuses some short frames before the program
                // runs (TC: shorter than an IPv4 header): nothing counted.
                EXPECT_EQ(counted, 0u) << prog_name(p) << " frame " << i;
                continue;
            }
            runs++;
            int reason = -1;
            for (size_t k = 0; k < after.size(); k++)
                if (after[k].packets != before[k].packets) reason = static_cast<int>(k);
            const ReasonInfo *info = reason >= 0 ? reason_info(reason) : nullptr;
            bool ok = counted == 1 && info && verdict_matches(p, r.retval, info->verdict);
            EXPECT_TRUE(ok) << prog_name(p) << " frame " << i << " (" << frame.size() << " bytes): verdict " << r.retval
                            << ", " << counted << " reasons counted, last " << (info ? info->name : "none");
            if (ok && info->verdict == Verdict::Forward) {
                forwards++;
                EXPECT_TRUE(passes_ip_rcv(frame)) << prog_name(p) << " frame " << i << " forwarded but fails ip_rcv";
                if (is_ipv6(frame)) {
                    if (passes_ip6_rcv(frame)) check_ipv6_forward(p, frame, i);
                    if (!ok) failures++;
                    continue;
                }
                const uint32_t src = source_of(frame);
                if (p == Prog::FromPod) {
                    const bool own = src == 0x0AF4010A || src == 0x0AF4010B;  // 10.244.1.10/.11
                    EXPECT_TRUE(own) << "frame " << i << ": from_pod forwarded a foreign source";
                    // .11 sits on another veth: only .10 may come in on 42.
                    EXPECT_EQ(src, 0x0AF4010Au) << "frame " << i << ": from_pod forwarded another veth's pod";
                }
                if (p == Prog::UplinkTc || p == Prog::UplinkXdp) {
                    EXPECT_NE(src >> 8, 0x0AF401u) << "frame " << i << ": uplink forwarded a local source";
                    EXPECT_NE(src >> 24, 127u) << "frame " << i << ": uplink forwarded a loopback source";
                    EXPECT_NE(src >> 24, 0u) << "frame " << i << ": uplink forwarded a 0/8 source";
                    EXPECT_NE(src >> 28, 0xEu) << "frame " << i << ": uplink forwarded a multicast source";
                }
            }
            if (!ok) failures++;
        }
    }
    EXPECT_GT(runs, static_cast<size_t>(kFrames)) << "most frames must reach the programs";
    if (bypass) {
        EXPECT_GT(forwards, 0u) << "the seeds and light mutations must exercise the forward paths";
    }
    std::cout << "fuzz " << (bypass ? "bypass" : "compat") << ": " << runs << " runs, " << forwards << " forwards\n";
}

INSTANTIATE_TEST_SUITE_P(Builds, Fuzz, ::testing::Values(NetfilterMode::Compat, NetfilterMode::Bypass),
                         [](const auto &info) { return info.param == NetfilterMode::Bypass ? "bypass" : "compat"; });

}  // namespace
}  // namespace podlane::test
