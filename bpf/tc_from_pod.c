// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* What local pods send to their gateway, and what the node itself sends to
 * pods. podlane_from_pod runs at TC ingress of each pod's host-side veth (or
 * of the bridge podlane0); podlane_from_host at TC egress of the host device
 * that carries the node's one cluster-wide route, where the node's own
 * packets and the ones the kernel routed arrive after netfilter. */
#include "lib/conntrack.h"
#include "lib/decide.h"
#include "lib/tc.h"

/* from_pod: a pod's packet, not routed yet: this program is its router hop
 * (TTL), and netfilter has not seen it (the conntrack check). Otherwise the
 * kernel has been its router and netfilter has had its say. */
static __always_inline int pl_from_pod_or_host(struct __sk_buff *skb, bool from_pod)
{
	struct pl_decision d = {};
	struct pl_headers hdr;
	int reason = pl_tc_parse(skb, &hdr);

	if (reason != PL_PARSED)
		return pl_tc_finish(skb, reason);

	reason = pl_decide_from_pod(&hdr, &d, from_pod);
	if (from_pod && (reason == PODLANE_FWD_REMOTE || reason == PODLANE_FWD_LOCAL)) {
		int netfilter = pl_tc_netfilter_check(skb, &hdr, false);

		if (netfilter)
			return pl_tc_finish(skb, netfilter);
	}
	if (reason == PODLANE_FWD_REMOTE && d.route)
		return pl_tc_forward_remote(skb, &hdr, d.route, from_pod);
	if (reason == PODLANE_FWD_LOCAL && d.ep) {
		/* Same pod subnet: an L2 hop, so the TTL stays; only the
		 * destination MAC must be the pod's own. */
		__builtin_memcpy(hdr.eth->h_dest, d.ep->pod_mac, ETH_ALEN);
		return pl_tc_deliver_local(skb, d.ep);
	}
	return pl_tc_finish(skb, reason);
}

SEC("tc")
int podlane_from_pod(struct __sk_buff *skb)
{
	return pl_from_pod_or_host(skb, true);
}

SEC("tc")
int podlane_from_host(struct __sk_buff *skb)
{
	return pl_from_pod_or_host(skb, false);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
