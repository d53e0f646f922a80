// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* What local pods send to their gateway, and what the node itself sends to
 * pods. Attached at TC ingress of the bridge podlane0 (or of each pod's
 * host-side veth in per-veth mode) and at TC egress of the host device that
 * carries the node's one cluster-wide route. */
#include "lib/decide.h"
#include "lib/tc.h"

SEC("tc")
int podlane_from_pod(struct __sk_buff *skb)
{
	struct pl_decision d = {};
	struct pl_headers hdr;
	int reason = pl_tc_parse(skb, &hdr);
	/* Only a packet the node's own stack sends (host device egress) has no
	 * receiving interface: it is not being forwarded. */
	bool forwarding = skb->ingress_ifindex != 0;

	if (reason != PL_PARSED)
		return pl_tc_finish(skb, reason);

	reason = pl_decide_from_pod(&hdr, &d, forwarding);
	if (reason == PODLANE_FWD_REMOTE && d.route)
		return pl_tc_forward_remote(skb, &hdr, d.route, forwarding);
	if (reason == PODLANE_FWD_LOCAL && d.ep) {
		/* Same pod subnet: an L2 hop, so the TTL stays; only the
		 * destination MAC must be the pod's own. */
		__builtin_memcpy(hdr.eth->h_dest, d.ep->pod_mac, ETH_ALEN);
		return pl_tc_deliver_local(skb, d.ep);
	}
	return pl_tc_finish(skb, reason);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
