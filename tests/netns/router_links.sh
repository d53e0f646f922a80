#!/usr/bin/env bash
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
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
build=${1:?build dir}
podlaned="$build/loader/podlaned"
tag="plrl$$"
pin_root="/sys/fs/bpf/podlane-test/$tag"
work=$(mktemp -d)
pids=()
router_pid=""

ns() { echo "$tag-$1"; }
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

cleanup() {
    set +e
    [ -n "$router_pid" ] && kill "$router_pid" 2> /dev/null && wait "$router_pid" 2> /dev/null
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; done
    for f in "$work"/iperf-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2> /dev/null; done
    for n in r n1 n2 p1 p2; do ip netns del "$(ns $n)" 2> /dev/null; done
    rm -rf "$pin_root" "$work"
    rmdir "${pin_root%/*}" 2> /dev/null || true
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/*.log; do echo "--- $f"; tail -n 30 "$f"; done >&2
    bpftool -j map dump pinned "$pin_root/router/pl_stats_v1" 2> /dev/null |
        jq -c '.[] | .formatted | {reason: .key, packets: ([.values[].value.packets] | add)} | select(.packets > 0)' >&2 || true
    exit 1
}

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for tool in iperf3 ethtool bpftool jq; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
clang=$(command -v clang-14 || command -v clang) || { echo "SKIP: clang needed for the peers' XDP pass program"; exit 77; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
"$clang" -target bpf -O2 -idirafter "/usr/include/$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)" \
    -c "$(dirname "$0")/router_peer_pass.bpf.c" -o "$work/peer_pass.o"

for n in r n1 n2 p1 p2; do ip netns add "$(ns $n)"; ip -n "$(ns $n)" link set lo up; done
in_ns r sysctl -qw net.ipv4.ip_forward=0
node_list='[{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
            {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"}]'
for i in 1 2; do
    ip -n "$(ns r)" link add "to-n$i" type veth peer name eth0 netns "$(ns "n$i")"
    ip -n "$(ns r)" addr add 192.160.1.1/32 peer "192.160.1.1$i/32" dev "to-n$i"
    ip -n "$(ns r)" link set "to-n$i" up
    ip -n "$(ns "n$i")" addr add "192.160.1.1$i/24" dev eth0
    ip -n "$(ns "n$i")" link set eth0 up
    ip -n "$(ns "n$i")" route add default via 192.160.1.1
    cat > "$work/node$i.json" <<JSON
{"nodeName": "node$i", "nodeIP": "192.160.1.1$i", "uplink": "eth0", "pinRoot": "$pin_root",
 "routerIP": "192.160.1.1", "nodes": $node_list}
JSON
    nsenter --net="/run/netns/$(ns "n$i")" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" \
        > "$work/podlaned-node$i.log" 2>&1 &
    pids+=($!)
done
mkdir -p "$work/router"
cat > "$work/router/router.json" <<JSON
{"nodeName": "router", "nodeIP": "192.160.1.1", "interfaces": ["to-n1", "to-n2"], "pinRoot": "$pin_root",
 "nodes": $node_list}
JSON

wait_ready() { # LOGFILE WHAT
    for _ in $(seq 100); do grep -q "podlaned: ready" "$1" && return 0; sleep 0.1; done
    fail "$2 did not become ready"
}
start_router() { # HOOK
    nsenter --net="/run/netns/$(ns r)" "$podlaned" --role router --hook "$1" --config "$work/router/router.json" \
        --run-dir "$work/run" > "$work/router-$1.log" 2>&1 &
    router_pid=$!
    wait_ready "$work/router-$1.log" "router ($1)"
}
stop_router() { kill "$router_pid"; wait "$router_pid" 2> /dev/null || true; router_pid=""; }
for i in 1 2; do wait_ready "$work/podlaned-node$i.log" "podlaned on node$i"; done

for i in 1 2; do
    pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
    in_ns "p$i" iperf3 -s -D -p 5201 -I "$work/iperf-$i.pid" --logfile "$work/iperf-server$i.log"
done

router_forwarded() {
    bpftool -j map lookup pinned "$pin_root/router/pl_stats_v1" key 2 0 0 0 | jq '[.formatted.values[].value.packets] | add'
}
both_ways() { # LABEL
    local i j
    for i in 1 2; do
        j=$((3 - i))
        in_ns "p$i" ping -c 1 -W 2 "10.244.$j.10" > "$work/ping.out" 2>&1 || fail "$1: ping pod$i -> pod$j: $(cat "$work/ping.out")"
        in_ns "p$i" timeout 15 iperf3 -c "10.244.$j.10" -p 5201 -n 4M --connect-timeout 3000 > "$work/iperf-client.out" 2>&1 ||
            fail "$1: TCP pod$i -> pod$j: $(tail -n 5 "$work/iperf-client.out")"
    done
}
wait_neighbours() {
    local n=0
    for _ in $(seq 50); do
        n=$(bpftool -j map dump pinned "$pin_root/router/pl_neigh_v1" 2> /dev/null | jq length)
        [ "$n" = 2 ] && return 0
        sleep 0.1
    done
    fail "router learned $n of 2 node MACs"
}

# --- 1. TC hook
start_router tc
wait_neighbours
# Each node is reached on its own link (found through the link's peer address).
want=$(for i in 1 2; do ip -n "$(ns r)" -o link show "to-n$i" | cut -d: -f1; done | jq -sc 'sort')
got=$(bpftool -j map dump pinned "$pin_root/router/pl_routes_v1" | jq -c '[.[].formatted.value.uplink_ifindex] | sort')
[ "$got" = "$want" ] || fail "routes leave by interfaces $got, want one per link $want"
flags=$(bpftool -j map dump pinned "$pin_root/router/pl_rtports_v1" | jq -c '[.[].formatted.value.flags]')
[ "$flags" = "[1,1]" ] || fail "router port flags $flags, want [1,1] (both veths' peers are in other namespaces)"
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
start_router xdp
for i in 1 2; do
    ip -n "$(ns r)" link show "to-n$i" | grep -q xdp || fail "no XDP program on the router's to-n$i"
done
before=$(router_forwarded)
both_ways "xdp hook"
fwd=$(($(router_forwarded) - before))
[ "$fwd" -gt 100 ] || fail "xdp hook: the router forwarded only $fwd packets in XDP"
echo "ok: xdp hook, one link per node: pods reach each other through XDP_REDIRECT (devmap), $fwd packets"
