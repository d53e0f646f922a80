/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* What a router does to a packet it forwards. Works on direct packet
 * pointers, so TC and XDP share it. */
#ifndef PODLANE_BPF_L3_H
#define PODLANE_BPF_L3_H

#include "common.h"

/* TTL - 1 with an incremental checksum update (RFC 1624), the same
 * arithmetic as the kernel's ip_decrease_ttl(). Callers have checked TTL > 1. */
static __always_inline void pl_decrement_ttl(struct iphdr *ip)
{
	__u32 check = (__u32)ip->check;

	check += (__u32)bpf_htons(0x0100);
	ip->check = (__sum16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

static __always_inline void pl_set_macs(struct ethhdr *eth, const __u8 *dst, const __u8 *src)
{
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
}

#endif
