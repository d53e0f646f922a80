/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Ethernet + IPv4 header parsing shared by the TC and XDP programs. Every
 * read is preceded by a bounds check the verifier can see; nothing in the
 * packet is trusted. */
#ifndef PODLANE_BPF_PARSE_H
#define PODLANE_BPF_PARSE_H

#include "common.h"

struct pl_headers {
	struct ethhdr *eth;
	struct iphdr *ip;
};

/* Sentinel "not a verdict": the packet is an IPv4 packet with a sane header
 * and pl_headers points into it. Any other value is the reason to stop. */
#define PL_PARSED PODLANE_REASON_MAX

/* Returns PL_PARSED with hdr filled, or the reason this packet is not ours. */
static __always_inline int pl_parse_ipv4(void *data, void *data_end, struct pl_headers *hdr)
{
	struct ethhdr *eth = data;
	struct iphdr *ip;

	if ((void *)(eth + 1) > data_end)
		return PODLANE_DROP_TRUNCATED_ETH;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) || eth->h_proto == bpf_htons(ETH_P_8021AD))
		return PODLANE_PASS_VLAN;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return PODLANE_PASS_NOT_IPV4;

	ip = (void *)(eth + 1);
	if ((void *)ip + IPV4_MIN_HLEN > data_end)
		return PODLANE_DROP_TRUNCATED_IP;
	if (ip->version != 4 || ip->ihl < 5)
		return PODLANE_DROP_BAD_IP_HEADER;
	/* Options are kept and forwarded as the kernel's fast path does; only
	 * their presence in the buffer is checked. */
	if ((void *)ip + ip->ihl * 4 > data_end)
		return PODLANE_DROP_TRUNCATED_IP;
	if (bpf_ntohs(ip->tot_len) < ip->ihl * 4)
		return PODLANE_DROP_BAD_IP_HEADER;

	hdr->eth = eth;
	hdr->ip = ip;
	return PL_PARSED;
}

/* Multicast (224/4) and limited broadcast: never a pod unicast. */
static __always_inline int pl_is_multicast_or_broadcast(__be32 addr)
{
	return (bpf_ntohl(addr) & 0xF0000000) == 0xE0000000 || addr == 0xFFFFFFFF;
}

#endif
