// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
/* XDP_PASS, nothing else: attached to the segment-side peer of the router's
 * veth so that frames the router sends with XDP_TX are received there (a veth
 * takes XDP frames only when its peer runs NAPI; on this 6.18 kernel GRO on
 * the peer was not enough for XDP_TX, an XDP program is). Test/bench only. */
#include <bpf/bpf_helpers.h>
#include <linux/bpf.h>

SEC("xdp")
int podlane_peer_pass(struct xdp_md *ctx) {
    (void)ctx;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
