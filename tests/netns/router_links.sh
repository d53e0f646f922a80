#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# The router role with one link per node (issue 7: "XDP_REDIRECT to another
# interface through a devmap"). No shared segment: the router namespace holds
# one veth per node, each with a point-to-point address (192.160.1.1 peer the
# node's IP), so a packet from node1 leaves by the link to node2: never the
# interface it came in on.
#   1. TC hook: each link is found by its peer address, both ports are flagged
#      "veth peer", pods on the two nodes reach each other (ICMP and TCP) with
#      ip_forward off on the router, counted as forwarded-router.
#   2. XDP hook (the pods' transmit checksum offload off, as veths need): the
#      same, through XDP_REDIRECT and the devmap.
# Usage: router_links.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/router_test.sh
source "$(dirname "$0")/../support/router_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
pl_test_begin plrl "${1:?build dir}"
test_cleanup() { for f in "$work"/iperf-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2> /dev/null; done; }

skip_unless_root_and iperf3 ethtool jq
build_peer_pass

ns_add r n1 n2 p1 p2
in_ns r sysctl -qw net.ipv4.ip_forward=0
node_list=$(pl_node_list 2)
for i in 1 2; do
    link_router_to_node "$i"
    ip -n "$(ns "n$i")" route add default via 192.160.1.1
    node_config "$i" "$node_list" '"routerIP": "192.160.1.1"'
    start_podlaned "$i" "$work/podlaned-node$i.log"
done
router_config '["to-n1", "to-n2"]' "$node_list"
for i in 1 2; do wait_ready "$work/podlaned-node$i.log" "podlaned on node$i"; done

for i in 1 2; do
    pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
    in_ns "p$i" iperf3 -s -D -p 5201 -I "$work/iperf-$i.pid" --logfile "$work/iperf-server$i.log"
done

both_ways() { # LABEL
    local i j
    for i in 1 2; do
        j=$((3 - i))
        in_ns "p$i" ping -c 1 -W 2 "10.244.$j.10" > "$work/ping.out" 2>&1 || fail "$1: ping pod$i -> pod$j: $(cat "$work/ping.out")"
        in_ns "p$i" timeout 15 iperf3 -c "10.244.$j.10" -p 5201 -n 4M --connect-timeout 3000 > "$work/iperf-client.out" 2>&1 ||
            fail "$1: TCP pod$i -> pod$j: $(tail -n 5 "$work/iperf-client.out")"
    done
}

# --- 1. TC hook
start_router "$work/router-tc.log" --hook tc
wait_neighbours 2
# Each node is reached on its own link (found through the link's peer address).
want=$(for i in 1 2; do ip -n "$(ns r)" -o link show "to-n$i" | cut -d: -f1; done | jq -sc 'sort')
got=$(ctl router routes list -o json | jq -c '[.routes[].uplinkIfindex] | sort')
[ "$got" = "$want" ] || fail "routes leave by interfaces $got, want one per link $want"
flags=$(router_port_flags)
[ "$flags" = '[["veth-peer"],["veth-peer"]]' ] || fail "router port flags $flags, want veth-peer on both (both veths' peers are in other namespaces)"
[ -z "$(ip -n "$(ns r)" route show | grep 10.244 || true)" ] || fail "router has a kernel route to a pod CIDR"
before=$(router_forwarded)
both_ways "tc hook"
fwd=$(($(router_forwarded) - before))
[ "$fwd" -gt 100 ] || fail "tc hook: the router forwarded only $fwd packets in BPF"
echo "ok: tc hook, one link per node, ip_forward off: pods reach each other (ICMP + TCP), $fwd packets forwarded between links"
stop_router

# --- 2. XDP hook: XDP_REDIRECT through the devmap to the other link. The
# receiving veths need NAPI: an XDP pass program on each node's end.
for i in 1 2; do
    in_ns "p$i" ethtool -K eth0 tx off > /dev/null 2>&1
    ip -n "$(ns "n$i")" link set dev eth0 xdp obj "$work/peer_pass.o" sec xdp
done
start_router "$work/router-xdp.log" --hook xdp
for i in 1 2; do
    ip -n "$(ns r)" link show "to-n$i" | grep -q xdp || fail "no XDP program on the router's to-n$i"
done
before=$(router_forwarded)
both_ways "xdp hook"
fwd=$(($(router_forwarded) - before))
[ "$fwd" -gt 100 ] || fail "xdp hook: the router forwarded only $fwd packets in XDP"
echo "ok: xdp hook, one link per node: pods reach each other through XDP_REDIRECT (devmap), $fwd packets"
