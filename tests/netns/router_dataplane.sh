#!/usr/bin/env bash
# The seed's central router, forwarded by podlane's router role (issue 7).
# A segment namespace with a bridge joins a router namespace (192.160.1.1)
# and three node namespaces (192.160.1.11-13) running podlaned with
# "routerIP" (one cluster-wide entry via the router, no per-node routes); one
# pod per node. The router has ip_forward OFF and no route to any pod CIDR,
# so only its BPF program can carry pod traffic between nodes.
#   1. TC hook (pods' checksum offload on): every pod reaches every pod
#      (ICMP and TCP), the router's forwarded-router counter proves it.
#   2. SIGTERM leaves the router attached; traffic keeps flowing.
#   3. XDP hook (restart with --hook xdp; pods' tx checksum offload off, as
#      a veth requires): every pod reaches every pod again, XDP counted.
#   4. A node added to the router's config gets its route without a restart.
#   5. --detach: pod traffic between nodes fails.
# Usage: router_dataplane.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
build=${1:?build dir}
podlaned="$build/loader/podlaned"
tag="plrt$$"
pin_root="/sys/fs/bpf/podlane-test/$tag"
work=$(mktemp -d)
pids=()
router_pid=""
nodes=(1 2 3)

ns() { echo "$tag-$1"; }
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

cleanup() {
    set +e
    [ -n "$router_pid" ] && kill "$router_pid" 2>/dev/null && wait "$router_pid" 2>/dev/null
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    for f in "$work"/iperf-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
    for n in seg r n1 n2 n3 p1 p2 p3; do ip netns del "$(ns $n)" 2>/dev/null; done
    rm -rf "$pin_root" "$work"
    rmdir "${pin_root%/*}" 2> /dev/null || true
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*" >&2
    for f in "$work"/*.log; do echo "--- $f"; tail -n 40 "$f"; done >&2
    {
        echo "--- router counters (non-zero)"
        bpftool -j map dump pinned "$pin_root/router/pl_stats_v1" 2> /dev/null |
            jq -c '.[] | .formatted | {reason: .key, packets: ([.values[].value.packets] | add)} | select(.packets > 0)'
        echo "--- router eth0 / segment port-r statistics (non-zero)"
        in_ns r ethtool -S eth0 2> /dev/null | grep -v ': 0$'
        in_ns seg ethtool -S port-r 2> /dev/null | grep -v ': 0$'
    } >&2 || true
    # PLRT_HOLD=SECONDS keeps the namespaces for a look before tearing down.
    [ -n "${PLRT_HOLD:-}" ] && { echo "holding $tag for ${PLRT_HOLD}s" >&2; sleep "$PLRT_HOLD"; }
    exit 1
}

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
for tool in iperf3 ethtool bpftool jq; do
    command -v "$tool" > /dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

# --- the segment: a bridge in its own namespace, one port per machine
for n in seg r n1 n2 n3 p1 p2 p3; do ip netns add "$(ns $n)"; ip -n "$(ns $n)" link set lo up; done
ip -n "$(ns seg)" link add br0 type bridge
ip -n "$(ns seg)" link set br0 up
plug() { # plug NS IFADDR PORTNAME
    ip -n "$(ns seg)" link add "$3" type veth peer name eth0 netns "$(ns "$1")"
    ip -n "$(ns seg)" link set "$3" master br0 up
    ip -n "$(ns "$1")" addr add "$2" dev eth0
    ip -n "$(ns "$1")" link set eth0 up
}
plug r 192.160.1.1/24 port-r
# XDP_TX out of a veth needs NAPI on the peer: an XDP program there (GRO on
# was not enough for XDP_TX on this kernel; see docs/router.md).
clang=$(command -v clang-14 || command -v clang) || { echo "SKIP: clang needed for the peer's XDP pass program"; exit 77; }
"$clang" -target bpf -O2 -idirafter "/usr/include/$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)" \
    -c "$(dirname "$0")/router_peer_pass.bpf.c" -o "$work/peer_pass.o"
ip -n "$(ns seg)" link set dev port-r xdp obj "$work/peer_pass.o" sec xdp
in_ns r sysctl -qw net.ipv4.ip_forward=0

node_list='[{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
            {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"},
            {"name": "node3", "nodeIP": "192.160.1.13", "podCIDR": "10.244.3.0/24"}]'
for i in "${nodes[@]}"; do
    plug "n$i" "192.160.1.1$i/24" "port-n$i"
    ip -n "$(ns n$i)" route add default via 192.160.1.1
    cat > "$work/node$i.json" <<JSON
{"nodeName": "node$i", "nodeIP": "192.160.1.1$i", "uplink": "eth0", "pinRoot": "$pin_root",
 "routerIP": "192.160.1.1", "nodes": $node_list}
JSON
    nsenter --net="/run/netns/$(ns n$i)" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" \
        > "$work/podlaned-node$i.log" 2>&1 &
    pids+=($!)
done
mkdir -p "$work/router"
cat > "$work/router/router.json" <<JSON
{"nodeName": "router", "nodeIP": "192.160.1.1", "interfaces": ["eth0"], "pinRoot": "$pin_root", "nodes": $node_list}
JSON

wait_ready() { # LOGFILE WHAT
    for _ in $(seq 100); do grep -q "podlaned: ready" "$1" && return 0; sleep 0.1; done
    fail "$2 did not become ready"
}
start_router() { # HOOK LOGNAME
    nsenter --net="/run/netns/$(ns r)" "$podlaned" --role router --hook "$1" --config "$work/router/router.json" \
        --run-dir "$work/run" > "$work/$2.log" 2>&1 &
    router_pid=$!
    wait_ready "$work/$2.log" "router ($1)"
}
stop_router() { kill "$router_pid"; wait "$router_pid" 2>/dev/null || true; router_pid=""; }

for i in "${nodes[@]}"; do wait_ready "$work/podlaned-node$i.log" "podlaned on node$i"; done

# --- one pod per node, wired as the CNI plugin would, registered in the endpoints map
for i in "${nodes[@]}"; do
    pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
    in_ns "p$i" iperf3 -s -D -p 5201 -I "$work/iperf-$i.pid" --logfile "$work/iperf-server$i.log"
done

# --- nobody holds per-node routes; the router's kernel cannot forward
[ "$(in_ns r sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "router has ip_forward on"
[ -z "$(ip -n "$(ns r)" route show | grep 10.244 || true)" ] || fail "router has a kernel route to a pod CIDR"
for i in "${nodes[@]}"; do
    for j in "${nodes[@]}"; do
        [ "$i" = "$j" ] && continue
        [ -z "$(ip -n "$(ns n$i)" route show "10.244.$j.0/24")" ] || fail "node$i has a kernel route for 10.244.$j.0/24"
    done
    routes=$(bpftool -j map dump pinned "$pin_root/node$i/pl_routes_v1" | jq length)
    [ "$routes" = 2 ] || fail "node$i holds $routes BPF routes, want 2 (its own CIDR + the cluster via the router)"
done

stat_of() { # PINDIR REASON -> packets summed over CPUs
    bpftool -j map lookup pinned "$1/pl_stats_v1" key "$2" 0 0 0 | jq '[.formatted.values[].value.packets] | add'
}
router_forwarded() { stat_of "$pin_root/router" 2; }

all_pairs() { # LABEL: ICMP and TCP from every pod to every other node's pod
    local i j
    for i in "${nodes[@]}"; do
        for j in "${nodes[@]}"; do
            [ "$i" = "$j" ] && continue
            in_ns "p$i" ping -c 1 -W 2 "10.244.$j.10" > "$work/ping.out" 2>&1 \
                || fail "$1: ping pod$i -> pod$j: $(cat "$work/ping.out")"
            in_ns "p$i" timeout 15 iperf3 -c "10.244.$j.10" -p 5201 -n 4M --connect-timeout 3000 > "$work/iperf-client.out" 2>&1 \
                || fail "$1: TCP pod$i -> pod$j: $(tail -n 5 "$work/iperf-client.out")"
        done
    done
}

# Nodes' first packets toward the router need its MAC, and the router needs
# the nodes': wait until the router has learned all three.
wait_neighbours() {
    for _ in $(seq 50); do
        n=$(bpftool -j map dump pinned "$pin_root/router/pl_neigh_v1" 2> /dev/null | jq length)
        [ "$n" = 3 ] && return 0
        sleep 0.1
    done
    fail "router learned $n of 3 node MACs"
}

# --- 1. TC hook, offload on
start_router tc router-tc
wait_neighbours
in_ns r tc filter show dev eth0 ingress | grep -q direct-action || fail "tc router program not on the router's eth0"
# eth0 is a veth whose peer is in the segment namespace: hairpinned frames go
# to the peer with bpf_redirect_peer.
flags=$(bpftool -j map dump pinned "$pin_root/router/pl_rtports_v1" | jq '.[0].formatted.value.flags')
[ "$flags" = 1 ] || fail "router port flags $flags, want 1 (veth peer in another namespace)"
before=$(router_forwarded)
all_pairs "tc hook"
fwd=$(( $(router_forwarded) - before ))
[ "$fwd" -gt 1000 ] || fail "tc hook: the router forwarded only $fwd packets in BPF"
echo "ok: tc hook, ip_forward off: all pods reach all pods (ICMP + TCP), $fwd packets forwarded by the router's TC program"

# podlanectl reads the router's maps like a node's (when it is built).
podlanectl="$build/maps-cli/podlanectl"
if [ -x "$podlanectl" ]; then
    ctl() { in_ns r "$podlanectl" --pin-root "$pin_root" --node router --run-root "$work/run" "$@"; }
    ctl status > "$work/ctl-status.out" 2>&1 || fail "podlanectl status on the router: $(cat "$work/ctl-status.out")"
    grep -qi "router" "$work/ctl-status.out" || fail "podlanectl status does not show the router role: $(cat "$work/ctl-status.out")"
    ctl stats > "$work/ctl-stats.out" 2>&1 || fail "podlanectl stats on the router: $(cat "$work/ctl-stats.out")"
    grep -q "forwarded-router" "$work/ctl-stats.out" || fail "podlanectl stats shows no forwarded-router: $(cat "$work/ctl-stats.out")"
    echo "ok: podlanectl status and stats work against the router's maps (role router, forwarded-router counted)"
fi

# --- 2. the router agent stops; the program stays
stop_router
before=$(router_forwarded)
in_ns p1 ping -c 2 -i 0.2 -W 2 10.244.3.10 > /dev/null || fail "traffic stopped when the router agent stopped"
[ "$(router_forwarded)" -gt "$before" ] || fail "router counters did not move while the agent was down"
echo "ok: SIGTERM leaves the router program attached; traffic keeps flowing"

# --- 3. XDP hook, pods' transmit checksum offload off
for i in "${nodes[@]}"; do in_ns "p$i" ethtool -K eth0 tx off > /dev/null 2>&1; done
start_router xdp router-xdp
ip -n "$(ns r)" link show eth0 | grep -q "xdp" || fail "no XDP program on the router's eth0"
[ -z "$(in_ns r tc filter show dev eth0 ingress)" ] || fail "tc filter left on the router's eth0 after switching to xdp"
before=$(router_forwarded)
all_pairs "xdp hook"
fwd=$(( $(router_forwarded) - before ))
[ "$fwd" -gt 1000 ] || fail "xdp hook: the router forwarded only $fwd packets in BPF"
echo "ok: xdp hook (pods' tx checksum offload off), ip_forward off: all pods reach all pods, $fwd packets forwarded by XDP"

# --- 4. a node joins the router's config: its route appears without a restart
python3 - "$work/router/router.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["nodes"].append({"name": "node4", "nodeIP": "192.160.1.14", "podCIDR": "10.244.4.0/24"})
open(p + ".tmp", "w").write(json.dumps(c))
PY
mv "$work/router/router.json.tmp" "$work/router/router.json"
for _ in $(seq 30); do
    [ "$(bpftool -j map dump pinned "$pin_root/router/pl_routes_v1" | jq length)" = 4 ] && break
    sleep 0.1
done
[ "$(bpftool -j map dump pinned "$pin_root/router/pl_routes_v1" | jq length)" = 4 ] || fail "router did not add node4's route on config change"
echo "ok: config change reconciled the router's routes without a restart"

# --- 5. detached: nothing else carries pod traffic between nodes
stop_router
in_ns r "$podlaned" --role router --config "$work/router/router.json" --run-dir "$work/run" --detach >> "$work/router-xdp.log" 2>&1
[ ! -e "$pin_root/router" ] || fail "router pins left after --detach"
if in_ns p1 ping -c 1 -W 1 10.244.2.10 > /dev/null 2>&1; then fail "pod traffic still crosses the router with its program detached"; fi
echo "ok: with the router detached (ip_forward off), pods on different nodes cannot reach each other"
