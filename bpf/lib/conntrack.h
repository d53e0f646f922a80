/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Netfilter-compatible fast path: a pod flow is redirected only once the
 * node's conntrack holds it as established and untranslated. Everything else
 * (new flows, handshakes, first replies, Service DNAT and masquerade,
 * ICMP, fragments) goes through the stack, so kube-proxy, NetworkPolicy
 * engines and masquerade see exactly what they see on kernel routes.
 *
 * Programs built with PODLANE_NETFILTER_BYPASS (`podlaned --netfilter
 * bypass`) contain no conntrack call at all, so they load on a kernel without
 * nf_conntrack.
 *
 * Packets that skip conntrack leave its TCP window stale, and a stale entry
 * judges a later packet INVALID (kube-proxy drops those). So once a flow is
 * on the fast path every packet of it stays there, FIN and RST included, and
 * conntrack's timeout is kept as the kernel would keep it: shortened on
 * FIN/RST, extended while packets flow. The stack never sees a packet of the
 * flow again until the entry expires; then the flow starts over as new
 * (conntrack picks it up mid-stream, which tolerates any window). */
#ifndef PODLANE_BPF_CONNTRACK_H
#define PODLANE_BPF_CONNTRACK_H

#include <linux/in.h>

#include "maps.h"
#include "parse.h"

#ifndef PODLANE_NETFILTER_BYPASS

/* The few fields of the kernel's struct nf_conn we read, relocated by CO-RE
 * against the running kernel's BTF (vmlinux, or the nf_conntrack module's). */
union nf_inet_addr {
	__u32 all[4];
	__be32 ip;
} __attribute__((preserve_access_index));

struct nf_conntrack_man {
	union nf_inet_addr u3;
	union {
		__be16 all;
	} u;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr u3;
		union {
			__be16 all;
		} u;
	} dst;
} __attribute__((preserve_access_index));

struct nf_conntrack_tuple_hash {
	struct nf_conntrack_tuple tuple;
} __attribute__((preserve_access_index));

struct nf_conn {
	__u32 timeout; /* absolute, in jiffies */
	struct nf_conntrack_tuple_hash tuplehash[2];
	unsigned long status;
} __attribute__((preserve_access_index));

/* The kernel's struct bpf_ct_opts as Linux 5.18-6.x first defined it (12
 * bytes); later kernels grew it and still accept this size. */
struct pl_ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};
#define PL_CT_OPTS_SIZE	    12
#define PL_CT_CURRENT_NETNS (-1)

extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb, struct bpf_sock_tuple *tuple,
					 __u32 tuple_size, struct pl_ct_opts *opts,
					 __u32 opts_size) __ksym;
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple_size, struct pl_ct_opts *opts,
					 __u32 opts_size) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *ct, __u32 timeout_ms) __ksym;

/* include/uapi/linux/netfilter/nf_conntrack_common.h */
#define PL_IPS_SEEN_REPLY (1UL << 1)
#define PL_IPS_ASSURED	  (1UL << 2)
#define PL_IPS_DYING	  (1UL << 9)

#define PL_TCP_FIN 0x01
#define PL_TCP_SYN 0x02
#define PL_TCP_RST 0x04
#define PL_TCP_ACK 0x10

/* What the kernel's own defaults give a flow (nf_conntrack_tcp_timeout_close,
 * _time_wait, nf_conntrack_udp_timeout_stream). */
#define PL_CT_AFTER_RST_MS 10000
#define PL_CT_AFTER_FIN_MS 120000
#define PL_CT_ACTIVE_MS	   120000
/* Extend an entry that has less than this left. In jiffies, so 1 s to 10 s
 * depending on the kernel's HZ: any of those keeps a busy flow tracked. */
#define PL_CT_REFRESH_BELOW_JIFFIES 1000

struct pl_flow {
	struct bpf_sock_tuple tuple;
	__u8 proto;
	__u8 tcp_flags;
};

/* Fills the flow's 5-tuple from the packet. Returns 0, or the reason the
 * stack must decide (not TCP/UDP, a fragment, an L4 header cut short: the
 * kernel judges those). */
static __always_inline int pl_flow_parse(const struct pl_headers *hdr, void *data_end,
					 struct pl_flow *f)
{
	struct iphdr *ip = hdr->ip;
	__u8 *l4 = (__u8 *)ip + ip->ihl * 4;

	if (ip->frag_off & bpf_htons(IPV4_MF | IPV4_FRAG_OFFSET_MASK))
		return PODLANE_PASS_FLOW_UNTRACKED;
	if (ip->protocol == IPPROTO_TCP) {
		if ((void *)(l4 + 14) > data_end)
			return PODLANE_PASS_FLOW_UNTRACKED;
		f->tcp_flags = l4[13];
	} else if (ip->protocol == IPPROTO_UDP) {
		if ((void *)(l4 + 8) > data_end)
			return PODLANE_PASS_FLOW_UNTRACKED;
		f->tcp_flags = 0;
	} else {
		return PODLANE_PASS_FLOW_UNTRACKED;
	}
	f->proto = ip->protocol;
	f->tuple.ipv4.saddr = ip->saddr;
	f->tuple.ipv4.daddr = ip->daddr;
	__builtin_memcpy(&f->tuple.ipv4.sport, l4, 4); /* both ports, network order */
	return 0;
}

/* pl_flow_parse for IPv6: the upper-layer header the parse found past the
 * extension headers. Fragments are the stack's (it reassembles them before
 * conntrack sees them). */
static __always_inline int pl_flow_parse6(const struct pl_headers *hdr, void *data_end,
					  struct pl_flow *f)
{
	__u8 *l4 = hdr->l4;

	if (hdr->fragment || !l4)
		return PODLANE_PASS_FLOW_UNTRACKED;
	if (hdr->l4_proto == IPPROTO_TCP) {
		if ((void *)(l4 + 14) > data_end)
			return PODLANE_PASS_FLOW_UNTRACKED;
		f->tcp_flags = l4[13];
	} else if (hdr->l4_proto == IPPROTO_UDP) {
		if ((void *)(l4 + 8) > data_end)
			return PODLANE_PASS_FLOW_UNTRACKED;
		f->tcp_flags = 0;
	} else {
		return PODLANE_PASS_FLOW_UNTRACKED;
	}
	f->proto = hdr->l4_proto;
	__builtin_memcpy(f->tuple.ipv6.saddr, &hdr->ip6->saddr, 16);
	__builtin_memcpy(f->tuple.ipv6.daddr, &hdr->ip6->daddr, 16);
	__builtin_memcpy(&f->tuple.ipv6.sport, l4, 4); /* both ports, network order */
	return 0;
}

static __always_inline bool pl_inet_addr_differs(const union nf_inet_addr *a,
						 const union nf_inet_addr *b, bool ipv6)
{
	if (!ipv6)
		return a->ip != b->ip;
	return a->all[0] != b->all[0] || a->all[1] != b->all[1] || a->all[2] != b->all[2] ||
	       a->all[3] != b->all[3];
}

/* A NAT (Service DNAT, masquerade, IPVS) shows as a reply tuple that is not
 * the original one reversed. Compared directly rather than through the
 * IPS_*_NAT bits, which IPVS does not set. */
static __always_inline bool pl_ct_translated(const struct nf_conn *ct, bool ipv6)
{
	const struct nf_conntrack_tuple *orig = &ct->tuplehash[0].tuple;
	const struct nf_conntrack_tuple *reply = &ct->tuplehash[1].tuple;

	return pl_inet_addr_differs(&orig->src.u3, &reply->dst.u3, ipv6) ||
	       pl_inet_addr_differs(&orig->dst.u3, &reply->src.u3, ipv6) ||
	       orig->src.u.all != reply->dst.u.all || orig->dst.u.all != reply->src.u.all;
}

/* Keeps the entry's timeout where the stack would have put it had it seen
 * this packet. */
static __always_inline void pl_ct_keep_timeout(struct nf_conn *ct, __u8 tcp_flags)
{
	__s32 left = (__s32)(ct->timeout - (__u32)bpf_jiffies64());

	if (tcp_flags & PL_TCP_RST)
		bpf_ct_change_timeout(ct, PL_CT_AFTER_RST_MS);
	else if (tcp_flags & PL_TCP_FIN)
		bpf_ct_change_timeout(ct, PL_CT_AFTER_FIN_MS);
	else if (left < PL_CT_REFRESH_BELOW_JIFFIES)
		bpf_ct_change_timeout(ct, PL_CT_ACTIVE_MS);
}

/* A SYN opens a connection: netfilter decides it, also when an entry of an
 * earlier connection on the same ports is still there. */
static __always_inline bool pl_flow_is_syn(const struct pl_flow *f)
{
	return f->proto == IPPROTO_TCP && (f->tcp_flags & (PL_TCP_SYN | PL_TCP_ACK)) == PL_TCP_SYN;
}

/* The verdict on a looked-up entry: 0 = the fast path may take the packet. */
static __always_inline int pl_ct_judge(struct nf_conn *ct, const struct pl_flow *f, bool ipv6)
{
	unsigned long status;
	unsigned long established;

	if (!ct)
		return PODLANE_PASS_FLOW_NEW;
	status = ct->status;
	if (pl_flow_is_syn(f)) {
		/* A new connection on the ports of an earlier one, whose entry
		 * the fast path kept ESTABLISHED: expire it, so that conntrack
		 * opens a new entry and netfilter judges the connection as new
		 * (the stack would have found it closed). */
		if (status & PL_IPS_ASSURED)
			bpf_ct_change_timeout(ct, 0);
		return PODLANE_PASS_FLOW_NEW;
	}
	/* TCP: the handshake's last ACK has gone through the stack (ASSURED);
	 * UDP: a reply has. */
	established = f->proto == IPPROTO_TCP ? PL_IPS_ASSURED : PL_IPS_SEEN_REPLY;
	if (!(status & established) || (status & PL_IPS_DYING))
		return PODLANE_PASS_FLOW_NEW;
	if (pl_ct_translated(ct, ipv6))
		return PODLANE_PASS_FLOW_TRANSLATED;
	pl_ct_keep_timeout(ct, f->tcp_flags);
	return 0;
}

/* A flow may leave the stack only if both its directions do. A reply to a
 * node or an outside host is not pod traffic and always goes through the
 * stack, so a packet from one must too, or conntrack sees one direction
 * only and judges the replies INVALID (their ACKs cover data it never saw). */
static __always_inline int pl_uplink_peer_check(const struct pl_headers *hdr, bool ipv6)
{
	__u32 flags;

	if (ipv6) {
		const struct podlane_route6_value *route6 =
			pl_route6_lookup((const struct podlane_in6 *)&hdr->ip6->saddr);

		if (!route6)
			return PODLANE_PASS_PEER_NOT_POD;
		flags = route6->flags;
	} else {
		const struct podlane_route_value *route = pl_route_lookup(hdr->ip->saddr);

		if (!route)
			return PODLANE_PASS_PEER_NOT_POD;
		flags = route->flags;
	}
	if (flags & PODLANE_ROUTE_F_LOCAL)
		return PODLANE_PASS_PEER_NOT_POD;
	return 0;
}

/* The flow and the lookup options of a packet; non-zero: the reason the
 * stack decides without asking conntrack. */
static __always_inline int pl_flow_prepare(const struct pl_headers *hdr, void *data_end,
					   bool from_uplink, bool ipv6, struct pl_flow *f,
					   struct pl_ct_opts *opts)
{
	int reason = ipv6 ? pl_flow_parse6(hdr, data_end, f) : pl_flow_parse(hdr, data_end, f);

	if (reason)
		return reason;
	if (from_uplink) {
		reason = pl_uplink_peer_check(hdr, ipv6);
		if (reason)
			return reason;
	}
	opts->netns_id = PL_CT_CURRENT_NETNS;
	opts->l4proto = f->proto;
	return 0;
}

/* Judges the looked-up entry and gives it back. */
static __always_inline int pl_ct_verdict(struct nf_conn *ct, const struct pl_flow *f, bool ipv6)
{
	int reason = pl_ct_judge(ct, f, ipv6);

	if (ct)
		bpf_ct_release(ct);
	return reason;
}

/* The tuple's size tells the kfunc its family (36 bytes: IPv6). */
static __always_inline __u32 pl_tuple_size(const struct pl_flow *f, bool ipv6)
{
	return ipv6 ? sizeof(f->tuple.ipv6) : sizeof(f->tuple.ipv4);
}

/* 0 when conntrack holds the packet's flow as established and untranslated,
 * else the reason the stack must see the packet. ipv6: a constant at every
 * call, so each family's path holds only its own code. */
static __always_inline int pl_tc_netfilter_check(struct __sk_buff *skb,
						 const struct pl_headers *hdr, bool from_uplink,
						 bool ipv6)
{
	struct pl_ct_opts opts = {};
	struct pl_flow f = {};
	int reason =
		pl_flow_prepare(hdr, (void *)(long)skb->data_end, from_uplink, ipv6, &f, &opts);

	if (reason)
		return reason;
	return pl_ct_verdict(
		bpf_skb_ct_lookup(skb, &f.tuple, pl_tuple_size(&f, ipv6), &opts, PL_CT_OPTS_SIZE),
		&f, ipv6);
}

static __always_inline int pl_xdp_netfilter_check(struct xdp_md *ctx, const struct pl_headers *hdr,
						  bool ipv6)
{
	struct pl_ct_opts opts = {};
	struct pl_flow f = {};
	int reason = pl_flow_prepare(hdr, (void *)(long)ctx->data_end, true, ipv6, &f, &opts);

	if (reason)
		return reason;
	return pl_ct_verdict(
		bpf_xdp_ct_lookup(ctx, &f.tuple, pl_tuple_size(&f, ipv6), &opts, PL_CT_OPTS_SIZE),
		&f, ipv6);
}

#else /* PODLANE_NETFILTER_BYPASS: every pod flow takes the fast path */

static __always_inline int pl_tc_netfilter_check(struct __sk_buff *skb,
						 const struct pl_headers *hdr, bool from_uplink,
						 bool ipv6)
{
	(void)skb;
	(void)hdr;
	(void)from_uplink;
	(void)ipv6;
	return 0;
}

static __always_inline int pl_xdp_netfilter_check(struct xdp_md *ctx, const struct pl_headers *hdr,
						  bool ipv6)
{
	(void)ctx;
	(void)hdr;
	(void)ipv6;
	return 0;
}

#endif

#endif
