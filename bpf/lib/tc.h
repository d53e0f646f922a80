/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* TC-specific plumbing: header access on an skb and the redirects. */
#ifndef PODLANE_BPF_TC_H
#define PODLANE_BPF_TC_H

#include "l3.h"
#include "parse.h"
#include "stats.h"

#define PL_AF_INET	  2
#define PL_AF_INET6	  10
#define PL_PACKET_HOST	  0 /* linux/if_packet.h */
#define PL_MAX_L2_L3_HLEN (ETH_HLEN + 60)
/* IPv6: the header, a few extension headers and a TCP header's flags. */
#define PL_MAX_L2_IPV6_HLEN (ETH_HLEN + IPV6_HLEN + 64 + 14)

/* Parses the headers of an skb, pulling them into the linear area first if
 * the skb is non-linear and they are not all there. */
static __always_inline int pl_tc_parse(struct __sk_buff *skb, struct pl_headers *hdr)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 linear = data_end - data;
	__u32 want =
		skb->protocol == bpf_htons(ETH_P_IPV6) ? PL_MAX_L2_IPV6_HLEN : PL_MAX_L2_L3_HLEN;

	if (linear < want && skb->len > linear) {
		bpf_skb_pull_data(skb, skb->len < want ? skb->len : want);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
	}
	return pl_parse_l3(data, data_end, hdr);
}

/* ip_rcv's checks on an skb about to be forwarded: 0 or the drop reason.
 * skb->len counts the Ethernet header at TC (a VLAN tag never gets here). */
static __always_inline int pl_tc_check_ip_rcv(struct __sk_buff *skb, const struct pl_headers *hdr)
{
	return pl_check_ip_rcv(hdr->ip, (void *)(long)skb->data_end, skb->len - ETH_HLEN);
}

/* Set by the loader before load (`podlaned --next-hop fib`); the verifier
 * prunes the branch not taken, so the default costs nothing. Kept to measure
 * both next-hop methods side by side (docs/dataplane.md). */
const volatile __u32 pl_next_hop_fib = 0;

/* bpf_fib_lookup toward the node's IP, MACs written here, plain redirect.
 * Returns -1 when the kernel has no resolved neighbour yet: the caller then
 * lets bpf_redirect_neigh resolve it. */
static __always_inline long pl_tc_redirect_fib(struct __sk_buff *skb, struct pl_headers *hdr,
					       const struct podlane_route_value *route)
{
	struct bpf_fib_lookup fib = {
		.family = PL_AF_INET,
		.ipv4_dst = route->node_ip,
		.ifindex = route->uplink_ifindex,
	};
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib),
				 BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT);

	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return -1;
	pl_set_macs(hdr->eth, fib.dmac, fib.smac);
	return bpf_redirect(fib.ifindex, 0);
}

/* Out of the uplink toward the owning node; the kernel resolves the next
 * hop's MAC (bpf_redirect_neigh), so no ARP handling lives here. */
static __always_inline int pl_tc_forward_remote(struct __sk_buff *skb, struct pl_headers *hdr,
						const struct podlane_route_value *route,
						bool forwarding)
{
	struct bpf_redir_neigh nh = {.nh_family = PL_AF_INET, .ipv4_nh = route->node_ip};
	__u32 ifindex = route->uplink_ifindex;
	__u32 mtu_len = 0;
	long ret;

	if (!ifindex)
		return pl_tc_finish(skb, PODLANE_DROP_NO_UPLINK);
	/* The redirect drops oversize packets silently; the kernel answers
	 * fragmentation-needed instead. GSO packets are checked per segment. */
	ret = bpf_check_mtu(skb, ifindex, &mtu_len, 0, 0);
	if (ret < 0)
		return pl_tc_finish(skb, PODLANE_DROP_NO_UPLINK);
	if (ret != BPF_MTU_CHK_RET_SUCCESS)
		return pl_tc_finish(skb, PODLANE_PASS_FRAG_NEEDED);

	if (forwarding)
		pl_decrement_ttl(hdr->ip);
	/* Two explicit calls: clang 14 folded a shared "if (ret < 0)" fallback
	 * into the failure path when the flag is 0 (caught by tests/bpf). */
	if (pl_next_hop_fib) {
		ret = pl_tc_redirect_fib(skb, hdr, route);
		if (ret < 0)
			ret = bpf_redirect_neigh(ifindex, &nh, sizeof(nh), 0);
	} else {
		ret = bpf_redirect_neigh(ifindex, &nh, sizeof(nh), 0);
	}
	if (ret != TC_ACT_REDIRECT)
		return pl_tc_finish(skb, PODLANE_DROP_REDIRECT_FAILED);
	pl_tc_count(skb, PODLANE_FWD_REMOTE, route->node_ip);
	return TC_ACT_REDIRECT;
}

/* Straight into the pod's namespace: bpf_redirect_peer skips the host-side
 * veth's backlog and keeps strict rp_filter out of the way. */
static __always_inline int pl_tc_deliver_local(struct __sk_buff *skb,
					       const struct podlane_endpoint_value *ep)
{
	long ret = bpf_redirect_peer(ep->host_ifindex, 0);

	if (ret != TC_ACT_REDIRECT)
		return pl_tc_finish(skb, PODLANE_DROP_REDIRECT_FAILED);
	pl_tc_count(skb, PODLANE_FWD_LOCAL, 0);
	return TC_ACT_REDIRECT;
}

/* --- IPv6 --------------------------------------------------------------- */

/* Hop limit - 1. IPv6 has no header checksum, but an skb whose checksum the
 * NIC computed over the whole frame (CHECKSUM_COMPLETE) must learn of the
 * change: the header word that holds the hop limit, before and after, as
 * bpf_csum_diff would sum them. Callers have checked hop limit > 1. */
static __always_inline void pl_tc_decrement_hop_limit(struct __sk_buff *skb, struct ipv6hdr *ip6)
{
	__be32 *word = (__be32 *)ip6 + 1; /* payload length, next header, hop limit */
	__u32 before = *word;
	__u64 diff;

	ip6->hop_limit--;
	diff = (__u64)(__u32)~before + *word;
	diff = (diff & 0xFFFFFFFF) + (diff >> 32);
	bpf_csum_update(skb, (__u32)diff);
}

static __always_inline int pl_tc_check_ipv6_rcv(struct __sk_buff *skb, const struct pl_headers *hdr)
{
	return pl_check_ipv6_rcv(hdr->ip6, skb->len - ETH_HLEN);
}

static __always_inline long pl_tc_redirect_fib6(struct __sk_buff *skb, struct pl_headers *hdr,
						const struct podlane_route6_value *route)
{
	struct bpf_fib_lookup fib = {
		.family = PL_AF_INET6,
		.ifindex = route->uplink_ifindex,
	};
	long rc;

	__builtin_memcpy(fib.ipv6_dst, &route->node_ip, sizeof(fib.ipv6_dst));
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_OUTPUT);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return -1;
	pl_set_macs(hdr->eth, fib.dmac, fib.smac);
	return bpf_redirect(fib.ifindex, 0);
}

/* pl_tc_forward_remote for IPv6: the next hop is the owning node's IPv6
 * address, which bpf_redirect_neigh resolves through neighbour discovery.
 * Too big: the kernel answers packet-too-big (ip6_forward). */
static __always_inline int pl_tc_forward_remote6(struct __sk_buff *skb, struct pl_headers *hdr,
						 const struct podlane_route6_value *route,
						 bool forwarding)
{
	struct bpf_redir_neigh nh = {.nh_family = PL_AF_INET6};
	__u32 ifindex = route->uplink_ifindex;
	__u32 mtu_len = 0;
	long ret;

	if (!ifindex)
		return pl_tc_finish(skb, PODLANE_DROP_NO_UPLINK);
	ret = bpf_check_mtu(skb, ifindex, &mtu_len, 0, 0);
	if (ret < 0)
		return pl_tc_finish(skb, PODLANE_DROP_NO_UPLINK);
	if (ret != BPF_MTU_CHK_RET_SUCCESS)
		return pl_tc_finish(skb, PODLANE_PASS_FRAG_NEEDED);

	if (forwarding)
		pl_tc_decrement_hop_limit(skb, hdr->ip6);
	__builtin_memcpy(nh.ipv6_nh, &route->node_ip, sizeof(nh.ipv6_nh));
	if (pl_next_hop_fib) {
		ret = pl_tc_redirect_fib6(skb, hdr, route);
		if (ret < 0)
			ret = bpf_redirect_neigh(ifindex, &nh, sizeof(nh), 0);
	} else {
		ret = bpf_redirect_neigh(ifindex, &nh, sizeof(nh), 0);
	}
	if (ret != TC_ACT_REDIRECT)
		return pl_tc_finish(skb, PODLANE_DROP_REDIRECT_FAILED);
	pl_tc_count(skb, PODLANE_FWD_REMOTE, 0);
	return TC_ACT_REDIRECT;
}

#endif
