#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# Two node namespaces joined by a veth, podlaned on each, one pod per node.
# Cross-node pod TCP must work with NO kernel route for the remote pod CIDR,
# the dataplane counters must show BPF carried it, and after
# `podlaned --detach` the same traffic must fail.
# Usage: two_nodes_dataplane.sh BUILD_DIR [bridge|veth]
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
pl_test_begin pl2n "${1:?build dir}"
attach=${2:-bridge}
skip_unless_root_and iperf3 jq

ns_add n1 n2 p1 p2
link_nodes_direct
# A bad config is refused with the field named, and nothing is attached.
echo '{"nodeName": "node1", "nodeIP": "192.160.1.300", "uplink": "eth0", "podCIDR": "10.244.1.0/24"}' > "$work/bad.json"
if in_ns n1 "$podlaned" --config "$work/bad.json" > "$work/bad.log" 2>&1; then fail "podlaned accepted a bad nodeIP"; fi
grep -q "nodeIP" "$work/bad.log" || fail "error does not name nodeIP: $(cat "$work/bad.log")"
[ -z "$(ip -n "$(ns n1)" link show podlane0 2>/dev/null)" ] || fail "a refused config still created the bridge"
echo '{"nodeName": "node1", "nodeIP": "192.160.1.11", "uplink": "nosuch0", "podCIDR": "10.244.1.0/24"}' > "$work/bad.json"
if in_ns n1 "$podlaned" --config "$work/bad.json" > "$work/bad.log" 2>&1; then fail "podlaned started without its uplink"; fi
grep -q "uplink: interface 'nosuch0' does not exist" "$work/bad.log" || fail "missing uplink not explained: $(cat "$work/bad.log")"

for i in 1 2; do
    node_config "$i" "$(pl_node_list 2)"
    start_podlaned "$i" "$work/podlaned$i.log" --attach "$attach"
done
for i in 1 2; do wait_ready "$work/podlaned$i.log" "podlaned on node$i"; done

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

forwarded() { counter node1 forwarded-remote; }
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
stop_in_ns podlaned1
in_ns n1 ping -c 1 -W 2 10.244.2.10 > /dev/null || fail "traffic stopped while podlaned was down"
start_podlaned 1 "$work/podlaned1b.log" --attach "$attach"
wait_ready "$work/podlaned1b.log" "podlaned on node1 (restarted)"
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
    stop_in_ns "podlaned$i"
    in_ns "n$i" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" --detach 2>> "$work/podlaned$i.log"
done
if tcp_ok; then fail "cross-node pod TCP still works with the dataplane detached: something else carries it"; fi
echo "ok: with the dataplane detached, cross-node pod TCP fails"
