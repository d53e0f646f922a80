// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* What other nodes send: TC ingress of the uplink. A packet for a local pod
 * is routed (TTL, MACs) and put straight into the pod's namespace; anything
 * else is the node's own business and passes untouched. */
#include "lib/conntrack.h"
#include "lib/decide.h"
#include "lib/source.h"
#include "lib/tc.h"

/* The IPv6 counterpart: scope first, then the same checks in the same order,
 * the hop limit in place of the TTL. */
static __always_inline int pl_uplink_ingress6(struct __sk_buff *skb, struct pl_headers *hdr)
{
	const struct podlane_node_config *cfg = NULL;
	const struct podlane_node_config6 *cfg6 = pl_config6(&cfg);
	struct pl_decision d = {};
	int reason;

	if (!cfg6 || !cfg)
		return pl_tc_finish(skb, PODLANE_PASS_NO_CONFIG);
	reason = pl_ipv6_not_routed(hdr);
	if (reason)
		return pl_tc_finish(skb, reason);
	reason = pl_check_uplink_source6(cfg6, hdr->ip6);
	if (reason)
		return pl_tc_finish(skb, reason);

	reason = pl_decide6_from_uplink(cfg6, hdr, &d);
	if (reason != PODLANE_FWD_LOCAL || !d.ep)
		return pl_tc_finish(skb, reason);
	if (skb->pkt_type != PL_PACKET_HOST)
		return pl_tc_finish(skb, PODLANE_PASS_NOT_FOR_HOST);
	reason = pl_tc_check_ipv6_rcv(skb, hdr);
	if (reason)
		return pl_tc_finish(skb, reason);
	reason = pl_tc_netfilter_check(skb, hdr, true, true);
	if (reason)
		return pl_tc_finish(skb, reason);

	pl_tc_decrement_hop_limit(skb, hdr->ip6);
	pl_set_macs(hdr->eth, d.ep->pod_mac, cfg->gateway_mac);
	return pl_tc_deliver_local(skb, d.ep);
}

SEC("tc")
int podlane_uplink_ingress(struct __sk_buff *skb)
{
	const struct podlane_node_config *cfg;
	struct pl_decision d = {};
	struct pl_headers hdr;
	int reason = pl_tc_parse(skb, &hdr);

	if (reason == PL_PARSED6)
		return pl_uplink_ingress6(skb, &hdr);
	if (reason != PL_PARSED)
		return pl_tc_finish(skb, reason);
	cfg = pl_config();
	if (!cfg)
		return pl_tc_finish(skb, PODLANE_PASS_NO_CONFIG);
	reason = pl_check_uplink_source(cfg, hdr.ip);
	if (reason)
		return pl_tc_finish(skb, reason);

	reason = pl_decide_from_uplink(&hdr, &d);
	if (reason != PODLANE_FWD_LOCAL || !d.ep)
		return pl_tc_finish(skb, reason);
	/* ip_rcv (and ip_forward) route only frames addressed to this host. */
	if (skb->pkt_type != PL_PACKET_HOST)
		return pl_tc_finish(skb, PODLANE_PASS_NOT_FOR_HOST);
	reason = pl_tc_check_ip_rcv(skb, &hdr);
	if (reason)
		return pl_tc_finish(skb, reason);
	reason = pl_tc_netfilter_check(skb, &hdr, true, false);
	if (reason)
		return pl_tc_finish(skb, reason);

	pl_decrement_ttl(hdr.ip);
	pl_set_macs(hdr.eth, d.ep->pod_mac, cfg->gateway_mac);
	return pl_tc_deliver_local(skb, d.ep);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
