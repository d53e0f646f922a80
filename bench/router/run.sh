#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# The central router, side by side (issue 7): podlane's router role (XDP and
# TC hooks) against a kernel router (ip_forward on, pod routes in its table),
# on the namespace test's topology: a bridge segment, a router namespace
# (192.160.1.1) and two nodes running podlaned with "routerIP", one pod each.
# Only the router changes between variants; a "direct" variant (nodes route
# to each other, no router hop) is the baseline the router's cost is taken
# against. XDP needs the pods' transmit checksum offload off on veths, so the
# kernel router and the direct baseline are measured that way too.
#
# Per variant and round: sockperf TCP ping-pong pod1 -> pod2 (transactions/s
# = 1 / avg RTT, client and server pinned to one CPU) and iperf3 one TCP
# stream (Gbit/s); that CPU's softirq time (/proc/stat) during the ping-pong,
# per transaction. Router softirq per packet = (softirq per transaction - the
# direct baseline's) / 2 packets.
# Rounds interleave the variants; medians of ROUNDS. Prints a markdown table.
# TOPOLOGY "links" gives the router one veth per node instead of the shared
# segment (point-to-point addresses, no bridge): a forwarded packet leaves by
# another interface. There is no "direct" variant then (the nodes share no
# link), so no router-only CPU column: softirq per transaction is compared.
# Not a test: numbers on 2 vCPUs are noisy (see DATAPLANE-NOTES.md).
# Usage: bench/router/run.sh BUILD_DIR [ROUNDS=5] [SECONDS=4] [TOPOLOGY=segment|links]
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../../tests/support/netns_test.sh"
# shellcheck source=tests/support/router_test.sh
source "$(dirname "$0")/../../tests/support/router_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../../tests/support/register_endpoint.sh"
pl_test_begin plrtb "${1:?build dir}"
rounds=${2:-5}
secs=${3:-4}
topology=${4:-segment}
case $topology in segment | links) ;; *) echo "TOPOLOGY: segment or links, not '$topology'" >&2; exit 2 ;; esac
# The ping-pong client and server share one CPU: every transaction then runs
# start to end on it (veth hand-offs and NAPI are raised on the sending CPU),
# so that CPU's softirq time is the path's cost and wake-ups do not
# cross CPUs (which made latency bimodal, 11 vs 150 us, unpinned).
cpu=$(( $(nproc) - 1 ))
test_cleanup() { [ -f "$work/iperf.pid" ] && kill "$(cat "$work/iperf.pid")" 2> /dev/null; }

skip_unless_root_and sockperf iperf3 jq ethtool
build_peer_pass

# --- topology
ns_add r n1 n2 p1 p2
if [ "$topology" = segment ]; then
    segment_add
    plug r 192.160.1.1/24 port-r
    router_ifaces='["eth0"]'
else
    router_ifaces='["to-n1", "to-n2"]'
fi
link_node() { # I: node I's eth0, on the segment or on its own link to the router
    if [ "$topology" = segment ]; then
        plug "n$1" "192.160.1.1$1/24" "port-n$1"
    else
        link_router_to_node "$1"
    fi
}
# XDP_TX/XDP_REDIRECT into a veth needs NAPI on the receiving end: an XDP
# pass program on the peer(s) of the router's interface(s).
peer_xdp() { # on|off
    local dev ns_name
    for dev in port-r n1 n2; do
        if [ "$topology" = segment ]; then
            [ "$dev" = port-r ] || continue
            ns_name=$(ns seg)
        else
            [ "$dev" = port-r ] && continue
            ns_name=$(ns "$dev") dev=eth0
        fi
        if [ "$1" = on ]; then
            ip -n "$ns_name" link set dev "$dev" xdp obj "$work/peer_pass.o" sec xdp
        else
            ip -n "$ns_name" link set dev "$dev" xdp off 2> /dev/null || true
        fi
    done
}
node_list=$(pl_node_list 2)
nodes_via() { # I via-router|direct: node I's file; its agent reconciles on the change
    if [ "$2" = via-router ]; then
        node_config "$1" "$node_list" '"routerIP": "192.160.1.1"'
    else
        node_config "$1" "$node_list"
    fi
}
for i in 1 2; do
    link_node "$i"
    ip -n "$(ns n$i)" route add default via 192.160.1.1
    nodes_via "$i" via-router
    start_podlaned "$i" "$work/node$i.log"
done
router_config "$router_ifaces" "$node_list"
for i in 1 2; do pl_wait_for_log "$work/node$i.log" "podlaned: ready" 10 || true; done
for i in 1 2; do
    pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
done
start_in_ns sockperf-server p2 "$work/sockperf-server.log" taskset -c "$cpu" sockperf server --tcp -i 10.244.2.10 -p 11111
in_ns p2 iperf3 -s -D -p 5201 -I "$work/iperf.pid" --logfile "$work/iperf-server.log"

# --- variants: what the router (and, for "direct", the nodes) do
set_tx() { for i in 1 2; do in_ns "p$i" ethtool -K eth0 tx "$1" > /dev/null 2>&1; done; }
configure() {
    local v=$1
    stop_router
    in_ns r "$podlaned" --role router --config "$work/router/router.json" --run-dir "$work/run" --detach > /dev/null 2>&1 || true
    peer_xdp off
    in_ns r sysctl -qw net.ipv4.ip_forward=0
    for i in 1 2; do ip -n "$(ns r)" route del "10.244.$i.0/24" 2> /dev/null || true; done
    case $v in
    *-txoff) set_tx off ;;
    *) set_tx on ;;
    esac
    local mode=via-router
    case $v in
    direct*) mode=direct ;;
    kernel*)
        in_ns r sysctl -qw net.ipv4.ip_forward=1
        for i in 1 2; do ip -n "$(ns r)" route add "10.244.$i.0/24" via "192.160.1.1$i"; done
        ;;
    podlane-*)
        local hook=${v#podlane-}
        hook=${hook%-txoff}
        [ "$hook" = xdp ] && peer_xdp on
        rm -f "$work/router-$v.log"
        start_in_ns router r "$work/router-$v.log" "$podlaned" --role router --hook "$hook" \
            --config "$work/router/router.json" --run-dir "$work/run"
        pl_wait_for_log "$work/router-$v.log" "podlaned: ready" 10 || true
        ;;
    esac
    for i in 1 2; do nodes_via "$i" "$mode"; done
    sleep 0.5
    for _ in $(seq 20); do in_ns p1 ping -c 1 -W 1 10.244.2.10 > /dev/null 2>&1 && return 0; sleep 0.2; done
    echo "variant $v: no connectivity" >&2
    cat "$work"/*.log >&2
    exit 1
}

# softirq only: the forwarding (veth hand-off, backlog/NAPI, the router's
# receive and forward, in every variant) runs there, while the others'
# processes sharing the machine add sys time that would drown it.
cpu_ticks() { awk -v c="cpu$cpu" '$1==c{print $8}' /proc/stat; }
router_rx() { in_ns r ip -j -s link show | jq '[.[] | select(.ifname != "lo") | .stats64.rx.packets] | add'; }
hz=$(getconf CLK_TCK)

variants=(direct kernel podlane-tc direct-txoff kernel-txoff podlane-xdp-txoff)
[ "$topology" = links ] && variants=(kernel podlane-tc kernel-txoff podlane-xdp-txoff)
results="$work/results"
for round in $(seq "$rounds"); do
    for v in "${variants[@]}"; do
        configure "$v"
        c0=$(cpu_ticks) r0=$(router_rx)
        out=$(in_ns p1 taskset -c "$cpu" sockperf ping-pong -i 10.244.2.10 -p 11111 --tcp -t "$secs" --full-rtt 2>&1)
        c1=$(cpu_ticks) r1=$(router_rx)
        avg=$(echo "$out" | grep -o 'avg-rtt=[0-9.]*' | cut -d= -f2)
        txns=$(echo "$out" | grep -o 'ReceivedMessages=[0-9]*' | head -1 | cut -d= -f2)
        gbps=$(in_ns p1 iperf3 -c 10.244.2.10 -p 5201 -t "$secs" -J | jq '.end.sum_received.bits_per_second / 1e9')
        # ns of softirq per transaction; router packets per transaction
        cpu_ns=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v t="$txns" 'BEGIN{printf "%.0f", c * 1e9 / hz / t}')
        ppt=$(awk -v p=$((r1 - r0)) -v t="$txns" 'BEGIN{printf "%.2f", p / t}')
        tps=$(awk -v a="$avg" 'BEGIN{printf "%.0f", 1e6 / a}')
        echo "$v $round $tps $gbps $cpu_ns $ppt" >> "$results"
        echo "round $round $v: ${tps} txn/s (rtt ${avg}us), ${gbps} Gbit/s, ${cpu_ns} ns softirq/txn, ${ppt} router pkts/txn" >&2
    done
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v v="$1" -v c="$2" '$1==v{print $c}' "$results" | median; }
# Ratios are the median of per-round ratios (each round runs every variant
# back to back, so a round's machine load hits both sides of a ratio alike).
paired() { # VARIANT BASE COLUMN
    awk -v v="$1" -v b="$2" -v c="$3" '$1==v{x[$2]=$c} $1==b{y[$2]=$c} END{for (r in x) if (y[r] > 0) print x[r] / y[r]}' "$results" |
        median | awk '{printf "%.2fx", $1}'
}
spread() { awk -v v="$1" -v c="$2" '$1==v{print $c}' "$results" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END{printf "%.0f-%.0f", lo, hi}'; }
router_cpu() { awk -v a="$(col "$1" 5)" -v b="$(col "$2" 5)" 'BEGIN{printf "%.0f", (a - b) / 2}'; }
echo
echo "Router benchmark ($topology topology): pod1 -> pod2 through the router, medians of $rounds interleaved rounds, ${secs}s each ($(nproc) CPUs, kernel $(uname -r), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| variant | transactions/s (median, min-max) | vs kernel router | Gbit/s (1 TCP stream) | vs kernel router | softirq/txn (ns) | vs kernel router | router softirq/packet (ns, vs direct) | router pkts/txn |"
echo "|---|---|---|---|---|---|---|---|---|"
row() { # VARIANT KERNEL_VARIANT DIRECT_VARIANT
    local name=$1 rc="-"
    [ "$1" = "$3" ] && name="$1 (no router hop)"
    [ "$1" != "$3" ] && grep -q "^$3 " "$results" && rc=$(router_cpu "$1" "$3")
    echo "| $name | $(printf '%.0f' "$(col "$1" 3)") ($(spread "$1" 3)) | $(paired "$1" "$2" 3) | $(printf '%.2f' "$(col "$1" 4)") | $(paired "$1" "$2" 4) | $(printf '%.0f' "$(col "$1" 5)") | $(paired "$1" "$2" 5) | $rc | $(col "$1" 6) |"
}
for v in "${variants[@]}"; do
    case $v in *-txoff) row "$v" kernel-txoff direct-txoff ;; *) row "$v" kernel direct ;; esac
done
echo
echo "Router softirq/packet is the ping-pong CPU's softirq time per transaction minus the direct baseline's, halved"
echo "(two router packets per transaction); /proc/stat ticks are ${hz}Hz, so short runs are coarse."
