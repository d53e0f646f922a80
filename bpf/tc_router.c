// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* Router role, TC ingress: the same decisions as xdp_router.c, carried out
 * with bpf_redirect to the egress interface (bpf_redirect_peer when that is
 * a veth whose peer is in another namespace). Keeps the skb's checksum state and GSO, so it is
 * the hook for veth interfaces. */
#include "lib/router.h"
#include "lib/tc.h"

static __always_inline int pl_tc_router_pass(struct __sk_buff *skb, int reason)
{
	pl_tc_count(skb, pl_router_pass_reason(reason), 0);
	return TC_ACT_OK;
}

SEC("tc")
int podlane_tc_router(struct __sk_buff *skb)
{
	struct pl_router_hop hop = {};
	struct pl_headers hdr;
	__u32 mtu_len = 0;
	long ret;
	int reason = pl_tc_parse(skb, &hdr);

	if (reason != PL_PARSED)
		return pl_tc_router_pass(skb, reason);
	reason = pl_router_decide(&hdr, &hop);
	if (reason != PODLANE_FWD_ROUTER)
		return pl_tc_router_pass(skb, reason);

	/* GSO packets are checked per segment. */
	ret = bpf_check_mtu(skb, hop.ifindex, &mtu_len, 0, 0);
	if (ret != BPF_MTU_CHK_RET_SUCCESS)
		return pl_tc_router_pass(skb,
					 ret < 0 ? PODLANE_PASS_NO_PORT : PODLANE_PASS_FRAG_NEEDED);
	pl_router_rewrite(&hdr, &hop);
	/* Out of a veth whose peer is in another namespace (the one it came in
	 * on, or another link): straight into the peer's ingress, as the peer
	 * would receive it, without the transmit + backlog round. */
	if (hop.port_flags & PODLANE_ROUTER_PORT_F_VETH_PEER)
		ret = bpf_redirect_peer(hop.ifindex, 0);
	else
		ret = bpf_redirect(hop.ifindex, 0);
	if (ret != TC_ACT_REDIRECT)
		return pl_tc_finish(skb, PODLANE_DROP_REDIRECT_FAILED);
	pl_tc_count(skb, PODLANE_FWD_ROUTER, hop.node_ip);
	return TC_ACT_REDIRECT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
