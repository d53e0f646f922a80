// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* What local pods send to their gateway, and what the node itself sends to
 * pods. podlane_from_pod runs at TC ingress of each pod's host-side veth (or
 * of the bridge podlane0); podlane_from_host at TC egress of the host device
 * that carries the node's one cluster-wide route, where the node's own
 * packets and the ones the kernel routed arrive after netfilter. */
#include "lib/conntrack.h"
#include "lib/decide.h"
#include "lib/source.h"
#include "lib/tc.h"

/* A pod's frame is routed by the kernel only when it is addressed to the
 * host: on the bridge that is PACKET_HOST; on a host veth (a bridge port
 * whose own MAC is not the gateway's) the bridge would route a frame for
 * the gateway's MAC or a port's own MAC, and deliver one for a local pod's
 * MAC on L2. Anything else the bridge floods or drops: never routed. */
static __always_inline bool pl_pod_frame_for_host(struct __sk_buff *skb,
						  const struct podlane_node_config *cfg,
						  const struct pl_headers *hdr,
						  const struct pl_decision *d)
{
	if (skb->pkt_type == PL_PACKET_HOST || pl_mac_equal(hdr->eth->h_dest, cfg->gateway_mac))
		return true;
	return d->ep && pl_mac_equal(hdr->eth->h_dest, d->ep->pod_mac);
}

/* The IPv6 counterpart of the IPv4 path below: scope first (neighbour
 * discovery from :: and fe80:: must reach the kernel, not the source
 * check), then the same checks in the same order. */
static __always_inline int pl_from_pod_or_host6(struct __sk_buff *skb, struct pl_headers *hdr,
						bool from_pod)
{
	const struct podlane_node_config *cfg = NULL;
	const struct podlane_node_config6 *cfg6 = pl_config6(&cfg);
	struct pl_decision d = {};
	int reason, verdict;

	if (!cfg6 || !cfg)
		return pl_tc_finish(skb, PODLANE_PASS_NO_CONFIG);
	reason = pl_ipv6_not_routed(hdr);
	if (reason)
		return pl_tc_finish(skb, reason);
	if (from_pod) {
		reason = pl_check_pod_source6(cfg, cfg6, hdr, skb->ingress_ifindex);
		if (reason)
			return pl_tc_finish(skb, reason);
	}

	verdict = pl_decide6_from_pod(cfg6, hdr, &d, from_pod);
	if (verdict != PODLANE_FWD_REMOTE && verdict != PODLANE_FWD_LOCAL)
		return pl_tc_finish(skb, verdict);
	if (from_pod && !pl_pod_frame_for_host(skb, cfg, hdr, &d))
		return pl_tc_finish(skb, PODLANE_PASS_NOT_FOR_HOST);
	reason = pl_tc_check_ipv6_rcv(skb, hdr);
	if (reason)
		return pl_tc_finish(skb, reason);
	if (from_pod) {
		reason = pl_tc_netfilter_check(skb, hdr, false, true);
		if (reason)
			return pl_tc_finish(skb, reason);
	}
	if (verdict == PODLANE_FWD_REMOTE && d.route6)
		return pl_tc_forward_remote6(skb, hdr, d.route6, from_pod);
	if (verdict == PODLANE_FWD_LOCAL && d.ep) {
		__builtin_memcpy(hdr->eth->h_dest, d.ep->pod_mac, ETH_ALEN);
		return pl_tc_deliver_local(skb, d.ep);
	}
	return pl_tc_finish(skb, verdict);
}

/* from_pod: a pod's packet, not routed yet: this program is its router hop
 * (TTL), the check of its source, and netfilter has not seen it (the
 * conntrack check). Otherwise the kernel has been its router and netfilter
 * has had its say. */
static __always_inline int pl_from_pod_or_host(struct __sk_buff *skb, bool from_pod)
{
	const struct podlane_node_config *cfg = NULL;
	struct pl_decision d = {};
	struct pl_headers hdr;
	int reason = pl_tc_parse(skb, &hdr);

	if (reason == PL_PARSED6)
		return pl_from_pod_or_host6(skb, &hdr, from_pod);
	if (reason != PL_PARSED)
		return pl_tc_finish(skb, reason);

	if (from_pod) {
		cfg = pl_config();
		if (!cfg)
			return pl_tc_finish(skb, PODLANE_PASS_NO_CONFIG);
		reason = pl_check_pod_source(cfg, &hdr, skb->ingress_ifindex);
		if (reason)
			return pl_tc_finish(skb, reason);
	}

	reason = pl_decide_from_pod(&hdr, &d, from_pod);
	if (reason == PODLANE_FWD_REMOTE || reason == PODLANE_FWD_LOCAL) {
		int check;

		if (cfg && !pl_pod_frame_for_host(skb, cfg, &hdr, &d))
			return pl_tc_finish(skb, PODLANE_PASS_NOT_FOR_HOST);
		check = pl_tc_check_ip_rcv(skb, &hdr);
		if (check)
			return pl_tc_finish(skb, check);
	}
	if (from_pod && (reason == PODLANE_FWD_REMOTE || reason == PODLANE_FWD_LOCAL)) {
		int netfilter = pl_tc_netfilter_check(skb, &hdr, false, false);

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
