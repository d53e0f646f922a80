#!/usr/bin/env bash
# Two node namespaces joined by a veth, podlaned on each, one pod per node.
# Cross-node pod TCP must work with NO kernel route for the remote pod CIDR,
# the dataplane counters must show BPF carried it, and after
# `podlaned --detach` the same traffic must fail.
# Usage: two_nodes_dataplane.sh BUILD_DIR [bridge|veth]
set -euo pipefail
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
build=${1:?build dir}
attach=${2:-bridge}
podlaned="$build/loader/podlaned"
tag="pl2n$$"
pin_root="/sys/fs/bpf/podlane-test/$tag"
work=$(mktemp -d)
pids=()

ns() { echo "$tag-$1"; }
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/run/netns/$n" "$@"; }

cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    for n in n1 n2 p1 p2; do ip netns del "$(ns $n)" 2>/dev/null; done
    rm -rf "$pin_root" "$work"
    rmdir "${pin_root%/*}" 2> /dev/null || true
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log; do echo "--- $f"; cat "$f"; done >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root"; exit 77; fi
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

for n in n1 n2 p1 p2; do ip netns add "$(ns $n)"; ip -n "$(ns $n)" link set lo up; done
ip -n "$(ns n1)" link add eth0 type veth peer name eth0 netns "$(ns n2)"
# A bad config is refused with the field named, and nothing is attached.
echo '{"nodeName": "node1", "nodeIP": "192.160.1.300", "uplink": "eth0", "podCIDR": "10.244.1.0/24"}' > "$work/bad.json"
if in_ns n1 "$podlaned" --config "$work/bad.json" > "$work/bad.log" 2>&1; then fail "podlaned accepted a bad nodeIP"; fi
grep -q "nodeIP" "$work/bad.log" || fail "error does not name nodeIP: $(cat "$work/bad.log")"
[ -z "$(ip -n "$(ns n1)" link show podlane0 2>/dev/null)" ] || fail "a refused config still created the bridge"
echo '{"nodeName": "node1", "nodeIP": "192.160.1.11", "uplink": "nosuch0", "podCIDR": "10.244.1.0/24"}' > "$work/bad.json"
if in_ns n1 "$podlaned" --config "$work/bad.json" > "$work/bad.log" 2>&1; then fail "podlaned started without its uplink"; fi
grep -q "uplink: interface 'nosuch0' does not exist" "$work/bad.log" || fail "missing uplink not explained: $(cat "$work/bad.log")"

for i in 1 2; do
    ip -n "$(ns n$i)" addr add "192.160.1.1$i/24" dev eth0
    ip -n "$(ns n$i)" link set eth0 up
    cat > "$work/node$i.json" <<JSON
{"nodeName": "node$i", "nodeIP": "192.160.1.1$i", "uplink": "eth0", "pinRoot": "$pin_root",
 "nodes": [{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
           {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"}]}
JSON
    nsenter --net="/run/netns/$(ns "n$i")" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" --attach "$attach" > "$work/podlaned$i.log" 2>&1 &
    pids+=($!)
done
for i in 1 2; do
    for _ in $(seq 50); do grep -q ready "$work/podlaned$i.log" && break; sleep 0.1; done
    grep -q ready "$work/podlaned$i.log" || fail "podlaned on node$i did not become ready"
done

# One pod per node, wired as the CNI plugin would, registered in the endpoints map.
for i in 1 2; do
    pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
    if [ "$attach" = veth ]; then # what the CNI plugin does on ADD in per-veth mode
        in_ns "n$i" tc qdisc add dev "vpod$i" clsact
        in_ns "n$i" tc filter add dev "vpod$i" ingress handle 1 pref 1 bpf da pinned "$pin_root/node$i/prog_from_pod"
    fi
done

# The gateway MAC is pinned (not the lowest port's): 0a:58 + the gateway IP.
[ "$(ip -n "$(ns n1)" -o link show podlane0 | grep -o 'link/ether [^ ]*')" = "link/ether 0a:58:0a:f4:01:01" ] \
    || fail "podlane0 does not carry the pinned gateway MAC"

for i in 1 2; do
    other=$((3 - i))
    [ -z "$(ip -n "$(ns n$i)" route show "10.244.$other.0/24")" ] || fail "node$i has a kernel route for 10.244.$other.0/24"
done

forwarded() { bpftool -j map lookup pinned "$pin_root/node1/pl_stats_v1" key 0 0 0 0 | jq '[.formatted.values[].value.packets] | add'; }
tcp_ok() { # server in pod2, client in pod1
    in_ns p2 iperf3 -s -1 -D -I "$work/iperf.pid" -p 5299 --logfile "$work/iperf-server.log"
    for _ in $(seq 20); do in_ns p2 ss -ltn | grep -q 5299 && break; sleep 0.1; done
    local rc=0
    in_ns p1 timeout 10 iperf3 -c 10.244.2.10 -p 5299 -t 1 --connect-timeout 2000 > "$work/iperf.log" 2>&1 || rc=$?
    [ -f "$work/iperf.pid" ] && kill "$(cat "$work/iperf.pid")" 2>/dev/null
    rm -f "$work/iperf.pid"
    return $rc
}

before=$(forwarded)
tcp_ok || fail "cross-node pod TCP failed with the dataplane attached"
after=$(forwarded)
[ $((after - before)) -gt 100 ] || fail "forwarded-remote grew by only $((after - before)): BPF did not carry the flow"
in_ns n1 ping -c 1 -W 2 10.244.2.10 > /dev/null || fail "node1 itself cannot reach the remote pod (host device path)"
echo "ok ($attach): TCP pod1 -> pod2 across nodes, $((after - before)) packets forwarded by BPF, no kernel route"

# ICMP errors from the other node reach the pod: TTL 2 expires at node2,
# whose kernel answers through its host device and the BPF path back.
in_ns p1 ping -c 1 -W 2 -t 2 10.244.2.10 > "$work/ttl.log" 2>&1 || true
grep -q "Time to live exceeded" "$work/ttl.log" || fail "time-exceeded from node2 did not reach pod1: $(cat "$work/ttl.log")"
echo "ok: ICMP time-exceeded from the remote node reaches the pod"

# Restart: the agent adopts the pinned maps, replaces its filters in place
# (never a second one) and the counters carry on.
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
in_ns n1 ping -c 1 -W 2 10.244.2.10 > /dev/null || fail "traffic stopped while podlaned was down"
nsenter --net="/run/netns/$(ns n1)" "$podlaned" --config "$work/node1.json" --run-dir "$work/run" --attach "$attach" > "$work/podlaned1b.log" 2>&1 &
pids[0]=$!
for _ in $(seq 50); do grep -q ready "$work/podlaned1b.log" && break; sleep 0.1; done
grep -q ready "$work/podlaned1b.log" || fail "podlaned on node1 did not restart"
hooked=(eth0)
if [ "$attach" = veth ]; then hooked+=(vpod1); else hooked+=(podlane0); fi
for dev in "${hooked[@]}"; do
    n=$(in_ns n1 tc filter show dev "$dev" ingress | grep -c "direct-action" || true)
    [ "$n" = 1 ] || fail "after a restart $dev ingress has $n podlane filters, want 1"
done
[ "$(forwarded)" -ge "$after" ] || fail "counters went backwards after restart: maps were not adopted"
tcp_ok || fail "cross-node pod TCP failed after podlaned restarted"
echo "ok: restart adopts maps, replaces filters in place (one per hook), traffic continues"

for i in 1 2; do
    kill "${pids[$((i - 1))]}"; wait "${pids[$((i - 1))]}" 2>/dev/null || true
    in_ns "n$i" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" --detach 2>> "$work/podlaned$i.log"
done
pids=()
if tcp_ok; then fail "cross-node pod TCP still works with the dataplane detached: something else carries it"; fi
echo "ok: with the dataplane detached, cross-node pod TCP fails"
