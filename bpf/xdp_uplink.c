// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* The uplink receive path in XDP, for NICs with native XDP: the same
 * decisions as tc_uplink.c, delivered with XDP_REDIRECT to the pod's host
 * veth. (On a veth uplink use the TC program: see docs/dataplane.md.) */
#include "lib/conntrack.h"
#include "lib/decide.h"
#include "lib/l3.h"
#include "lib/source.h"
#include "lib/stats.h"

/* The IPv6 counterpart of the path below; XDP writes the hop limit
 * straight (no skb checksum to keep). */
static __always_inline int pl_xdp_uplink6(struct xdp_md *ctx, struct pl_headers *hdr,
					  void *data_end)
{
	const struct podlane_node_config *cfg = NULL;
	const struct podlane_node_config6 *cfg6 = pl_config6(&cfg);
	struct pl_decision d = {};
	int reason;
	long ret;

	if (!cfg6 || !cfg)
		return pl_xdp_finish(ctx, PODLANE_PASS_NO_CONFIG);
	reason = pl_ipv6_not_routed(hdr);
	if (reason)
		return pl_xdp_finish(ctx, reason);
	reason = pl_check_uplink_source6(cfg6, hdr->ip6);
	if (reason)
		return pl_xdp_finish(ctx, reason);

	reason = pl_decide6_from_uplink(cfg6, hdr, &d);
	if (reason != PODLANE_FWD_LOCAL || !d.ep)
		return pl_xdp_finish(ctx, reason);
	if (hdr->eth->h_dest[0] & 1)
		return pl_xdp_finish(ctx, PODLANE_PASS_NOT_FOR_HOST);
	reason = pl_check_ipv6_rcv(hdr->ip6, data_end - (void *)hdr->ip6);
	if (reason)
		return pl_xdp_finish(ctx, reason);
	reason = pl_xdp_netfilter_check(ctx, hdr, true);
	if (reason)
		return pl_xdp_finish(ctx, reason);

	hdr->ip6->hop_limit--;
	pl_set_macs(hdr->eth, d.ep->pod_mac, cfg->gateway_mac);
	ret = bpf_redirect(d.ep->host_ifindex, 0);
	if (ret != XDP_REDIRECT)
		return pl_xdp_finish(ctx, PODLANE_DROP_REDIRECT_FAILED);
	pl_xdp_count(ctx, PODLANE_FWD_LOCAL, 0);
	return XDP_REDIRECT;
}

SEC("xdp")
int podlane_xdp_uplink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct podlane_node_config *cfg;
	struct pl_decision d = {};
	struct pl_headers hdr;
	int reason = pl_parse_l3(data, data_end, &hdr);
	long ret;

	if (reason == PL_PARSED6)
		return pl_xdp_uplink6(ctx, &hdr, data_end);
	if (reason != PL_PARSED)
		return pl_xdp_finish(ctx, reason);
	cfg = pl_config();
	if (!cfg)
		return pl_xdp_finish(ctx, PODLANE_PASS_NO_CONFIG);
	reason = pl_check_uplink_source(cfg, hdr.ip);
	if (reason)
		return pl_xdp_finish(ctx, reason);

	reason = pl_decide_from_uplink(&hdr, &d);
	if (reason != PODLANE_FWD_LOCAL || !d.ep)
		return pl_xdp_finish(ctx, reason);
	/* XDP has no pkt_type and the config holds no uplink MAC: a group
	 * address is caught here; a unicast frame for another host reaches
	 * XDP only on a promiscuous NIC (docs/dataplane.md). */
	if (hdr.eth->h_dest[0] & 1)
		return pl_xdp_finish(ctx, PODLANE_PASS_NOT_FOR_HOST);
	reason = pl_check_ip_rcv(hdr.ip, data_end, data_end - (void *)hdr.ip);
	if (reason)
		return pl_xdp_finish(ctx, reason);
	reason = pl_xdp_netfilter_check(ctx, &hdr, false);
	if (reason)
		return pl_xdp_finish(ctx, reason);

	pl_decrement_ttl(hdr.ip);
	pl_set_macs(hdr.eth, d.ep->pod_mac, cfg->gateway_mac);
	ret = bpf_redirect(d.ep->host_ifindex, 0);
	if (ret != XDP_REDIRECT)
		return pl_xdp_finish(ctx, PODLANE_DROP_REDIRECT_FAILED);
	pl_xdp_count(ctx, PODLANE_FWD_LOCAL, 0);
	return XDP_REDIRECT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
