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
#define PODLANE_MAP_STATS      "pl_stats_v2"
#define PODLANE_MAP_NEIGHBOURS "pl_neigh_v1"
#define PODLANE_MAP_TX_PORTS   "pl_txports_v1"
/* Router role: the router's own interfaces (ifindex -> MAC), the source MAC
 * of what it forwards out of each. */
#define PODLANE_MAP_ROUTER_PORTS "pl_rtports_v1"
/* Pods allowed to send from addresses not their own (anti-spoofing opt-out),
 * written by the CNI plugin at ADD, removed at DEL. */
#define PODLANE_MAP_SRC_EXEMPT "pl_srcexempt_v1"
/* IPv6: the same roles with 16-byte addresses, in maps of their own so that
 * the IPv4 fast path keeps its 4-byte keys and an IPv4-only node pays
 * nothing for them. */
#define PODLANE_MAP_ROUTES6    "pl_routes6_v1"
#define PODLANE_MAP_ENDPOINTS6 "pl_endpts6_v1"
#define PODLANE_MAP_CONFIG6    "pl_config6_v1"

/* The live drop monitor (`podlanectl monitor`): its switch, a per-CPU rate
 * limiter, and the ring buffer the programs write sampled events into. */
#define PODLANE_MAP_MONITOR	 "pl_monitor_v1"
#define PODLANE_MAP_MONITOR_RATE "pl_monrate_v1"
#define PODLANE_MAP_EVENTS	 "pl_events_v1"
#define PODLANE_EVENTS_BYTES	 (256 * 1024) /* ring buffer size: a power of 2 pages */

/* Pinned program, used by the CNI plugin to attach the pod-side program to a
 * new pod's host veth when the node runs in per-veth mode. */
#define PODLANE_PIN_PROG_FROM_POD "prog_from_pod"

#define PODLANE_ROUTES_MAX     16384
#define PODLANE_ENDPOINTS_MAX  65536
#define PODLANE_NEIGHBOURS_MAX 4096
#define PODLANE_TX_PORTS_MAX   64
#define PODLANE_SRC_EXEMPT_MAX 65536

/* Address family of a route's next hop (podlane_route_value.family). IPv6
 * routes live in their own maps (podlane_route6_*), whose next hop is always
 * an IPv6 address. */
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

/* --- IPv6 routes and endpoints (PODLANE_MAP_ROUTES6, _ENDPOINTS6) ------- */
/* An IPv6 address as four network-order words: the programs compare it a
 * word at a time. */
struct podlane_in6 {
	__be32 words[4];
};

struct podlane_route6_key {
	__u32 prefixlen;	   /* host order, as the LPM trie requires; 0..128 */
	struct podlane_in6 prefix; /* host bits zero */
};

struct podlane_route6_value {
	struct podlane_in6 node_ip; /* the owning node's IPv6 address: the next hop */
	__u32 uplink_ifindex;
	__u32 flags; /* enum podlane_route_flags */
};

struct podlane_endpoint6_key {
	struct podlane_in6 pod_ip;
};
/* value: struct podlane_endpoint_value, as for IPv4 */

/* --- source exemptions: hash, sending port -> what it may send ---------- */
/* Looked up only when a pod's packet fails the source check, so the fast
 * path never pays for it. Two entries per exempt pod, one per attach mode:
 * per-veth mode keys by the host veth (ifindex set, mac zero), which the pod
 * cannot forge; bridge mode sees only the bridge, so it keys by the pod's
 * MAC (ifindex 0). */
struct podlane_src_exempt_key {
	__u32 ifindex;		    /* host veth; 0 in the bridge-mode entry */
	__u8 mac[PODLANE_ETH_ALEN]; /* pod's MAC in the bridge-mode entry, else zero */
	__u16 pad;		    /* zero */
};

enum podlane_src_exempt_flags {
	/* The pod may send with any source address (a router, a VPN, a VM). */
	PODLANE_SRC_EXEMPT_F_ANY_SOURCE = 1u << 0,
};

struct podlane_src_exempt_value {
	__u32 flags; /* enum podlane_src_exempt_flags */
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

/* --- IPv6 config: one-entry array (PODLANE_MAP_CONFIG6) ----------------- */
/* The node's IPv6 side. Everything not per-family (interfaces, the gateway's
 * MAC, role, flags) stays in podlane_node_config, which the agent writes
 * first; pod_prefixlen 0 means "this node routes no IPv6 pods". */
struct podlane_node_config6 {
	struct podlane_in6 node_ip;    /* the node's address on the segment */
	struct podlane_in6 gateway_ip; /* the bridge's address: pods' gateway */
	struct podlane_in6 pod_cidr;   /* host bits zero */
	__u32 pod_prefixlen;	       /* host order; 0 = no IPv6 */
	__u32 pad;		       /* zero */
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
/* Every verdict of every program is counted under exactly one reason. This
 * table is the one list of them: it generates the enum below, the C++ names
 * and descriptions (lib/reasons.cpp) and the verdict class of each reason.
 * Keep the numbering stable: it is the index into a pinned map. Forwards sit
 * below PODLANE_REASON_FIRST_PASS, passes below PODLANE_REASON_FIRST_DROP,
 * drops above, so the programs tell a drop by one comparison; the asserts
 * after the enum hold every entry to that.
 *
 * X(ID, index, VERDICT, "name", "description") */
#define PODLANE_REASONS(X)                                                                         \
	X(FWD_REMOTE, 0, FORWARD, "forwarded-remote",                                              \
	  "redirected out of the uplink toward the owning node")                                   \
	X(FWD_LOCAL, 1, FORWARD, "delivered-local", "delivered straight into a local pod")         \
	X(FWD_ROUTER, 2, FORWARD, "forwarded-router",                                              \
	  "router role: forwarded in BPF to the owning node")                                      \
	X(PASS_NOT_IPV4, 10, PASS, "pass-not-ipv4",                                                \
	  "not IPv4, nor IPv6 on a node with an IPv6 pod CIDR (ARP, LLDP, ...): left to the "      \
	  "kernel")                                                                                \
	X(PASS_VLAN, 11, PASS, "pass-vlan", "VLAN-tagged frame: left to the kernel")               \
	X(PASS_NO_ROUTE, 12, PASS, "pass-no-route",                                                \
	  "destination in no pod CIDR this program handles")                                       \
	X(PASS_TO_NODE, 13, PASS, "pass-to-node",                                                  \
	  "destination is the node itself or the pods' gateway")                                   \
	X(PASS_TTL_EXPIRED, 14, PASS, "pass-ttl-expired",                                          \
	  "TTL (IPv6: hop limit) <= 1: the kernel answers time-exceeded")                          \
	X(PASS_FRAG_NEEDED, 15, PASS, "pass-frag-needed",                                          \
	  "larger than the uplink MTU: the kernel answers fragmentation-needed (IPv6: packet too " \
	  "big)")                                                                                  \
	X(PASS_NO_CONFIG, 16, PASS, "pass-no-config",                                              \
	  "the agent has not written this node's config yet")                                      \
	X(PASS_NEIGH_UNKNOWN, 17, PASS, "pass-neigh-unknown",                                      \
	  "router: next hop's MAC not learned yet, the kernel resolves it")                        \
	X(PASS_BROADCAST, 18, PASS, "pass-broadcast", "multicast or broadcast destination")        \
	X(PASS_NO_ENDPOINT, 19, PASS, "pass-no-endpoint",                                          \
	  "this node's pod CIDR but no registered endpoint (e.g. a pod added while podlaned was "  \
	  "down): the kernel's route and the bridge deliver it")                                   \
	X(PASS_MALFORMED, 20, PASS, "pass-malformed",                                              \
	  "router: truncated or malformed frame, left to the kernel")                              \
	X(PASS_NO_PORT, 21, PASS, "pass-no-port",                                                  \
	  "router: the next hop's interface is not one the router forwards on")                    \
	X(PASS_FLOW_NEW, 22, PASS, "pass-flow-new",                                                \
	  "conntrack holds no established entry for this TCP/UDP flow (new flow, handshake, "      \
	  "first reply): netfilter decides")                                                       \
	X(PASS_FLOW_TRANSLATED, 23, PASS, "pass-flow-translated",                                  \
	  "the flow's conntrack entry translates it (Service DNAT, masquerade): the kernel "       \
	  "applies it")                                                                            \
	X(PASS_FLOW_UNTRACKED, 24, PASS, "pass-flow-untracked",                                    \
	  "not TCP/UDP (ICMP, ...) or a fragment: conntrack cannot be asked from BPF, the stack "  \
	  "decides")                                                                               \
	X(PASS_PEER_NOT_POD, 25, PASS, "pass-peer-not-pod",                                        \
	  "sent by no other node's pod (a node, an outside host): its replies go through the "     \
	  "stack, so this side does too")                                                          \
	X(PASS_NOT_FOR_HOST, 26, PASS, "pass-not-for-host",                                        \
	  "destination MAC is not this host's (PACKET_OTHERHOST, a group address): not routed, "   \
	  "as ip_rcv would not")                                                                   \
	X(PASS_IPV6_SCOPE, 27, PASS, "pass-ipv6-scope",                                            \
	  "IPv6 link-local or unspecified address (neighbour discovery, MLD, DAD): never routed, " \
	  "the kernel answers it")                                                                 \
	X(PASS_IPV6_EXTHDR, 28, PASS, "pass-ipv6-exthdr",                                          \
	  "IPv6 hop-by-hop options, or extension headers beyond the four the programs walk or "    \
	  "beyond the linear buffer: the kernel handles them")                                     \
	X(DROP_TRUNCATED_ETH, 30, DROP, "drop-truncated-eth", "shorter than an Ethernet header")   \
	X(DROP_TRUNCATED_IP, 31, DROP, "drop-truncated-ip",                                        \
	  "shorter than its IPv4 header, or than the header's total length")                       \
	X(DROP_BAD_IP_HEADER, 32, DROP, "drop-bad-ip-header",                                      \
	  "malformed IPv4 header (version, IHL or length)")                                        \
	X(DROP_REDIRECT_FAILED, 34, DROP, "drop-redirect-failed",                                  \
	  "the kernel refused the redirect")                                                       \
	X(DROP_NO_UPLINK, 35, DROP, "drop-no-uplink",                                              \
	  "the route names an interface that does not exist")                                      \
	X(DROP_SPOOFED_SOURCE, 36, DROP, "drop-spoofed-source",                                    \
	  "per-veth: the source is not the address of the pod whose veth sent it")                 \
	X(DROP_SOURCE_NOT_LOCAL_POD, 37, DROP, "drop-source-not-local-pod",                        \
	  "bridge: the source is outside this node's pod CIDR, or its gateway, network or "        \
	  "broadcast address")                                                                     \
	X(DROP_MARTIAN_SOURCE, 38, DROP, "drop-martian-source",                                    \
	  "uplink: source in 0/8, 127/8, multicast or the limited broadcast (IPv6: multicast, "    \
	  "loopback or IPv4-mapped)")                                                              \
	X(DROP_LOCAL_SOURCE_ON_UPLINK, 39, DROP, "drop-local-source-on-uplink",                    \
	  "uplink: source inside this node's own pod CIDR, which only its local pods use")         \
	X(DROP_BAD_IP_CHECKSUM, 40, DROP, "drop-bad-ip-checksum",                                  \
	  "IPv4 header checksum does not verify")                                                  \
	X(DROP_TRUNCATED_IPV6, 41, DROP, "drop-truncated-ipv6",                                    \
	  "shorter than its IPv6 header, or than the header's payload length")                     \
	X(DROP_BAD_IPV6_HEADER, 42, DROP, "drop-bad-ipv6-header",                                  \
	  "IPv6 frame whose header is not version 6")

enum podlane_verdict {
	PODLANE_VERDICT_FORWARD = 0, /* redirected by the program */
	PODLANE_VERDICT_PASS = 1,    /* left to the kernel's stack */
	PODLANE_VERDICT_DROP = 2,    /* dropped by the program */
};

#define PODLANE_REASON_ENUMERATOR(id, index, verdict, name, description) PODLANE_##id = index,
enum podlane_reason {
	PODLANE_REASON_FIRST_PASS = 10,
	PODLANE_REASON_FIRST_DROP = 30,
	PODLANE_REASON_MAX = 48, /* entries of the stats map (pl_stats_v2) */
	PODLANE_REASONS(PODLANE_REASON_ENUMERATOR)
};
#undef PODLANE_REASON_ENUMERATOR

/* Each reason indexes the stats map and sits in the range of its verdict. */
#define PODLANE_REASON_CHECK(id, index, verdict, name, description)                                \
	PODLANE_ASSERT(index < PODLANE_REASON_MAX, #id ": index beyond the stats map");            \
	PODLANE_ASSERT((PODLANE_VERDICT_##verdict == PODLANE_VERDICT_FORWARD) ==                   \
			       (index < PODLANE_REASON_FIRST_PASS),                                \
		       #id ": forwards, and only forwards, sit below PODLANE_REASON_FIRST_PASS");  \
	PODLANE_ASSERT((PODLANE_VERDICT_##verdict == PODLANE_VERDICT_DROP) ==                      \
			       (index >= PODLANE_REASON_FIRST_DROP),                               \
		       #id ": drops, and only drops, sit from PODLANE_REASON_FIRST_DROP on");
PODLANE_REASONS(PODLANE_REASON_CHECK)
#undef PODLANE_REASON_CHECK

struct podlane_stat_value {
	__u64 packets;
	__u64 bytes;
};

/* --- monitor: one-entry array, written by `podlanectl monitor` ----------- */
/* Off unless a reader holds it on: the reader renews until_ns every second,
 * so a reader that dies (kill -9) stops the events within seconds. Off, the
 * programs pay one lookup of an array map and one comparison per packet. */
enum podlane_monitor_types {
	PODLANE_MONITOR_FORWARD = 1u << 0,
	PODLANE_MONITOR_PASS = 1u << 1,
	PODLANE_MONITOR_DROP = 1u << 2,
};

struct podlane_monitor_config {
	__u64 until_ns;	    /* bpf_ktime_get_ns() clock; 0 or past: off */
	__u32 types;	    /* enum podlane_monitor_types */
	__u32 sample_every; /* one in N packets of the selected types; 0, 1: all */
	__u32 max_per_sec;  /* events per second per CPU; 0: no limit */
	__u32 pad;	    /* zero */
};

/* Per-CPU state of the rate limit (PODLANE_MAP_MONITOR_RATE). */
struct podlane_monitor_rate {
	__u64 window_ns;  /* start of the current one-second window */
	__u32 sent;	  /* events sent in it */
	__u32 suppressed; /* events the limit dropped since the last one sent */
};

/* One event in the ring buffer (PODLANE_MAP_EVENTS). */
struct podlane_event {
	__u64 ts_ns;	  /* bpf_ktime_get_ns() */
	__u32 ifindex;	  /* where the program ran */
	__u32 len;	  /* bytes of the packet */
	__u16 reason;	  /* enum podlane_reason */
	__u8 protocol;	  /* IPv4 protocol; 0 when not IPv4 */
	__u8 pad;	  /* zero */
	__be32 saddr;	  /* network order; 0 when not IPv4 */
	__be32 daddr;	  /* network order */
	__be16 sport;	  /* TCP/UDP ports, network order; 0 otherwise */
	__be16 dport;	  /* network order */
	__be32 next_hop;  /* forwards: the node (or, delivered, the pod) it went to */
	__u32 suppressed; /* events the rate limit dropped on this CPU before this one */
};

/* --- layout checks: no implicit padding, same on both sides -------------- */
PODLANE_ASSERT(sizeof(struct podlane_route_key) == 8, "route key layout");
PODLANE_ASSERT(sizeof(struct podlane_route_value) == 16, "route value layout");
PODLANE_ASSERT(sizeof(struct podlane_endpoint_key) == 4, "endpoint key layout");
PODLANE_ASSERT(sizeof(struct podlane_endpoint_value) == 20, "endpoint value layout");
PODLANE_ASSERT(sizeof(struct podlane_node_config) == 44, "node config layout");
PODLANE_ASSERT(sizeof(struct podlane_in6) == 16, "IPv6 address layout");
PODLANE_ASSERT(sizeof(struct podlane_route6_key) == 20, "IPv6 route key layout");
PODLANE_ASSERT(sizeof(struct podlane_route6_value) == 24, "IPv6 route value layout");
PODLANE_ASSERT(sizeof(struct podlane_endpoint6_key) == 16, "IPv6 endpoint key layout");
PODLANE_ASSERT(sizeof(struct podlane_node_config6) == 56, "IPv6 node config layout");
PODLANE_ASSERT(sizeof(struct podlane_neighbour_key) == 4, "neighbour key layout");
PODLANE_ASSERT(sizeof(struct podlane_neighbour_value) == 12, "neighbour value layout");
PODLANE_ASSERT(sizeof(struct podlane_stat_value) == 16, "stat value layout");
PODLANE_ASSERT(sizeof(struct podlane_router_port_key) == 4, "router port key layout");
PODLANE_ASSERT(sizeof(struct podlane_router_port_value) == 12, "router port value layout");
PODLANE_ASSERT(sizeof(struct podlane_src_exempt_key) == 12, "source exemption key layout");
PODLANE_ASSERT(sizeof(struct podlane_src_exempt_value) == 4, "source exemption value layout");
PODLANE_ASSERT(sizeof(struct podlane_monitor_config) == 24, "monitor config layout");
PODLANE_ASSERT(sizeof(struct podlane_monitor_rate) == 16, "monitor rate layout");
PODLANE_ASSERT(sizeof(struct podlane_event) == 40, "monitor event layout");

/* Field offsets: a reordered or resized field fails here, on both sides,
 * even where the total size happens to stay the same. */
#define PODLANE_ASSERT_OFFSET(type, field, offset)                                                 \
	PODLANE_ASSERT(__builtin_offsetof(struct type, field) == (offset),                         \
		       #type "." #field " offset")
PODLANE_ASSERT_OFFSET(podlane_route_key, prefixlen, 0);
PODLANE_ASSERT_OFFSET(podlane_route_key, prefix, 4);
PODLANE_ASSERT_OFFSET(podlane_route_value, node_ip, 0);
PODLANE_ASSERT_OFFSET(podlane_route_value, uplink_ifindex, 4);
PODLANE_ASSERT_OFFSET(podlane_route_value, flags, 8);
PODLANE_ASSERT_OFFSET(podlane_route_value, family, 12);
PODLANE_ASSERT_OFFSET(podlane_endpoint_key, pod_ip, 0);
PODLANE_ASSERT_OFFSET(podlane_endpoint_value, host_ifindex, 0);
PODLANE_ASSERT_OFFSET(podlane_endpoint_value, pod_mac, 4);
PODLANE_ASSERT_OFFSET(podlane_endpoint_value, host_mac, 10);
PODLANE_ASSERT_OFFSET(podlane_endpoint_value, flags, 16);
PODLANE_ASSERT_OFFSET(podlane_node_config, node_ip, 0);
PODLANE_ASSERT_OFFSET(podlane_node_config, gateway_ip, 4);
PODLANE_ASSERT_OFFSET(podlane_node_config, pod_cidr, 8);
PODLANE_ASSERT_OFFSET(podlane_node_config, pod_prefixlen, 12);
PODLANE_ASSERT_OFFSET(podlane_node_config, bridge_ifindex, 16);
PODLANE_ASSERT_OFFSET(podlane_node_config, uplink_ifindex, 20);
PODLANE_ASSERT_OFFSET(podlane_node_config, hostdev_ifindex, 24);
PODLANE_ASSERT_OFFSET(podlane_node_config, gateway_mac, 28);
PODLANE_ASSERT_OFFSET(podlane_node_config, role, 34);
PODLANE_ASSERT_OFFSET(podlane_node_config, flags, 36);
PODLANE_ASSERT_OFFSET(podlane_node_config, uplink_mtu, 40);
PODLANE_ASSERT_OFFSET(podlane_route6_key, prefixlen, 0);
PODLANE_ASSERT_OFFSET(podlane_route6_key, prefix, 4);
PODLANE_ASSERT_OFFSET(podlane_route6_value, node_ip, 0);
PODLANE_ASSERT_OFFSET(podlane_route6_value, uplink_ifindex, 16);
PODLANE_ASSERT_OFFSET(podlane_route6_value, flags, 20);
PODLANE_ASSERT_OFFSET(podlane_endpoint6_key, pod_ip, 0);
PODLANE_ASSERT_OFFSET(podlane_node_config6, node_ip, 0);
PODLANE_ASSERT_OFFSET(podlane_node_config6, gateway_ip, 16);
PODLANE_ASSERT_OFFSET(podlane_node_config6, pod_cidr, 32);
PODLANE_ASSERT_OFFSET(podlane_node_config6, pod_prefixlen, 48);
PODLANE_ASSERT_OFFSET(podlane_neighbour_key, ip, 0);
PODLANE_ASSERT_OFFSET(podlane_neighbour_value, mac, 0);
PODLANE_ASSERT_OFFSET(podlane_neighbour_value, pad, 6);
PODLANE_ASSERT_OFFSET(podlane_neighbour_value, ifindex, 8);
PODLANE_ASSERT_OFFSET(podlane_router_port_key, ifindex, 0);
PODLANE_ASSERT_OFFSET(podlane_router_port_value, mac, 0);
PODLANE_ASSERT_OFFSET(podlane_router_port_value, flags, 6);
PODLANE_ASSERT_OFFSET(podlane_router_port_value, mtu, 8);
PODLANE_ASSERT_OFFSET(podlane_src_exempt_key, ifindex, 0);
PODLANE_ASSERT_OFFSET(podlane_src_exempt_key, mac, 4);
PODLANE_ASSERT_OFFSET(podlane_src_exempt_key, pad, 10);
PODLANE_ASSERT_OFFSET(podlane_src_exempt_value, flags, 0);
PODLANE_ASSERT_OFFSET(podlane_stat_value, packets, 0);
PODLANE_ASSERT_OFFSET(podlane_stat_value, bytes, 8);
PODLANE_ASSERT_OFFSET(podlane_monitor_config, until_ns, 0);
PODLANE_ASSERT_OFFSET(podlane_monitor_config, types, 8);
PODLANE_ASSERT_OFFSET(podlane_monitor_config, sample_every, 12);
PODLANE_ASSERT_OFFSET(podlane_monitor_config, max_per_sec, 16);
PODLANE_ASSERT_OFFSET(podlane_event, ts_ns, 0);
PODLANE_ASSERT_OFFSET(podlane_event, ifindex, 8);
PODLANE_ASSERT_OFFSET(podlane_event, len, 12);
PODLANE_ASSERT_OFFSET(podlane_event, reason, 16);
PODLANE_ASSERT_OFFSET(podlane_event, protocol, 18);
PODLANE_ASSERT_OFFSET(podlane_event, saddr, 20);
PODLANE_ASSERT_OFFSET(podlane_event, daddr, 24);
PODLANE_ASSERT_OFFSET(podlane_event, sport, 28);
PODLANE_ASSERT_OFFSET(podlane_event, dport, 30);
PODLANE_ASSERT_OFFSET(podlane_event, next_hop, 32);
PODLANE_ASSERT_OFFSET(podlane_event, suppressed, 36);
#undef PODLANE_ASSERT_OFFSET

#endif /* PODLANE_ABI_MAPS_H */
