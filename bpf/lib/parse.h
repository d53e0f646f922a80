/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Ethernet + IPv4 / IPv6 header parsing shared by the TC and XDP programs. Every
 * read is preceded by a bounds check the verifier can see; nothing in the
 * packet is trusted. */
#ifndef PODLANE_BPF_PARSE_H
#define PODLANE_BPF_PARSE_H

#include "common.h"
#include "maps.h"

struct pl_headers {
	struct ethhdr *eth;
	struct iphdr *ip;
	/* IPv6 only: the header, and what follows the extension headers. */
	struct ipv6hdr *ip6;
	__u8 *l4;      /* the upper-layer header; NULL in a non-first fragment */
	__u8 l4_proto; /* its next-header value */
	bool fragment; /* a fragment header was seen */
};

/* Sentinels "not a verdict": the packet is an IPv4 (PL_PARSED) or IPv6
 * (PL_PARSED6) packet with a sane header and pl_headers points into it. Any
 * other value is the reason to stop. */
#define PL_PARSED  PODLANE_REASON_MAX
#define PL_PARSED6 (PODLANE_REASON_MAX + 1)

/* Extension headers walked to find the upper-layer header, as Cilium does;
 * a chain longer than this goes to the kernel. */
#define PL_IPV6_MAX_EXTHDRS 4

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

/* The IPv6 header, then its extension headers up to the upper-layer one.
 * Every length is computed from bytes checked to be in the buffer before
 * the cursor moves; a chain the walk cannot finish (too long, past the
 * buffer) goes to the kernel rather than being guessed at. Hop-by-hop
 * options are the kernel's to act on (router alert, jumbograms). */
static __always_inline int pl_parse_ipv6(struct ethhdr *eth, void *data_end, struct pl_headers *hdr)
{
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u8 *cursor;
	__u8 nexthdr;

	if ((void *)(ip6 + 1) > data_end)
		return PODLANE_DROP_TRUNCATED_IPV6;
	if (ip6->version != 6)
		return PODLANE_DROP_BAD_IPV6_HEADER;

	nexthdr = ip6->nexthdr;
	cursor = (__u8 *)(ip6 + 1);
	hdr->fragment = false;
#pragma unroll
	for (int i = 0; i < PL_IPV6_MAX_EXTHDRS; i++) {
		__u32 len;

		if (nexthdr == PL_NEXTHDR_HOP)
			return PODLANE_PASS_IPV6_EXTHDR;
		if (nexthdr != PL_NEXTHDR_ROUTING && nexthdr != PL_NEXTHDR_DEST &&
		    nexthdr != PL_NEXTHDR_AUTH && nexthdr != PL_NEXTHDR_FRAGMENT)
			goto upper_layer;
		if ((void *)(cursor + 8) > data_end) /* every one is 8 bytes at least */
			return PODLANE_PASS_IPV6_EXTHDR;
		if (nexthdr == PL_NEXTHDR_FRAGMENT) {
			hdr->fragment = true;
			/* Offset non-zero: the upper-layer header is in the
			 * first fragment, not this one. */
			if (*(__be16 *)(cursor + 2) & bpf_htons(0xFFF8)) {
				hdr->eth = eth;
				hdr->ip = NULL;
				hdr->ip6 = ip6;
				hdr->l4 = NULL;
				hdr->l4_proto = cursor[0];
				return PL_PARSED6;
			}
			len = 8;
		} else if (nexthdr == PL_NEXTHDR_AUTH) {
			len = ((__u32)cursor[1] + 2) << 2;
		} else {
			len = ((__u32)cursor[1] + 1) << 3;
		}
		nexthdr = cursor[0];
		cursor += len;
	}
	if (nexthdr == PL_NEXTHDR_HOP || nexthdr == PL_NEXTHDR_ROUTING ||
	    nexthdr == PL_NEXTHDR_DEST || nexthdr == PL_NEXTHDR_AUTH ||
	    nexthdr == PL_NEXTHDR_FRAGMENT)
		return PODLANE_PASS_IPV6_EXTHDR;
upper_layer:
	hdr->eth = eth;
	hdr->ip = NULL;
	hdr->ip6 = ip6;
	hdr->l4 = cursor;
	hdr->l4_proto = nexthdr;
	return PL_PARSED6;
}

/* Either family: PL_PARSED, PL_PARSED6 or the reason to stop. IPv6 is
 * parsed only on a node that routes IPv6 pods; elsewhere it is the kernel's,
 * as everything else that is not IPv4. IPv4 packets never read the IPv6
 * config. */
static __always_inline int pl_parse_l3(void *data, void *data_end, struct pl_headers *hdr)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return PODLANE_DROP_TRUNCATED_ETH;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		const struct podlane_node_config *shared;

		if (!pl_config6(&shared))
			return PODLANE_PASS_NOT_IPV4;
		return pl_parse_ipv6(eth, data_end, hdr);
	}
	return pl_parse_ipv4(data, data_end, hdr);
}

/* The IPv4 header checksum verifies (RFC 1071: the one's complement sum of
 * the header, checksum included, is 0xFFFF). The fixed 20 bytes are summed
 * straight (pl_parse_ipv4 checked they are in the buffer); options, rare,
 * in a bounded loop whose every 16-bit read is checked against data_end. */
static __always_inline bool pl_ipv4_csum_ok(const struct iphdr *ip, void *data_end)
{
	const __u16 *word = (const __u16 *)ip;
	__u32 sum = 0;

	sum += word[0] + word[1] + word[2] + word[3] + word[4];
	sum += word[5] + word[6] + word[7] + word[8] + word[9];
	if (ip->ihl > 5) {
		const __u16 *cursor = word + 10;
		__u32 option_words = (ip->ihl - 5) * 2;

#pragma clang loop unroll(disable)
		for (__u32 i = 0; i < 20; i++) { /* at most 40 bytes of options */
			if (i >= option_words)
				break;
			/* Keeps clang from moving the arithmetic onto data_end,
			 * which the verifier refuses. */
			asm volatile("" : "+r"(cursor));
			if ((void *)(cursor + 1) > data_end)
				return false;
			sum += *cursor++;
		}
	}
	sum = (sum & 0xFFFF) + (sum >> 16);
	sum = (sum & 0xFFFF) + (sum >> 16);
	return sum == 0xFFFF;
}

/* What the kernel's ip_rcv checks before it routes a packet, and the parse
 * above does not: the total length fits the frame (l3_len: bytes from the
 * IP header to the end of the packet), and the header checksum. Run only on
 * the way to a forward: whatever goes to the kernel is checked there.
 * Returns 0 or the drop reason. */
static __always_inline int pl_check_ip_rcv(const struct iphdr *ip, void *data_end, __u32 l3_len)
{
	if (bpf_ntohs(ip->tot_len) > l3_len)
		return PODLANE_DROP_TRUNCATED_IP;
	if (!pl_ipv4_csum_ok(ip, data_end))
		return PODLANE_DROP_BAD_IP_CHECKSUM;
	return 0;
}

/* What ip6_rcv checks before it routes a packet: the payload length fits
 * the frame (l3_len: bytes from the IPv6 header on). A payload length of 0
 * without hop-by-hop options (which never get here) is a packet of no
 * payload, which the kernel forwards too. */
static __always_inline int pl_check_ipv6_rcv(const struct ipv6hdr *ip6, __u32 l3_len)
{
	if ((__u32)bpf_ntohs(ip6->payload_len) + IPV6_HLEN > l3_len)
		return PODLANE_DROP_TRUNCATED_IPV6;
	return 0;
}

static __always_inline bool pl_mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Multicast (224/4) and limited broadcast: never a pod unicast. */
static __always_inline int pl_is_multicast_or_broadcast(__be32 addr)
{
	return (bpf_ntohl(addr) & 0xF0000000) == 0xE0000000 || addr == 0xFFFFFFFF;
}

#endif
