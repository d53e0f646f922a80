/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Sampled, rate-limited events for `podlanectl monitor`. Off (the default,
 * and whenever no reader renews the switch) a packet pays one lookup of a
 * one-entry array map, which the verifier inlines, and one comparison. */
#ifndef PODLANE_BPF_MONITOR_H
#define PODLANE_BPF_MONITOR_H

#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct podlane_monitor_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_monitor_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct podlane_monitor_rate);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_monrate_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PODLANE_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_events_v1 SEC(".maps");

static __always_inline __u32 pl_monitor_type_of(enum podlane_reason reason)
{
	if (reason >= PODLANE_REASON_FIRST_DROP)
		return PODLANE_MONITOR_DROP;
	return reason >= PODLANE_REASON_FIRST_PASS ? PODLANE_MONITOR_PASS : PODLANE_MONITOR_FORWARD;
}

/* The switch, when this packet is to be reported: on, of a selected type,
 * picked by the sampling. NULL otherwise (the common case). */
static __always_inline const struct podlane_monitor_config *
pl_monitor_wanted(enum podlane_reason reason)
{
	__u32 zero = 0;
	struct podlane_monitor_config *m = bpf_map_lookup_elem(&pl_monitor_v1, &zero);

	if (!m || !m->until_ns)
		return NULL;
	if (!(m->types & pl_monitor_type_of(reason)))
		return NULL;
	if (bpf_ktime_get_ns() > m->until_ns) {
		/* Its reader is gone (killed): back to the one-compare path. A
		 * live reader renews long before this. */
		m->until_ns = 0;
		return NULL;
	}
	if (m->sample_every > 1 && bpf_get_prandom_u32() % m->sample_every)
		return NULL;
	return m;
}

/* Per-CPU budget of max_per_sec events per second; how many the budget
 * dropped since the last event sent goes with the next one. */
static __always_inline bool pl_monitor_budget(const struct podlane_monitor_config *m,
					      __u32 *suppressed)
{
	__u32 zero = 0;
	struct podlane_monitor_rate *r = bpf_map_lookup_elem(&pl_monrate_v1, &zero);
	__u64 now;

	if (!r)
		return false;
	if (!m->max_per_sec) {
		*suppressed = 0;
		r->suppressed = 0; /* none: a later limited session starts clean */
		return true;
	}
	now = bpf_ktime_get_ns();
	if (now - r->window_ns >= 1000000000ULL) {
		r->window_ns = now;
		r->sent = 0;
	}
	if (r->sent >= m->max_per_sec) {
		r->suppressed++;
		return false;
	}
	r->sent++;
	*suppressed = r->suppressed;
	r->suppressed = 0;
	return true;
}

/* The addresses and ports of an Ethernet + IPv4 frame, read again here (the
 * programs' parse state is not at hand at every exit): a malformed or
 * non-IPv4 frame leaves them zero. */
static __always_inline void pl_monitor_tuple(struct podlane_event *ev, void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 ihl;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return;
	ev->protocol = ip->protocol;
	ev->saddr = ip->saddr;
	ev->daddr = ip->daddr;
	ihl = ip->ihl * 4;
	if (ihl < IPV4_MIN_HLEN || (ip->frag_off & bpf_htons(IPV4_FRAG_OFFSET_MASK)))
		return;
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		__be16 *ports = (void *)ip + ihl;

		if ((void *)(ports + 2) > data_end)
			return;
		ev->sport = ports[0];
		ev->dport = ports[1];
	}
}

/* Inlined at every verdict: off, this is all a packet pays. */
static __always_inline bool pl_monitor_off(void)
{
	__u32 zero = 0;
	const struct podlane_monitor_config *m = bpf_map_lookup_elem(&pl_monitor_v1, &zero);

	return !m || !m->until_ns;
}

static __always_inline void pl_monitor_emit(enum podlane_reason reason, void *data, void *data_end,
					    __u32 ifindex, __u32 len, __be32 next_hop)
{
	const struct podlane_monitor_config *m = pl_monitor_wanted(reason);
	struct podlane_event *ev;
	__u32 suppressed = 0;

	if (!m || !pl_monitor_budget(m, &suppressed))
		return;
	ev = bpf_ringbuf_reserve(&pl_events_v1, sizeof(*ev), 0);
	if (!ev) /* the reader is behind: lose the event, never the packet */
		return;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->ts_ns = bpf_ktime_get_ns();
	ev->ifindex = ifindex;
	ev->len = len;
	ev->reason = reason;
	ev->next_hop = next_hop;
	ev->suppressed = suppressed;
	pl_monitor_tuple(ev, data, data_end);
	bpf_ringbuf_submit(ev, 0);
}

/* One copy of the event path per program (a BPF-to-BPF call), not one per
 * verdict: the programs stay small for the verifier and the I-cache. */
static __noinline __attribute__((unused)) void pl_monitor_tc(struct __sk_buff *skb, __u32 reason,
							     __be32 next_hop)
{
	pl_monitor_emit(reason, (void *)(long)skb->data, (void *)(long)skb->data_end, skb->ifindex,
			skb->len, next_hop);
}

static __noinline __attribute__((unused)) void pl_monitor_xdp(struct xdp_md *ctx, __u32 reason,
							      __be32 next_hop)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;

	pl_monitor_emit(reason, data, data_end, ctx->ingress_ifindex, data_end - data, next_hop);
}

#endif
