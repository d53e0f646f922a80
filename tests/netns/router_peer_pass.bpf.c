// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* XDP_PASS, nothing else: attached to the segment-side peer of the router's
 * veth so that frames the router sends with XDP_TX are received there (a veth
 * takes XDP frames only when its peer runs NAPI; on this 6.18 kernel GRO on
 * the peer was not enough for XDP_TX, an XDP program is). Test/bench only. */
/* linux/bpf.h first: bpf_helpers.h uses its __u32/__u64 without including
 * it, and the C++ style's include sorting would put it second. */
// clang-format off
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
// clang-format on

SEC("xdp")
int podlane_peer_pass(struct xdp_md *ctx) {
    (void)ctx;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
