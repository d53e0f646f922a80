/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The one place verdicts are counted. Every exit of every program goes
 * through pl_tc_count() or pl_xdp_count() with exactly one reason. */
#ifndef PODLANE_BPF_STATS_H
#define PODLANE_BPF_STATS_H

#include "maps.h"
#include "monitor.h"

static __always_inline void pl_count(enum podlane_reason reason, __u64 bytes)
{
	__u32 key = reason;
	struct podlane_stat_value *v = bpf_map_lookup_elem(&pl_stats_v2, &key);

	if (v) { /* per-CPU slot: no atomics needed */
		v->packets++;
		v->bytes += bytes;
	}
}

/* The ABI's reasons table asserts that drops, and only drops, sit from
 * PODLANE_REASON_FIRST_DROP on: one comparison instead of a table lookup. */
static __always_inline int pl_reason_is_drop(enum podlane_reason reason)
{
	return reason >= PODLANE_REASON_FIRST_DROP;
}

/* Counted, and reported to a monitor when one asks: every verdict goes
 * through one of these two. next_hop: where a forward sends the packet. */
static __always_inline void pl_tc_count(struct __sk_buff *skb, enum podlane_reason reason,
					__be32 next_hop)
{
	pl_count(reason, skb->len);
	if (!pl_monitor_off())
		pl_monitor_tc(skb, reason, next_hop);
}

static __always_inline void pl_xdp_count(struct xdp_md *ctx, enum podlane_reason reason,
					 __be32 next_hop)
{
	pl_count(reason, ctx->data_end - ctx->data);
	if (!pl_monitor_off())
		pl_monitor_xdp(ctx, reason, next_hop);
}

/* Verdict for a reason that is not a forward: pass or drop, counted. */
static __always_inline int pl_tc_finish(struct __sk_buff *skb, enum podlane_reason reason)
{
	pl_tc_count(skb, reason, 0);
	return pl_reason_is_drop(reason) ? TC_ACT_SHOT : TC_ACT_OK;
}

static __always_inline int pl_xdp_finish(struct xdp_md *ctx, enum podlane_reason reason)
{
	pl_xdp_count(ctx, reason, 0);
	return pl_reason_is_drop(reason) ? XDP_DROP : XDP_PASS;
}

#endif
