#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# Issue 16 item 6: a pod whose network namespace was deleted without CNI DEL
# leaves an endpoint whose veth is gone; another entry's ifindex now belongs
# to an interface with another MAC. podlaned must start anyway (it used to
# exit with ENODEV and crash-loop), remove both entries, say so, and keep the
# live pod.
# Usage: agent_stale_endpoints.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
pl_test_begin plstale "${1:?build dir}"
skip_unless_root_and jq

ns_add n1 n2 p1 p2
link_nodes_direct
node_config 1 "$(pl_node_list 2)"
start_podlaned 1 "$work/podlaned1.log"
wait_ready "$work/podlaned1.log" "podlaned on node1"

pl_wire_pod "$pin_root/node1" "$(ns n1)" "$(ns p1)" vgone1 10.244.1.10 10.244.1.1
pl_wire_pod "$pin_root/node1" "$(ns n1)" "$(ns p2)" vlive1 10.244.1.20 10.244.1.1
# An entry whose ifindex is a live veth with another MAC (reused ifindex).
"$build/tests/tools/pl-register-endpoint" "$pin_root/node1" 10.244.1.30 \
    "$(pl_link_field "$(ns n1)" vlive1 ifindex)" 0a:58:0a:f4:01:1e 02:00:00:00:00:99

stop_in_ns podlaned1
ip netns del "$(ns p1)" # the pod's veth goes with it, no CNI DEL
node_config 1 "$(pl_node_list 1)" # node2 left while podlaned was down
start_podlaned 1 "$work/podlaned1b.log"
wait_ready "$work/podlaned1b.log" "podlaned on node1 with a stale endpoint"

ips=$(ctl node1 endpoints list -o json | jq -r '[.endpoints[].podIp] | sort | join(" ")')
[ "$ips" = "10.244.1.20" ] || fail "endpoints after the start: '$ips', want only the live pod 10.244.1.20"
grep -q "endpoint 10.244.1.10 removed: its host veth interface #[0-9]* no longer exists" "$work/podlaned1b.log" \
    || fail "the removal of the gone veth's endpoint is not logged"
grep -q "endpoint 10.244.1.30 removed: .* with MAC" "$work/podlaned1b.log" \
    || fail "the removal of the mismatched endpoint is not logged"
grep -q "endpoints: 2 stale removed, 1 kept" "$work/podlaned1b.log" || fail "no count of removed endpoints"
in_ns n1 tc filter show dev vlive1 ingress | grep -q direct-action || fail "the live pod's veth lost its program"
# Issue 18: the whole comparison in one line.
start_line=$(grep -o "podlaned: start: .*" "$work/podlaned1b.log") || fail "no start line"
for part in "adopted 1 route, removed 1 stale route, updated 0, added 0" \
    "endpoints: 1 adopted, 2 stale removed, 0 registered from the IPAM store" \
    "neighbour entries: 0 kept, 1 stale removed" "3 programs attached" "0 pins of an older layout removed"; do
    grep -q -F "$part" <<< "$start_line" || fail "the start line lacks '$part': $start_line"
done
echo "ok: $start_line"
echo "ok: podlaned starts past stale endpoints, removes them, logs them, keeps the live pod"
