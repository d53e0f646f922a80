#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# podlanectl against a real podlaned: two node namespaces joined by a veth,
# podlaned in each (pins under a throwaway pin root), one pod on node1.
# Prints what an operator would see, and checks status/routes/lookup/stats.
# Everything lives in namespaces this script creates; all removed on exit.
# Usage: smoke_with_podlaned.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../tests/support/netns_test.sh"
pl_test_begin plctl "${1:?build dir}"
ctl="$podlanectl"
skip_unless_root_and python3

ns_add n1 n2 p1
link_nodes_direct
for i in 1 2; do
    node_config "$i" "$(pl_node_list 2)"
    start_podlaned "$i" "$work/podlaned$i.log"
done
for i in 1 2; do wait_ready "$work/podlaned$i.log" "podlaned on node$i"; done

# podlanectl runs in the machine's namespace: it finds each node's
# interfaces through the agent's namespace.
c() { echo "\$ podlanectl $*" >&2; "$ctl" --pin-root "$pin_root" --run-root "$work/run" "$@"; }

out=$(c routes list 2>&1) && fail "several nodes pinned, no --node: accepted" || true
echo "$out" | grep -q "node1, node2" || fail "several nodes not listed: $out"

c --node node1 status | tee "$work/status.txt"
grep -q "podlaned running" "$work/status.txt" || fail "agent not seen running"
grep -q "dataplane    loaded" "$work/status.txt" || fail "dataplane not loaded"
c --node node1 status -o json > "$work/status.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["dataplaneLoaded"], d; assert all(a["attached"] and a["programId"] for a in d["attachments"]), d["attachments"]' "$work/status.json" \
    || fail "status JSON: not every attachment confirmed"

c --node node1 routes list
c --node node1 routes list | grep -q "10.244.2.0/24  remote  192.160.1.12  eth0" || fail "route to node2 not shown with its uplink name"
c --node node1 routes add 10.250.0.0/16 via 192.160.1.12
c --node node1 routes add 10.250.0.0/16 via 192.160.1.12 --dev eth0 | grep -q replaced || fail "no 'replaced'"
c --node node1 lookup 10.244.2.7
c --node node1 lookup 10.244.2.7 | grep -q "forwarded in BPF to node 192.160.1.12 out of eth0" || fail "lookup"
c --node node1 lookup 10.244.1.10 --from uplink

# Traffic through the dataplane shows up in stats.
in_ns n1 ping -c 3 -i 0.2 -W 1 192.160.1.12 > /dev/null || fail "nodes cannot ping"
c --node node2 stats
c --node node2 stats -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert sum(r["packets"] for r in d["reasons"]) > 0, d' \
    || fail "no packet counted on node2's uplink"
c --node node1 routes del 10.250.0.0/16
# After --detach the node's maps are gone: one line, exit 2.
stop_in_ns podlaned2
in_ns n2 "$podlaned" --config "$work/node2.json" --run-dir "$work/run" --detach > "$work/detach.log" 2>&1 \
    || fail "podlaned --detach failed"
rc=0; out=$("$ctl" --pin-root "$pin_root" --run-root "$work/run" --node node2 status 2>&1) || rc=$?
echo "$out"
[ "$rc" = 2 ] || fail "status of a detached node: exit $rc, want 2"
echo "OK"
