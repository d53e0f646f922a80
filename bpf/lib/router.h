/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The router role's forwarding decision, shared by xdp_router.c and
 * tc_router.c: a packet for a pod CIDR goes to the node that owns it, on the
 * router's segment, as an IP router would send it (TTL - 1, the node's MAC
 * as destination, the router interface's MAC as source). Anything the router
 * cannot or should not forward is passed to the kernel, counted. */
#ifndef PODLANE_BPF_ROUTER_H
#define PODLANE_BPF_ROUTER_H

#include "decide.h"
#include "l3.h"
#include "stats.h"

/* Node IP -> its MAC and the router interface it sits behind; written by
 * the agent from the kernel's neighbour table. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PODLANE_NEIGHBOURS_MAX);
	__type(key, struct podlane_neighbour_key);
	__type(value, struct podlane_neighbour_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_neigh_v1 SEC(".maps");

/* The router's own interfaces: ifindex -> MAC (source of forwarded frames). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PODLANE_TX_PORTS_MAX);
	__type(key, struct podlane_router_port_key);
	__type(value, struct podlane_router_port_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_rtports_v1 SEC(".maps");

struct pl_router_hop {
	__u32 ifindex;	  /* egress interface */
	__u32 port_flags; /* enum podlane_router_port_flags of the egress */
	__be32 node_ip;	  /* the owning node: the next hop */
	const __u8 *dst_mac;
	const __u8 *src_mac;
};

static __always_inline const struct podlane_neighbour_value *pl_neighbour_lookup(__be32 ip)
{
	struct podlane_neighbour_key key = {.ip = ip};

	return bpf_map_lookup_elem(&pl_neigh_v1, &key);
}

static __always_inline const struct podlane_router_port_value *pl_router_port_lookup(__u32 ifindex)
{
	struct podlane_router_port_key key = {.ifindex = ifindex};

	return bpf_map_lookup_elem(&pl_rtports_v1, &key);
}

/* A router hands everything it does not forward to the kernel, malformed
 * frames included (the kernel drops those): one pass reason for them. */
static __always_inline int pl_router_pass_reason(int reason)
{
	return pl_reason_is_drop(reason) ? PODLANE_PASS_MALFORMED : reason;
}

/* Returns PODLANE_FWD_ROUTER with hop filled, or the reason to pass. */
static __always_inline int pl_router_decide(const struct pl_headers *hdr, struct pl_router_hop *hop)
{
	const struct podlane_route_value *route;
	const struct podlane_neighbour_value *neigh;
	const struct podlane_router_port_value *port;
	__be32 dst = hdr->ip->daddr;

	route = pl_route_lookup(dst);
	if (!route)
		return pl_unclaimed_reason(dst);
	if (hdr->ip->ttl <= 1)
		return PODLANE_PASS_TTL_EXPIRED;
	neigh = pl_neighbour_lookup(route->node_ip);
	if (!neigh)
		return PODLANE_PASS_NEIGH_UNKNOWN;
	port = pl_router_port_lookup(neigh->ifindex);
	if (!port)
		return PODLANE_PASS_NO_PORT;

	hop->ifindex = neigh->ifindex;
	hop->node_ip = route->node_ip;
	hop->port_flags = port->flags;
	hop->dst_mac = neigh->mac;
	hop->src_mac = port->mac;
	return PODLANE_FWD_ROUTER;
}

/* What a router does to the frame it forwards. */
static __always_inline void pl_router_rewrite(const struct pl_headers *hdr,
					      const struct pl_router_hop *hop)
{
	pl_decrement_ttl(hdr->ip);
	pl_set_macs(hdr->eth, hop->dst_mac, hop->src_mac);
}

#endif
