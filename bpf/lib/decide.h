/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The forwarding decisions, separate from how a hook carries them out, so the
 * TC and XDP programs decide alike and podlanectl's `lookup` can mirror them.
 * The config map is read only on the slow (pass) paths: a forward needs
 * nothing but the route or endpoint entry. */
#ifndef PODLANE_BPF_DECIDE_H
#define PODLANE_BPF_DECIDE_H

#include "maps.h"
#include "parse.h"

struct pl_decision {
	const struct podlane_route_value *route;   /* set for PODLANE_FWD_REMOTE (IPv4) */
	const struct podlane_route6_value *route6; /* set for PODLANE_FWD_REMOTE (IPv6) */
	const struct podlane_endpoint_value *ep;   /* set for PODLANE_FWD_LOCAL */
};

/* Why a destination that no entry claims goes to the kernel. */
static __always_inline int pl_unclaimed_reason(__be32 dst)
{
	const struct podlane_node_config *cfg = pl_config();

	if (!cfg)
		return PODLANE_PASS_NO_CONFIG;
	if (dst == cfg->node_ip || dst == cfg->gateway_ip)
		return PODLANE_PASS_TO_NODE;
	if (pl_is_multicast_or_broadcast(dst))
		return PODLANE_PASS_BROADCAST;
	return PODLANE_PASS_NO_ROUTE;
}

/* A packet sent by a local pod or by the node itself. Returns
 * PODLANE_FWD_REMOTE (d->route set), PODLANE_FWD_LOCAL (d->ep set) or the
 * reason to hand it to the kernel. A packet the node itself sends has made
 * no router hop yet (`forwarding` false): its TTL is not this node's to
 * check, as the kernel would not either (traceroute from the node). */
static __always_inline int pl_decide_from_pod(const struct pl_headers *hdr, struct pl_decision *d,
					      bool forwarding)
{
	__be32 dst = hdr->ip->daddr;

	d->route = pl_route_lookup(dst);
	if (!d->route)
		return pl_unclaimed_reason(dst);

	if (!(d->route->flags & PODLANE_ROUTE_F_LOCAL)) {
		if (forwarding && hdr->ip->ttl <= 1)
			return PODLANE_PASS_TTL_EXPIRED;
		return PODLANE_FWD_REMOTE;
	}

	d->ep = pl_endpoint_lookup(dst);
	if (d->ep)
		return PODLANE_FWD_LOCAL;
	if (pl_unclaimed_reason(dst) == PODLANE_PASS_TO_NODE)
		return PODLANE_PASS_TO_NODE;
	/* Not registered (e.g. created before the agent ran): the bridge still
	 * knows the pod, so let it deliver. */
	return PODLANE_PASS_NO_ENDPOINT;
}

/* A packet arriving on the uplink from another node. Returns
 * PODLANE_FWD_LOCAL (d->ep set) or the reason to pass or drop it. */
static __always_inline int pl_decide_from_uplink(const struct pl_headers *hdr,
						 struct pl_decision *d)
{
	__be32 dst = hdr->ip->daddr;

	d->route = pl_route_lookup(dst);
	if (!d->route || !(d->route->flags & PODLANE_ROUTE_F_LOCAL))
		return pl_unclaimed_reason(dst);

	d->ep = pl_endpoint_lookup(dst);
	if (!d->ep) {
		if (pl_unclaimed_reason(dst) == PODLANE_PASS_TO_NODE)
			return PODLANE_PASS_TO_NODE;
		/* Not registered: a pod added while podlaned was down, or one
		 * gone. The kernel's route to the bridge still delivers the
		 * first and drops the second: dropping here would cut the
		 * first off from every other node. */
		return PODLANE_PASS_NO_ENDPOINT;
	}
	if (hdr->ip->ttl <= 1)
		return PODLANE_PASS_TTL_EXPIRED;
	return PODLANE_FWD_LOCAL;
}

/* --- IPv6: the same decisions over the IPv6 maps ------------------------ */

static __always_inline struct podlane_in6 *pl_ip6_saddr(const struct pl_headers *hdr)
{
	return (struct podlane_in6 *)&hdr->ip6->saddr;
}

static __always_inline struct podlane_in6 *pl_ip6_daddr(const struct pl_headers *hdr)
{
	return (struct podlane_in6 *)&hdr->ip6->daddr;
}

/* Traffic that is never routed: decided before any source check, so that a
 * pod's neighbour solicitations (from :: or fe80::) reach the kernel. */
static __always_inline int pl_ipv6_not_routed(const struct pl_headers *hdr)
{
	if (pl_in6_link_scope(pl_ip6_saddr(hdr)) || pl_in6_link_scope(pl_ip6_daddr(hdr)))
		return PODLANE_PASS_IPV6_SCOPE;
	if (pl_in6_multicast(pl_ip6_daddr(hdr)))
		return PODLANE_PASS_BROADCAST;
	return 0;
}

static __always_inline int pl_unclaimed_reason6(const struct podlane_node_config6 *cfg6,
						const struct podlane_in6 *dst)
{
	if (pl_in6_equal(dst, &cfg6->node_ip) || pl_in6_equal(dst, &cfg6->gateway_ip))
		return PODLANE_PASS_TO_NODE;
	return PODLANE_PASS_NO_ROUTE;
}

/* pl_decide_from_pod for IPv6: PODLANE_FWD_REMOTE (d->route6 set),
 * PODLANE_FWD_LOCAL (d->ep set) or the reason to hand it to the kernel. */
static __always_inline int pl_decide6_from_pod(const struct podlane_node_config6 *cfg6,
					       const struct pl_headers *hdr, struct pl_decision *d,
					       bool forwarding)
{
	const struct podlane_in6 *dst = pl_ip6_daddr(hdr);

	d->route6 = pl_route6_lookup(dst);
	if (!d->route6)
		return pl_unclaimed_reason6(cfg6, dst);
	if (!(d->route6->flags & PODLANE_ROUTE_F_LOCAL)) {
		if (forwarding && hdr->ip6->hop_limit <= 1)
			return PODLANE_PASS_TTL_EXPIRED;
		return PODLANE_FWD_REMOTE;
	}
	d->ep = pl_endpoint6_lookup(dst);
	if (d->ep)
		return PODLANE_FWD_LOCAL;
	if (pl_unclaimed_reason6(cfg6, dst) == PODLANE_PASS_TO_NODE)
		return PODLANE_PASS_TO_NODE;
	return PODLANE_PASS_NO_ENDPOINT;
}

/* pl_decide_from_uplink for IPv6: PODLANE_FWD_LOCAL (d->ep set) or the
 * reason to pass or drop it. */
static __always_inline int pl_decide6_from_uplink(const struct podlane_node_config6 *cfg6,
						  const struct pl_headers *hdr,
						  struct pl_decision *d)
{
	const struct podlane_in6 *dst = pl_ip6_daddr(hdr);

	d->route6 = pl_route6_lookup(dst);
	if (!d->route6 || !(d->route6->flags & PODLANE_ROUTE_F_LOCAL))
		return pl_unclaimed_reason6(cfg6, dst);
	d->ep = pl_endpoint6_lookup(dst);
	if (!d->ep) {
		if (pl_unclaimed_reason6(cfg6, dst) == PODLANE_PASS_TO_NODE)
			return PODLANE_PASS_TO_NODE;
		return PODLANE_PASS_NO_ENDPOINT;
	}
	if (hdr->ip6->hop_limit <= 1)
		return PODLANE_PASS_TTL_EXPIRED;
	return PODLANE_FWD_LOCAL;
}

#endif
