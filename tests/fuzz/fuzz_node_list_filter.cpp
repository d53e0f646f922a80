// libFuzzer: the node-list filter. Whatever list and policy, what it accepts
// is routable: pod CIDRs inside the cluster CIDR, of a sane length, clear of
// this node's and of each other; unicast next hops outside the cluster, not
// this agent's own; no more than max_nodes; every entry accepted or refused.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "podlane/node_list_filter.h"

using namespace podlane;

namespace {

uint32_t take32(const uint8_t *&p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    p += 4;
    return v;
}

Cidr make_cidr(uint32_t addr, uint8_t length) {
    Cidr c{Ipv4::from_host(addr), static_cast<uint8_t>(length % 33)};
    c.prefix = c.network();
    return c;
}

// fd00:10:244::/56's block `index` of length 56..120 (by `length`).
Cidr6 make_cidr6(uint8_t index, uint8_t length) {
    Cidr6 c{*Ipv6::parse("fd00:10:244::"), static_cast<uint8_t>(48 + length % 80)};
    c.prefix.bytes[7] = index;
    c.prefix = c.network();
    return c;
}

Ipv6 make_ip6(uint8_t kind, uint8_t low) {
    const char *texts[] = {"fd00:192:160:1::", "fd00:10:244:1::", "fe80::", "ff02::", "::", "::ffff:10.0.0.0"};
    Ipv6 ip = *Ipv6::parse(texts[kind % 6]);
    ip.bytes[15] = low;
    return ip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    constexpr size_t kHead = 4 + 1 + 4 + 1 + 4 + 1 + 1 + 3, kEntry = 4 + 4 + 1 + 1 + 4;
    if (size < kHead) return 0;
    const uint8_t *p = data;
    NodeListPolicy policy;
    // Mostly 10.0.0.0/8-ish clusters so that entries land inside them.
    const uint32_t cluster_addr = take32(p);
    policy.cluster_cidr = make_cidr(cluster_addr, *p++);
    const uint32_t self_addr = take32(p);
    const uint8_t self_len = *p++;
    if (self_len & 0x80) policy.self_cidr = make_cidr(self_addr, self_len);
    policy.self_ip = Ipv4::from_host(take32(p));
    policy.self_name = (*p++ & 1) ? "self" : "";
    policy.max_nodes = *p++ % 8;
    // Dual-stack agent: cluster fd00:10:244::/56 (or a wider or narrower one),
    // its own block and address.
    const uint8_t dual = *p++, self6 = *p++, self_ip6 = *p++;
    if (dual & 1) {
        policy.cluster_cidr6 = Cidr6{*Ipv6::parse("fd00:10:244::"), static_cast<uint8_t>(48 + (dual >> 1) % 17)};
        if (dual & 0x80) policy.self_cidr6 = make_cidr6(self6, 64);
        policy.self_ip6 = make_ip6(0, self_ip6);
    }
    std::vector<ClusterNode> nodes;
    while (p + kEntry <= data + size) {
        ClusterNode n;
        const uint32_t cidr_addr = take32(p);
        n.node_ip = Ipv4::from_host(take32(p));
        n.pod_cidr = make_cidr(cidr_addr, *p++);
        const uint8_t name = *p++;
        n.name = name == 0 ? "self" : "n" + std::to_string(name % 16);
        const uint8_t has6 = *p++, block = *p++, kind = *p++, low = *p++;
        if (has6 & 1) {
            n.pod_cidr6 = make_cidr6(block, has6 >> 1);
            n.node_ip6 = make_ip6(kind, low);
        }
        nodes.push_back(n);
    }
    auto f = filter_node_list(nodes, policy);
    if (f.accepted.size() + f.refused.size() != nodes.size()) std::abort();
    size_t routed = 0;
    for (size_t i = 0; i < f.accepted.size(); i++) {
        const auto &a = f.accepted[i];
        if (!policy.self_name.empty() && a.name == policy.self_name) continue;  // this node: never routed
        routed++;
        // IPv4 is routed when the agent has it (not IPv6-only) and the entry
        // claims it; an accepted entry has something routed.
        const bool routed4 = policy.self_ip.be != 0 && a.has_ipv4();
        const bool routed6 = policy.cluster_cidr6 && a.pod_cidr6;
        if (!routed4 && !routed6) std::abort();
        if (routed4) {
            if (!policy.cluster_cidr.contains(a.pod_cidr)) std::abort();
            if (a.pod_cidr.length > kMaxPodCidrLength || a.pod_cidr.length < policy.cluster_cidr.length) std::abort();
            if (policy.self_cidr && a.pod_cidr.overlaps(*policy.self_cidr)) std::abort();
            if (policy.cluster_cidr.contains(a.node_ip) || a.node_ip == policy.self_ip) std::abort();
            const uint8_t first = static_cast<uint8_t>(a.node_ip.host() >> 24);
            if (first == 0 || first == 127 || first >= 224) std::abort();
        }
        if (routed6) {
            const Cidr6 &cluster6 = *policy.cluster_cidr6;
            if (!cluster6.contains(*a.pod_cidr6)) std::abort();
            if (a.pod_cidr6->length > kMaxPodCidr6Length || a.pod_cidr6->length < cluster6.length) std::abort();
            if (policy.self_cidr6 && a.pod_cidr6->overlaps(*policy.self_cidr6)) std::abort();
            if (cluster6.contains(*a.node_ip6) || a.node_ip6 == policy.self_ip6) std::abort();
            for (const char *never : {"::/127", "::ffff:0:0/96", "fe80::/10", "ff00::/8"})
                if (Cidr6::parse(never)->contains(*a.node_ip6)) std::abort();
        }
        for (size_t j = i + 1; j < f.accepted.size(); j++) {
            const auto &b = f.accepted[j];
            if (!policy.self_name.empty() && b.name == policy.self_name) continue;
            if (a.name == b.name) std::abort();
            if (routed4 && b.has_ipv4() && a.pod_cidr.overlaps(b.pod_cidr)) std::abort();
            if (routed6 && b.pod_cidr6 && a.pod_cidr6->overlaps(*b.pod_cidr6)) std::abort();
        }
    }
    if (routed > policy.max_nodes) std::abort();
    return 0;
}
