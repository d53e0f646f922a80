#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# Side-by-side measurement of the dataplane's design choices on two node
# namespaces (one pod each), interleaved so machine noise hits every variant
# alike: the pod side's next hop (bpf_redirect_neigh vs bpf_fib_lookup), its
# attach point (bridge vs each pod veth), against plain kernel routes.
# Prints a markdown table: sockperf ping-pong latency (p50, p99, avg) pod->pod.
# Usage: bench/choices/run.sh BUILD_DIR [ROUNDS] [SECONDS]
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../../tests/support/netns_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../../tests/support/register_endpoint.sh"
pl_test_begin plch "${1:?build dir}" # KEEP=1 keeps the namespaces
rounds=${2:-5}
secs=${3:-3}

stop_agents() { for i in 1 2; do stop_in_ns "podlaned$i"; done; }
skip_unless_root_and sockperf

ns_add n1 n2 p1 p2
link_nodes_direct
for i in 1 2; do
    node=$(ns "n$i") pod=$(ns "p$i")
    ip -n "$node" link add podlane0 type bridge
    ip -n "$node" addr add "10.244.$i.1/24" dev podlane0
    ip -n "$node" link set podlane0 up
    ip -n "$node" link add "vpod$i" type veth peer name eth0 netns "$pod"
    ip -n "$node" link set "vpod$i" master podlane0 up
    ip -n "$pod" addr add "10.244.$i.10/24" dev eth0
    ip -n "$pod" link set eth0 up
    ip -n "$pod" route add default via "10.244.$i.1"
    in_ns "n$i" sysctl -qw net.ipv4.ip_forward=1
    node_config "$i" "$(pl_node_list 2)"
done

register_endpoints() {
    for i in 1 2; do
        pl_register_endpoint "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10"
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
        rm -f "$work/agent$i.log"
        start_podlaned "$i" "$work/agent$i.log" --attach "$attach" --next-hop "$next_hop"
    done
    for i in 1 2; do pl_wait_for_log "$work/agent$i.log" ready 5 || true; done
    register_endpoints
    if [ "$attach" = veth ]; then
        for i in 1 2; do
            in_ns "n$i" tc qdisc replace dev "vpod$i" clsact
            in_ns "n$i" tc filter replace dev "vpod$i" ingress handle 1 pref 1 bpf da pinned "$pin_root/node$i/prog_from_pod"
        done
    fi
}

start_in_ns sockperf-server p2 "$work/server.log" sockperf server --tcp -i 10.244.2.10 -p 11111
sleep 0.5

variants=(kernel bridge-neigh bridge-fib veth-neigh)
results="$work/results"
for round in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
        configure "$v"
        in_ns p1 ping -c 3 -W 1 10.244.2.10 > /dev/null || { echo "variant $v: no connectivity" >&2; cat "$work"/agent*.log >&2; for i in 1 2; do ctl "node$i" stats; done >&2; exit 1; }
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
