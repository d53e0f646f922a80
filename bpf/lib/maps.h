/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/* The node's maps. Pinned by name under the loader's pin root, so every
 * program object of one node shares them and they outlive the agent. */
#ifndef PODLANE_BPF_MAPS_H
#define PODLANE_BPF_MAPS_H

#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* the trie requires it */
	__uint(max_entries, PODLANE_ROUTES_MAX);
	__type(key, struct podlane_route_key);
	__type(value, struct podlane_route_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_routes_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PODLANE_ENDPOINTS_MAX);
	__type(key, struct podlane_endpoint_key);
	__type(value, struct podlane_endpoint_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_endpoints_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct podlane_node_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_config_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PODLANE_REASON_MAX);
	__type(key, __u32);
	__type(value, struct podlane_stat_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_stats_v2 SEC(".maps");

/* Pods exempt from the source check; see struct podlane_src_exempt_key. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PODLANE_SRC_EXEMPT_MAX);
	__type(key, struct podlane_src_exempt_key);
	__type(value, struct podlane_src_exempt_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_srcexempt_v1 SEC(".maps");

/* IPv6: the same roles, keyed by 16-byte addresses (abi/maps.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, PODLANE_ROUTES_MAX);
	__type(key, struct podlane_route6_key);
	__type(value, struct podlane_route6_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_routes6_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PODLANE_ENDPOINTS_MAX);
	__type(key, struct podlane_endpoint6_key);
	__type(value, struct podlane_endpoint_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_endpts6_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct podlane_node_config6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pl_config6_v1 SEC(".maps");

/* Valid only after the agent wrote the config; NULL means "not yet". */
static __always_inline const struct podlane_node_config *pl_config(void)
{
	__u32 zero = 0;
	const struct podlane_node_config *cfg = bpf_map_lookup_elem(&pl_config_v1, &zero);

	if (!cfg || !cfg->node_ip)
		return NULL;
	return cfg;
}

/* The node's IPv6 side, and its shared config beside it: NULL when the node
 * routes no IPv6 pods (or the agent has not written it yet). The agent
 * writes pl_config_v1 before pl_config6_v1, so a valid IPv6 config implies
 * the shared fields are there, also on an IPv6-only node (node_ip 0). */
static __always_inline const struct podlane_node_config6 *
pl_config6(const struct podlane_node_config **shared)
{
	__u32 zero = 0;
	const struct podlane_node_config6 *cfg6 = bpf_map_lookup_elem(&pl_config6_v1, &zero);

	if (!cfg6 || !cfg6->pod_prefixlen)
		return NULL;
	*shared = bpf_map_lookup_elem(&pl_config_v1, &zero);
	return *shared ? cfg6 : NULL;
}

static __always_inline bool pl_in6_equal(const struct podlane_in6 *a, const struct podlane_in6 *b)
{
	return a->words[0] == b->words[0] && a->words[1] == b->words[1] &&
	       a->words[2] == b->words[2] && a->words[3] == b->words[3];
}

/* Link-local (fe80::/10) or unspecified (::): neighbour discovery, MLD and
 * DAD live there; the kernel answers them and never routes them. */
static __always_inline bool pl_in6_link_scope(const struct podlane_in6 *a)
{
	if ((a->words[0] & bpf_htonl(0xFFC00000)) == bpf_htonl(0xFE800000))
		return true;
	return !(a->words[0] | a->words[1] | a->words[2] | a->words[3]);
}

static __always_inline bool pl_in6_multicast(const struct podlane_in6 *a)
{
	return (a->words[0] & bpf_htonl(0xFF000000)) == bpf_htonl(0xFF000000);
}

static __always_inline const struct podlane_route6_value *
pl_route6_lookup(const struct podlane_in6 *dst)
{
	struct podlane_route6_key key = {.prefixlen = 128, .prefix = *dst};

	return bpf_map_lookup_elem(&pl_routes6_v1, &key);
}

static __always_inline const struct podlane_endpoint_value *
pl_endpoint6_lookup(const struct podlane_in6 *dst)
{
	struct podlane_endpoint6_key key = {.pod_ip = *dst};

	return bpf_map_lookup_elem(&pl_endpts6_v1, &key);
}

/* Longest-prefix match of an IPv4 destination (network order). */
static __always_inline const struct podlane_route_value *pl_route_lookup(__be32 dst)
{
	struct podlane_route_key key = {.prefixlen = 32, .prefix = dst};

	return bpf_map_lookup_elem(&pl_routes_v1, &key);
}

static __always_inline const struct podlane_endpoint_value *pl_endpoint_lookup(__be32 dst)
{
	struct podlane_endpoint_key key = {.pod_ip = dst};

	return bpf_map_lookup_elem(&pl_endpoints_v1, &key);
}

#endif
