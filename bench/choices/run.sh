#!/usr/bin/env bash
# Side-by-side measurement of the dataplane's design choices on two node
# namespaces (one pod each), interleaved so machine noise hits every variant
# alike: the pod side's next hop (bpf_redirect_neigh vs bpf_fib_lookup), its
# attach point (bridge vs each pod veth), against plain kernel routes.
# Prints a markdown table: sockperf ping-pong latency (p50, p99, avg) pod->pod.
# Usage: bench/choices/run.sh BUILD_DIR [ROUNDS] [SECONDS]
set -euo pipefail
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../../tests/support/register_endpoint.sh"
build=${1:?build dir}
rounds=${2:-5}
secs=${3:-3}
podlaned="$build/loader/podlaned"
tag="plch$$"
pin_root="/sys/fs/bpf/podlane-test/$tag"
work=$(mktemp -d)
agent_pids=()
server_pid=""

ns() { echo "$tag-$1"; }
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

stop_agents() {
    for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    agent_pids=()
}
cleanup() {
    set +e
    stop_agents
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
    for n in n1 n2 p1 p2; do ip netns del "$(ns $n)" 2>/dev/null; done
    rm -rf "$pin_root" "$work"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

for n in n1 n2 p1 p2; do ip netns add "$(ns $n)"; ip -n "$(ns $n)" link set lo up; done
ip -n "$(ns n1)" link add eth0 type veth peer name eth0 netns "$(ns n2)"
for i in 1 2; do
    node=$(ns "n$i") pod=$(ns "p$i")
    ip -n "$node" addr add "192.160.1.1$i/24" dev eth0
    ip -n "$node" link set eth0 up
    ip -n "$node" link add podlane0 type bridge
    ip -n "$node" addr add "10.244.$i.1/24" dev podlane0
    ip -n "$node" link set podlane0 up
    ip -n "$node" link add "vpod$i" type veth peer name eth0 netns "$pod"
    ip -n "$node" link set "vpod$i" master podlane0 up
    ip -n "$pod" addr add "10.244.$i.10/24" dev eth0
    ip -n "$pod" link set eth0 up
    ip -n "$pod" route add default via "10.244.$i.1"
    in_ns "n$i" sysctl -qw net.ipv4.ip_forward=1
    cat > "$work/node$i.json" <<JSON
{"nodeName": "node$i", "nodeIP": "192.160.1.1$i", "uplink": "eth0", "pinRoot": "$pin_root",
 "nodes": [{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
           {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"}]}
JSON
done

register_endpoints() {
    for i in 1 2; do
        pl_register_endpoint "$pin_root/node$i" "$(ns n$i)" "$(ns p$i)" "vpod$i" "10.244.$i.10"
    done
}

# variant: kernel | bridge-neigh | bridge-fib | veth-neigh
configure() {
    local variant=$1
    stop_agents
    for i in 1 2; do
        in_ns "n$i" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" --detach > /dev/null 2>&1 || true
        ip -n "$(ns n$i)" route del "10.244.$((3 - i)).0/24" 2>/dev/null || true
    done
    if [ "$variant" = kernel ]; then
        ip -n "$(ns n1)" route add 10.244.2.0/24 via 192.160.1.12
        ip -n "$(ns n2)" route add 10.244.1.0/24 via 192.160.1.11
        return
    fi
    local attach=${variant%-*} next_hop=${variant#*-}
    for i in 1 2; do
        nsenter --net="/run/netns/$(ns "n$i")" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" \
            --attach "$attach" --next-hop "$next_hop" > "$work/agent$i.log" 2>&1 &
        agent_pids+=($!)
    done
    for i in 1 2; do
        for _ in $(seq 50); do grep -q ready "$work/agent$i.log" && break; sleep 0.1; done
    done
    register_endpoints
    if [ "$attach" = veth ]; then
        for i in 1 2; do
            in_ns "n$i" tc qdisc replace dev "vpod$i" clsact
            in_ns "n$i" tc filter replace dev "vpod$i" ingress handle 1 pref 1 bpf da pinned "$pin_root/node$i/prog_from_pod"
        done
    fi
}

nsenter --net="/run/netns/$(ns p2)" sockperf server --tcp -i 10.244.2.10 -p 11111 > "$work/server.log" 2>&1 &
server_pid=$!
sleep 0.5

variants=(kernel bridge-neigh bridge-fib veth-neigh)
results="$work/results"
for round in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
        configure "$v"
        in_ns p1 ping -c 3 -W 1 10.244.2.10 > /dev/null || { echo "variant $v: no connectivity" >&2; cat "$work"/agent*.log >&2; for i in 1 2; do bpftool map dump pinned "$pin_root/node$i/pl_stats_v1" | grep -B3 -A3 "packets\": [1-9]" | head -40; done >&2; exit 1; }
        out=$(in_ns p1 sockperf ping-pong -i 10.244.2.10 -p 11111 --tcp -t "$secs" --full-rtt 2>&1)
        avg=$(echo "$out" | grep -o 'avg-rtt=[0-9.]*' | cut -d= -f2)
        p50=$(echo "$out" | grep 'percentile 50.000' | awk '{print $NF}')
        p99=$(echo "$out" | grep 'percentile 99.000' | awk '{print $NF}')
        echo "$v $round $avg $p50 $p99" >> "$results"
        echo "round $round $v: avg-rtt ${avg}us p50 ${p50}us p99 ${p99}us" >&2
    done
done

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
minmax() { sort -n | awk 'NR==1{min=$1} {max=$1} END {printf "%s-%s", min, max}'; }
base=$(awk '$1=="kernel"{print $3}' "$results" | median)
echo
echo "| variant (pod->pod cross-node, TCP ping-pong RTT, us) | p50 | p99 | avg (median of $rounds) | avg min-max | avg vs kernel routes |"
echo "|---|---|---|---|---|---|"
for v in "${variants[@]}"; do
    avg=$(awk -v v="$v" '$1==v{print $3}' "$results" | median)
    p50=$(awk -v v="$v" '$1==v{print $4}' "$results" | median)
    p99=$(awk -v v="$v" '$1==v{print $5}' "$results" | median)
    mm=$(awk -v v="$v" '$1==v{print $3}' "$results" | minmax)
    ratio=$(awk -v a="$avg" -v b="$base" 'BEGIN{printf "%.2f", a/b}')
    echo "| $v | $p50 | $p99 | $avg | $mm | ${ratio}x |"
done
