// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Router role, XDP: forwards pod traffic between nodes on the router's
 * interface(s). XDP_TX back out of the interface it came in on (the usual
 * one-segment router), XDP_REDIRECT through the tx-ports devmap to another.
 * (On a veth, XDP loses the partial-checksum state of TCP/UDP: see
 * docs/router.md; use tc_router.c there.) */
#include "lib/router.h"

/* XDP_REDIRECT targets, keyed by ifindex, filled by the agent with the
 * router's interfaces. Only here: TC redirects by ifindex. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, PODLANE_TX_PORTS_MAX);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_txports_v1 SEC(".maps");

static __always_inline int pl_xdp_router_pass(struct xdp_md *ctx, int reason)
{
	pl_xdp_count(ctx, pl_router_pass_reason(reason), 0);
	return XDP_PASS;
}

SEC("xdp")
int podlane_xdp_router(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pl_router_hop hop = {};
	struct pl_headers hdr;
	__u32 mtu_len = 0;
	long ret;
	int reason = pl_parse_ipv4(data, data_end, &hdr);

	if (reason != PL_PARSED)
		return pl_xdp_router_pass(ctx, reason);
	reason = pl_router_decide(&hdr, &hop);
	if (reason != PODLANE_FWD_ROUTER)
		return pl_xdp_router_pass(ctx, reason);

	if (hop.ifindex == ctx->ingress_ifindex) {
		pl_router_rewrite(&hdr, &hop);
		pl_xdp_count(ctx, PODLANE_FWD_ROUTER, hop.node_ip);
		return XDP_TX;
	}
	/* Another interface may have a smaller MTU; the redirect would drop
	 * the frame silently, the kernel answers fragmentation-needed. */
	if (bpf_check_mtu(ctx, hop.ifindex, &mtu_len, 0, 0) != BPF_MTU_CHK_RET_SUCCESS)
		return pl_xdp_router_pass(ctx, PODLANE_PASS_FRAG_NEEDED);
	ret = bpf_redirect_map(&pl_txports_v1, hop.ifindex, 0);
	if (ret != XDP_REDIRECT)
		return pl_xdp_router_pass(ctx, PODLANE_PASS_NO_PORT);
	pl_router_rewrite(&hdr, &hop);
	pl_xdp_count(ctx, PODLANE_FWD_ROUTER, hop.node_ip);
	return XDP_REDIRECT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
