#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# Issue 16 item 5b: a pod added by the CNI plugin while the node's maps are
# not pinned (podlaned not running yet) gets no endpoint, and traffic from
# other nodes to it used to miss the fast path for good. podlaned must find
# it in the plugin's IPAM store at start, register it (with the pod's MAC read
# from the veth peer in the pod's namespace), attach the pod-side program,
# and the pod is then reached from the other node through BPF.
# Usage: agent_rebuild_endpoints.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
pl_test_begin plrebuild "${1:?build dir}"
skip_unless_root_and iperf3 jq

test_diagnostics() {
    ctl node1 stats
    ctl node1 endpoints list
}
ns_add n1 n2 p1 p2
link_nodes_direct
for i in 1 2; do node_config "$i" "$(pl_node_list 2)"; done

# Node2 runs podlaned with a pod; node1 has no podlaned yet.
start_podlaned 2 "$work/podlaned2.log" --netfilter bypass
wait_ready "$work/podlaned2.log" "podlaned on node2"
pl_wire_pod "$pin_root/node2" "$(ns n2)" "$(ns p2)" vpod2 10.244.2.10 10.244.2.1
in_ns n2 tc qdisc add dev vpod2 clsact
in_ns n2 tc filter add dev vpod2 ingress handle 1 pref 1 bpf da pinned "$pin_root/node2/prog_from_pod"

# The plugin adds pod1 on node1: nothing is pinned there, so no endpoint.
cat > "$work/net.json" << JSON
{"cniVersion": "1.0.0", "name": "podlane", "type": "podlane", "nodeConfig": "$work/node1.json", "dataDir": "$work/ipam"}
JSON
in_ns n1 env CNI_COMMAND=ADD CNI_CONTAINERID=rebuild-c1 CNI_NETNS="/run/netns/$(ns p1)" CNI_IFNAME=eth0 \
    CNI_PATH=/nonexistent "$build/cni/podlane" < "$work/net.json" > "$work/add.json" 2> "$work/add.log" \
    || fail "CNI ADD failed: $(cat "$work/add.json")"
pod_ip=$(jq -r '.ips[0].address' "$work/add.json")
pod_ip=${pod_ip%/*}
[ -f "$work/ipam/podlane/$pod_ip" ] || fail "no reservation $work/ipam/podlane/$pod_ip after ADD"

# Bypass: every packet of the flow takes the fast path, so the counter shows
# the endpoint in use from the first one.
start_podlaned 1 "$work/podlaned1.log" --netfilter bypass --ipam-dir "$work/ipam/podlane"
wait_ready "$work/podlaned1.log" "podlaned on node1"
entry=$(ctl node1 endpoints list -o json | jq -c --arg ip "$pod_ip" '.endpoints[] | select(.podIp == $ip)')
[ -n "$entry" ] || fail "pod $pod_ip is not in node1's endpoints map after podlaned started"
[ "$(jq -r .podMac <<< "$entry")" = "$(pl_link_field "$(ns p1)" eth0 address)" ] \
    || fail "endpoint pod MAC $(jq -r .podMac <<< "$entry") is not the pod's eth0 MAC"
veth=$(in_ns n1 ip -j link show | jq -r --argjson i "$(jq .hostIfindex <<< "$entry")" '.[] | select(.ifindex == $i) | .ifname')
[ "$(jq -r .hostMac <<< "$entry")" = "$(pl_link_field "$(ns n1)" "$veth" address)" ] || fail "endpoint host MAC is wrong"
in_ns n1 tc filter show dev "$veth" ingress | grep -q direct-action || fail "no pod-side program on $veth"
grep -q "endpoints from the IPAM store $work/ipam/podlane: 1 pods of this boot, 1 registered" "$work/podlaned1.log" \
    || fail "no count line for the rebuilt endpoints"

# Pod2 (node2) -> pod1 (node1): an established TCP flow is delivered by BPF.
before=$(counter node1 delivered-local)
in_ns p1 iperf3 -s -1 -D -I "$work/iperf.pid" -p 5299 --logfile "$work/iperf-server.log"
for _ in $(seq 20); do in_ns p1 ss -ltn | grep -q 5299 && break; sleep 0.1; done
rc=0
in_ns p2 timeout 10 iperf3 -c "$pod_ip" -p 5299 -t 1 --connect-timeout 2000 > "$work/iperf.log" 2>&1 || rc=$?
[ -f "$work/iperf.pid" ] && kill "$(cat "$work/iperf.pid")" 2> /dev/null
[ "$rc" = 0 ] || fail "TCP from pod2 to the rebuilt pod failed"
after=$(counter node1 delivered-local)
[ $((after - before)) -gt 100 ] || fail "delivered-local grew by only $((after - before)): the fast path did not carry it"
echo "ok: a pod added while podlaned was down is registered at start and reached through BPF ($((after - before)) delivered)"
