#include "podlane/reasons.h"

namespace podlane {

const std::vector<ReasonInfo> &all_reasons() {
    static const std::vector<ReasonInfo> reasons = {
        {PODLANE_FWD_REMOTE, "forwarded-remote", "redirected out of the uplink toward the owning node",
         Verdict::Forward},
        {PODLANE_FWD_LOCAL, "delivered-local", "delivered straight into a local pod", Verdict::Forward},
        {PODLANE_FWD_ROUTER, "forwarded-router", "router role: forwarded in BPF to the owning node", Verdict::Forward},
        {PODLANE_PASS_NOT_IPV4, "pass-not-ipv4", "not IPv4 (ARP, IPv6, ...): left to the kernel", Verdict::Pass},
        {PODLANE_PASS_VLAN, "pass-vlan", "VLAN-tagged frame: left to the kernel", Verdict::Pass},
        {PODLANE_PASS_NO_ROUTE, "pass-no-route", "destination in no pod CIDR this program handles", Verdict::Pass},
        {PODLANE_PASS_TO_NODE, "pass-to-node", "destination is the node itself or the pods' gateway", Verdict::Pass},
        {PODLANE_PASS_TTL_EXPIRED, "pass-ttl-expired", "TTL <= 1: the kernel answers time-exceeded", Verdict::Pass},
        {PODLANE_PASS_FRAG_NEEDED, "pass-frag-needed",
         "larger than the uplink MTU: the kernel answers fragmentation-needed", Verdict::Pass},
        {PODLANE_PASS_NO_CONFIG, "pass-no-config", "the agent has not written this node's config yet", Verdict::Pass},
        {PODLANE_PASS_NEIGH_UNKNOWN, "pass-neigh-unknown",
         "router: next hop's MAC not learned yet, the kernel resolves it", Verdict::Pass},
        {PODLANE_PASS_BROADCAST, "pass-broadcast", "multicast or broadcast destination", Verdict::Pass},
        {PODLANE_PASS_NO_ENDPOINT, "pass-no-endpoint",
         "local pod CIDR but no registered endpoint: the bridge delivers it", Verdict::Pass},
        {PODLANE_PASS_MALFORMED, "pass-malformed", "router: truncated or malformed frame, left to the kernel",
         Verdict::Pass},
        {PODLANE_PASS_NO_PORT, "pass-no-port", "router: the next hop's interface is not one the router forwards on",
         Verdict::Pass},
        {PODLANE_PASS_FLOW_NEW, "pass-flow-new",
         "conntrack holds no established entry for this TCP/UDP flow (new flow, handshake, first reply): netfilter "
         "decides",
         Verdict::Pass},
        {PODLANE_PASS_FLOW_TRANSLATED, "pass-flow-translated",
         "the flow's conntrack entry translates it (Service DNAT, masquerade): the kernel applies it", Verdict::Pass},
        {PODLANE_PASS_FLOW_UNTRACKED, "pass-flow-untracked",
         "not TCP/UDP (ICMP, ...) or a fragment: conntrack cannot be asked from BPF, the stack decides", Verdict::Pass},
        {PODLANE_PASS_PEER_NOT_POD, "pass-peer-not-pod",
         "sent by no other node's pod (a node, an outside host): its replies go through the stack, so this side does "
         "too",
         Verdict::Pass},
        {PODLANE_DROP_TRUNCATED_ETH, "drop-truncated-eth", "shorter than an Ethernet header", Verdict::Drop},
        {PODLANE_DROP_TRUNCATED_IP, "drop-truncated-ip", "shorter than its IPv4 header", Verdict::Drop},
        {PODLANE_DROP_BAD_IP_HEADER, "drop-bad-ip-header", "malformed IPv4 header (version, IHL or length)",
         Verdict::Drop},
        {PODLANE_DROP_NO_ENDPOINT, "drop-no-endpoint", "for this node's pod CIDR but no such pod", Verdict::Drop},
        {PODLANE_DROP_REDIRECT_FAILED, "drop-redirect-failed", "the kernel refused the redirect", Verdict::Drop},
        {PODLANE_DROP_NO_UPLINK, "drop-no-uplink", "the route names an interface that does not exist", Verdict::Drop},
    };
    return reasons;
}

const ReasonInfo *reason_info(unsigned index) {
    for (const auto &r : all_reasons())
        if (static_cast<unsigned>(r.reason) == index) return &r;
    return nullptr;
}

std::string_view verdict_name(Verdict v) {
    switch (v) {
        case Verdict::Forward:
            return "forward";
        case Verdict::Pass:
            return "pass";
        case Verdict::Drop:
            return "drop";
    }
    return "?";
}

}  // namespace podlane
