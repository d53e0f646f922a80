/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* Includes and constants every podlane BPF program needs. UAPI headers only:
 * networking programs need no vmlinux.h. */
#ifndef PODLANE_BPF_COMMON_H
#define PODLANE_BPF_COMMON_H

#include <stdbool.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "podlane/abi/maps.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

#define IPV4_MIN_HLEN	      20
#define IPV4_FRAG_OFFSET_MASK 0x1FFF
#define IPV4_MF		      0x2000

/* IPv6 next-header values the programs act on (include/net/ipv6.h). */
#define PL_NEXTHDR_HOP	    0
#define PL_NEXTHDR_ROUTING  43
#define PL_NEXTHDR_FRAGMENT 44
#define PL_NEXTHDR_AUTH	    51
#define PL_NEXTHDR_DEST	    60
#define IPV6_HLEN	    40

#endif
