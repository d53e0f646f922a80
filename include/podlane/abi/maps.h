/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one definition of everything that crosses the BPF / user-space boundary:
 * map keys and values, the verdict reasons counted in the stats map, and the
 * names under which maps are pinned. Included by the BPF C (clang -target bpf)
 * and by the C++ side (g++), so it is plain C with fixed-width kernel types and
 * explicit padding; every layout is asserted below.
 *
 * Byte order is named per field: "be" fields are network order, exactly as
 * they appear in the packet, so the fast path never converts.
 *
 * The layout version is part of each map name: a change to a struct below
 * must bump the suffix, so that a newer agent creates new maps beside the old
 * pinned ones instead of failing to reuse them.
 */
#ifndef PODLANE_ABI_MAPS_H
#define PODLANE_ABI_MAPS_H

#include <linux/types.h>

#ifdef __cplusplus
#define PODLANE_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define PODLANE_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#define PODLANE_ETH_ALEN 6

/* Map names; also the file names under the node's pin directory. The kernel
 * keeps 15 characters of a map name, so these stay within that. */
#define PODLANE_MAP_ROUTES     "pl_routes_v1"
#define PODLANE_MAP_ENDPOINTS  "pl_endpoints_v1"
#define PODLANE_MAP_CONFIG     "pl_config_v1"
#define PODLANE_MAP_STATS      "pl_stats_v1"
#define PODLANE_MAP_NEIGHBOURS "pl_neigh_v1"
#define PODLANE_MAP_TX_PORTS   "pl_txports_v1"
/* Router role: the router's own interfaces (ifindex -> MAC), the source MAC
 * of what it forwards out of each. */
#define PODLANE_MAP_ROUTER_PORTS "pl_rtports_v1"

/* Pinned program, used by the CNI plugin to attach the pod-side program to a
 * new pod's host veth when the node runs in per-veth mode. */
#define PODLANE_PIN_PROG_FROM_POD "prog_from_pod"

#define PODLANE_ROUTES_MAX     16384
#define PODLANE_ENDPOINTS_MAX  65536
#define PODLANE_NEIGHBOURS_MAX 4096
#define PODLANE_TX_PORTS_MAX   64

/* Address family of a key: IPv4 only today; IPv6 gets its own maps with the
 * same value layouts so that the IPv4 fast path keeps 4-byte keys. */
enum podlane_family {
	PODLANE_FAMILY_IPV4 = 4,
	PODLANE_FAMILY_IPV6 = 6,
};

/* --- routes: LPM trie, pod CIDR -> owning node --------------------------- */
struct podlane_route_key {
	__u32 prefixlen; /* host order, as the LPM trie requires; 0..32 */
	__be32 prefix;	 /* network order, host bits zero */
};

enum podlane_route_flags {
	/* Entry was written by podlanectl, not by the agent: the agent's
	 * reconcile leaves it alone. */
	PODLANE_ROUTE_F_STATIC = 1u << 0,
	/* Router role: the next hop is the owning node itself on the router's
	 * segment (MAC from the neighbours map). */
	PODLANE_ROUTE_F_ROUTER_NEXTHOP = 1u << 1,
	/* This node's own pod CIDR: the destination is a local pod, found in
	 * the endpoints map. Keeping it in the trie lets one lookup decide every
	 * packet, like the kernel's FIB, and lets a node in router mode hold a
	 * single cluster-wide entry without swallowing its own pods. */
	PODLANE_ROUTE_F_LOCAL = 1u << 2,
};

struct podlane_route_value {
	__be32 node_ip;	      /* owning node (the next hop), network order */
	__u32 uplink_ifindex; /* where to send it, in the node's namespace */
	__u32 flags;	      /* enum podlane_route_flags */
	__u32 family;	      /* enum podlane_family of node_ip */
};

/* --- endpoints: hash, local pod IP -> its host-side veth ----------------- */
struct podlane_endpoint_key {
	__be32 pod_ip; /* network order */
};

enum podlane_endpoint_flags {
	/* The pod-side program is attached to this veth (per-veth mode). */
	PODLANE_ENDPOINT_F_PROG_ATTACHED = 1u << 0,
};

struct podlane_endpoint_value {
	__u32 host_ifindex;		 /* host-side veth in the node's netns */
	__u8 pod_mac[PODLANE_ETH_ALEN];	 /* the pod's eth0 */
	__u8 host_mac[PODLANE_ETH_ALEN]; /* host-side veth */
	__u32 flags;			 /* enum podlane_endpoint_flags */
};

/* --- config: one-entry array, what the programs need to know of the node - */
enum podlane_role {
	PODLANE_ROLE_NODE = 0,
	PODLANE_ROLE_ROUTER = 1,
};

enum podlane_config_flags {
	/* Nodes in router mode: non-local pod traffic goes to the router. */
	PODLANE_CONFIG_F_VIA_ROUTER = 1u << 0,
	/* The pod-side program runs on each pod's host veth, not on the bridge. */
	PODLANE_CONFIG_F_PER_VETH = 1u << 1,
	/* The uplink receives with XDP: XDP_REDIRECT into a pod's veth needs
	 * NAPI on the pod's side, so the CNI plugin turns GRO on there. */
	PODLANE_CONFIG_F_UPLINK_XDP = 1u << 2,
	/* The programs skip the conntrack check (`podlaned --netfilter
	 * bypass`): every pod flow takes the fast path from its first packet.
	 * Informational (the programs are built without the check); read by
	 * podlanectl. */
	PODLANE_CONFIG_F_NETFILTER_BYPASS = 1u << 3,
};

struct podlane_node_config {
	__be32 node_ip;	     /* network order */
	__be32 gateway_ip;   /* network order: the bridge's address */
	__be32 pod_cidr;     /* network order, host bits zero */
	__u32 pod_prefixlen; /* host order */
	__u32 bridge_ifindex;
	__u32 uplink_ifindex;
	__u32 hostdev_ifindex;		    /* device carrying the cluster aggregate route */
	__u8 gateway_mac[PODLANE_ETH_ALEN]; /* the bridge's MAC: pods' gateway */
	__u16 role;			    /* enum podlane_role */
	__u32 flags;			    /* enum podlane_config_flags */
	__u32 uplink_mtu;		    /* host order; 0 = let bpf_check_mtu decide */
};

/* --- neighbours (router role): node IP -> its MAC on the segment --------- */
struct podlane_neighbour_key {
	__be32 ip;
};

struct podlane_neighbour_value {
	__u8 mac[PODLANE_ETH_ALEN];
	__u16 pad;
	__u32 ifindex; /* router interface the neighbour sits behind */
};

/* --- router ports (router role): ifindex -> the interface's own MAC ------ */
/* The tx-ports devmap (PODLANE_MAP_TX_PORTS) is keyed and valued by the same
 * ifindex (a __u32 each): XDP_REDIRECT goes through it. */
struct podlane_router_port_key {
	__u32 ifindex;
};

enum podlane_router_port_flags {
	/* The interface is a veth whose peer lives in another namespace: a
	 * frame forwarded back out of it can go straight to the peer's ingress
	 * (bpf_redirect_peer), skipping the transmit and backlog hand-off. */
	PODLANE_ROUTER_PORT_F_VETH_PEER = 1u << 0,
};

struct podlane_router_port_value {
	__u8 mac[PODLANE_ETH_ALEN]; /* source MAC of forwarded frames */
	__u16 flags;		    /* enum podlane_router_port_flags */
	__u32 mtu;		    /* host order; informational, bpf_check_mtu decides */
};

/* --- stats: per-CPU array indexed by reason ------------------------------ */
/* Every verdict of every program is counted under exactly one reason. Keep
 * the numbering stable: it is the index into a pinned map. Names for humans
 * live in lib/reasons.cpp. */
enum podlane_reason {
	PODLANE_FWD_REMOTE = 0, /* redirected toward the owning node */
	PODLANE_FWD_LOCAL = 1,	/* delivered straight into a local pod */
	PODLANE_FWD_ROUTER = 2, /* router role: forwarded in BPF */

	PODLANE_PASS_NOT_IPV4 = 10,	 /* ARP, IPv6, LLDP, ...: kernel handles */
	PODLANE_PASS_VLAN = 11,		 /* 802.1Q/802.1ad tagged */
	PODLANE_PASS_NO_ROUTE = 12,	 /* destination outside all pod CIDRs */
	PODLANE_PASS_TO_NODE = 13,	 /* destination is this node / gateway */
	PODLANE_PASS_TTL_EXPIRED = 14,	 /* TTL <= 1: kernel sends time-exceeded */
	PODLANE_PASS_FRAG_NEEDED = 15,	 /* larger than uplink MTU: kernel sends
					    fragmentation-needed */
	PODLANE_PASS_NO_CONFIG = 16,	 /* agent has not written the config yet */
	PODLANE_PASS_NEIGH_UNKNOWN = 17, /* router: next hop's MAC not learned */
	PODLANE_PASS_BROADCAST = 18,	 /* multicast/broadcast IPv4 destination */
	PODLANE_PASS_NO_ENDPOINT = 19,	 /* from a pod: local pod CIDR, endpoint not
					    registered; the bridge delivers it */
	PODLANE_PASS_MALFORMED = 20,	 /* router: truncated or malformed frame,
					    left to the kernel (which drops it) */
	PODLANE_PASS_NO_PORT = 21,	 /* router: next hop's interface is not
					    one the router forwards on */
	/* Netfilter-compatible mode: netfilter keeps authority over these. */
	PODLANE_PASS_FLOW_NEW = 22,	   /* conntrack holds no established entry
					      for this TCP/UDP flow (new flow,
					      handshake, first reply, a SYN) */
	PODLANE_PASS_FLOW_TRANSLATED = 23, /* the flow's conntrack entry rewrites
					    addresses or ports (Service DNAT,
					    masquerade, IPVS) */
	PODLANE_PASS_FLOW_UNTRACKED = 24,  /* not TCP/UDP (ICMP, SCTP, ...) or an
					     IP fragment: conntrack cannot be asked
					     from BPF, so the stack decides */
	PODLANE_PASS_PEER_NOT_POD = 25,	   /* from the uplink, sent by no other
					      node's pod (a node, an outside host):
					      the replies go through the stack, so
					      conntrack must see this side too */

	PODLANE_DROP_TRUNCATED_ETH = 30,   /* shorter than an Ethernet header */
	PODLANE_DROP_TRUNCATED_IP = 31,	   /* shorter than its IPv4 header */
	PODLANE_DROP_BAD_IP_HEADER = 32,   /* version != 4, IHL < 5, bad length */
	PODLANE_DROP_NO_ENDPOINT = 33,	   /* in the local pod CIDR, no such pod */
	PODLANE_DROP_REDIRECT_FAILED = 34, /* helper refused the redirect */
	PODLANE_DROP_NO_UPLINK = 35,	   /* route names no usable interface */

	PODLANE_REASON_MAX = 40,
};

struct podlane_stat_value {
	__u64 packets;
	__u64 bytes;
};

/* --- layout checks: no implicit padding, same on both sides -------------- */
PODLANE_ASSERT(sizeof(struct podlane_route_key) == 8, "route key layout");
PODLANE_ASSERT(sizeof(struct podlane_route_value) == 16, "route value layout");
PODLANE_ASSERT(sizeof(struct podlane_endpoint_key) == 4, "endpoint key layout");
PODLANE_ASSERT(sizeof(struct podlane_endpoint_value) == 20, "endpoint value layout");
PODLANE_ASSERT(sizeof(struct podlane_node_config) == 44, "node config layout");
PODLANE_ASSERT(sizeof(struct podlane_neighbour_key) == 4, "neighbour key layout");
PODLANE_ASSERT(sizeof(struct podlane_neighbour_value) == 12, "neighbour value layout");
PODLANE_ASSERT(sizeof(struct podlane_stat_value) == 16, "stat value layout");
PODLANE_ASSERT(sizeof(struct podlane_router_port_key) == 4, "router port key layout");
PODLANE_ASSERT(sizeof(struct podlane_router_port_value) == 12, "router port value layout");

#endif /* PODLANE_ABI_MAPS_H */
