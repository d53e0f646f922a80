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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    constexpr size_t kHead = 4 + 1 + 4 + 1 + 4 + 1 + 1, kEntry = 4 + 4 + 1 + 1;
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
    std::vector<ClusterNode> nodes;
    while (p + kEntry <= data + size) {
        ClusterNode n;
        const uint32_t cidr_addr = take32(p);
        n.node_ip = Ipv4::from_host(take32(p));
        n.pod_cidr = make_cidr(cidr_addr, *p++);
        const uint8_t name = *p++;
        n.name = name == 0 ? "self" : "n" + std::to_string(name % 16);
        nodes.push_back(n);
    }
    auto f = filter_node_list(nodes, policy);
    if (f.accepted.size() + f.refused.size() != nodes.size()) std::abort();
    size_t routed = 0;
    for (size_t i = 0; i < f.accepted.size(); i++) {
        const auto &a = f.accepted[i];
        if (!policy.self_name.empty() && a.name == policy.self_name) continue;  // this node: never routed
        routed++;
        if (!policy.cluster_cidr.contains(a.pod_cidr)) std::abort();
        if (a.pod_cidr.length > kMaxPodCidrLength || a.pod_cidr.length < policy.cluster_cidr.length) std::abort();
        if (policy.self_cidr && a.pod_cidr.overlaps(*policy.self_cidr)) std::abort();
        if (policy.cluster_cidr.contains(a.node_ip) || a.node_ip == policy.self_ip) std::abort();
        const uint8_t first = static_cast<uint8_t>(a.node_ip.host() >> 24);
        if (first == 0 || first == 127 || first >= 224) std::abort();
        for (size_t j = i + 1; j < f.accepted.size(); j++) {
            const auto &b = f.accepted[j];
            if (!policy.self_name.empty() && b.name == policy.self_name) continue;
            if (a.pod_cidr.overlaps(b.pod_cidr) || a.name == b.name) std::abort();
        }
    }
    if (routed > policy.max_nodes) std::abort();
    return 0;
}
