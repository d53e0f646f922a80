/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Source addresses are untrusted input: a pod may send only from its own
 * address, and the uplink never brings martians or this node's own pod
 * addresses. Each check returns 0 (accepted) or the drop reason. */
#ifndef PODLANE_BPF_SOURCE_H
#define PODLANE_BPF_SOURCE_H

#include "maps.h"
#include "parse.h"

/* Host-order mask of a prefix length 0..32. */
static __always_inline __u32 pl_prefix_mask(__u32 prefixlen)
{
	if (prefixlen == 0)
		return 0;
	if (prefixlen >= 32)
		return 0xFFFFFFFF;
	return 0xFFFFFFFF << (32 - prefixlen);
}

static __always_inline bool pl_in_pod_cidr(const struct podlane_node_config *cfg, __be32 addr)
{
	__u32 mask = pl_prefix_mask(cfg->pod_prefixlen);

	return (bpf_ntohl(addr) & mask) == (bpf_ntohl(cfg->pod_cidr) & mask);
}

/* The exemption is looked up only once a check failed: the fast path of
 * every pod that sends from its own address never reads this map. */
static __always_inline bool pl_source_exempt(__u32 ifindex, const __u8 *mac)
{
	struct podlane_src_exempt_key key = {.ifindex = ifindex};
	const struct podlane_src_exempt_value *v;

	if (mac)
		__builtin_memcpy(key.mac, mac, ETH_ALEN);
	v = bpf_map_lookup_elem(&pl_srcexempt_v1, &key);
	return v && (v->flags & PODLANE_SRC_EXEMPT_F_ANY_SOURCE);
}

/* A packet a pod sent, at TC ingress of its host veth (per-veth mode) or of
 * the bridge. Per-veth: the source must be the endpoint whose veth it came
 * in on (one endpoint lookup). Bridge: which port it came from is not known
 * here, so the source must be a pod address of this node (a compare against
 * the config): one pod can still use another local pod's address there. */
static __always_inline int pl_check_pod_source(const struct podlane_node_config *cfg,
					       const struct pl_headers *hdr, __u32 ingress_ifindex)
{
	__be32 src = hdr->ip->saddr;
	__u32 host_bits;

	if (ingress_ifindex != cfg->bridge_ifindex) {
		const struct podlane_endpoint_value *ep = pl_endpoint_lookup(src);

		if (ep && ep->host_ifindex == ingress_ifindex)
			return 0;
		if (pl_source_exempt(ingress_ifindex, NULL))
			return 0;
		return PODLANE_DROP_SPOOFED_SOURCE;
	}

	host_bits = bpf_ntohl(src) & ~pl_prefix_mask(cfg->pod_prefixlen);
	if (pl_in_pod_cidr(cfg, src) && src != cfg->gateway_ip && host_bits != 0 &&
	    host_bits != ~pl_prefix_mask(cfg->pod_prefixlen))
		return 0;
	if (pl_source_exempt(0, hdr->eth->h_source))
		return 0;
	return PODLANE_DROP_SOURCE_NOT_LOCAL_POD;
}

/* A packet arriving on the uplink: sources no host may use on a wire, as
 * the kernel's ip_route_input judges them (group addresses, 0/8 except
 * toward the limited broadcast: a DHCP client's, loopback) and this node's
 * own pod addresses, which only its local pods send from. */
static __always_inline int pl_check_uplink_source(const struct podlane_node_config *cfg,
						  const struct iphdr *ip)
{
	__u32 first_octet = bpf_ntohl(ip->saddr) >> 24;

	if ((first_octet & 0xF0) == 0xE0 || ip->saddr == 0xFFFFFFFF || first_octet == 127)
		return PODLANE_DROP_MARTIAN_SOURCE;
	if (first_octet == 0 && ip->daddr != 0xFFFFFFFF)
		return PODLANE_DROP_MARTIAN_SOURCE;
	if (pl_in_pod_cidr(cfg, ip->saddr))
		return PODLANE_DROP_LOCAL_SOURCE_ON_UPLINK;
	return 0;
}

/* --- IPv6 --------------------------------------------------------------- */

/* addr lies in cidr/prefixlen (0..128), a word at a time. */
static __always_inline bool pl_in6_prefix(const struct podlane_in6 *addr,
					  const struct podlane_in6 *cidr, __u32 prefixlen)
{
#pragma unroll
	for (__u32 i = 0; i < 4; i++) {
		__u32 bits = prefixlen > 32 * i ? prefixlen - 32 * i : 0;
		__u32 mask = pl_prefix_mask(bits);

		if ((bpf_ntohl(addr->words[i]) & mask) != (bpf_ntohl(cidr->words[i]) & mask))
			return false;
	}
	return true;
}

/* The host part of addr under prefixlen is all zero: the subnet-router
 * anycast address, which no pod holds. */
static __always_inline bool pl_in6_host_bits_zero(const struct podlane_in6 *addr, __u32 prefixlen)
{
#pragma unroll
	for (__u32 i = 0; i < 4; i++) {
		__u32 bits = prefixlen > 32 * i ? prefixlen - 32 * i : 0;

		if (bpf_ntohl(addr->words[i]) & ~pl_prefix_mask(bits))
			return false;
	}
	return true;
}

/* pl_check_pod_source for IPv6: per-veth, the endpoint whose veth it came in
 * on; bridge, an address of this node's IPv6 pod CIDR other than the
 * gateway's and the subnet-router anycast. */
static __always_inline int pl_check_pod_source6(const struct podlane_node_config *cfg,
						const struct podlane_node_config6 *cfg6,
						const struct pl_headers *hdr, __u32 ingress_ifindex)
{
	const struct podlane_in6 *src = (const struct podlane_in6 *)&hdr->ip6->saddr;

	if (ingress_ifindex != cfg->bridge_ifindex) {
		const struct podlane_endpoint_value *ep = pl_endpoint6_lookup(src);

		if (ep && ep->host_ifindex == ingress_ifindex)
			return 0;
		if (pl_source_exempt(ingress_ifindex, NULL))
			return 0;
		return PODLANE_DROP_SPOOFED_SOURCE;
	}
	if (pl_in6_prefix(src, &cfg6->pod_cidr, cfg6->pod_prefixlen) &&
	    !pl_in6_equal(src, &cfg6->gateway_ip) &&
	    !pl_in6_host_bits_zero(src, cfg6->pod_prefixlen))
		return 0;
	if (pl_source_exempt(0, hdr->eth->h_source))
		return 0;
	return PODLANE_DROP_SOURCE_NOT_LOCAL_POD;
}

/* pl_check_uplink_source for IPv6: what ip6_rcv drops as a source on a wire
 * (multicast, loopback, IPv4-mapped) and this node's own pod addresses.
 * Link-local and unspecified sources were passed before this. */
static __always_inline int pl_check_uplink_source6(const struct podlane_node_config6 *cfg6,
						   const struct ipv6hdr *ip6)
{
	const struct podlane_in6 *src = (const struct podlane_in6 *)&ip6->saddr;
	bool upper_zero = !(src->words[0] | src->words[1]);

	if (pl_in6_multicast(src))
		return PODLANE_DROP_MARTIAN_SOURCE;
	if (upper_zero && !src->words[2] && src->words[3] == bpf_htonl(1))
		return PODLANE_DROP_MARTIAN_SOURCE;
	if (upper_zero && src->words[2] == bpf_htonl(0x0000FFFF))
		return PODLANE_DROP_MARTIAN_SOURCE;
	if (pl_in6_prefix(src, &cfg6->pod_cidr, cfg6->pod_prefixlen))
		return PODLANE_DROP_LOCAL_SOURCE_ON_UPLINK;
	return 0;
}

#endif
