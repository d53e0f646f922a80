#!/usr/bin/env bash
# podlanectl against a real podlaned: two node namespaces joined by a veth,
# podlaned in each (pins under a throwaway pin root), one pod on node1.
# Prints what an operator would see, and checks status/routes/lookup/stats.
# Everything lives in namespaces this script creates; all removed on exit.
# Usage: smoke_with_podlaned.sh BUILD_DIR
set -euo pipefail
build=${1:?build dir}
podlaned="$build/loader/podlaned"
ctl="$build/maps-cli/podlanectl"
tag="plctl$$"
pin_root="/sys/fs/bpf/podlane-test/$tag"
work=$(mktemp -d)
pids=()
ns() { echo "$tag-$1"; }
cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    for n in n1 n2 p1; do ip netns del "$(ns $n)" 2>/dev/null; done
    rm -rf "$pin_root" "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$work"/*.log >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf

for n in n1 n2 p1; do ip netns add "$(ns $n)"; ip -n "$(ns $n)" link set lo up; done
ip -n "$(ns n1)" link add eth0 type veth peer name eth0 netns "$(ns n2)"
for i in 1 2; do
    ip -n "$(ns n$i)" addr add "192.160.1.1$i/24" dev eth0
    ip -n "$(ns n$i)" link set eth0 up
    cat > "$work/node$i.json" <<JSON
{"nodeName": "node$i", "nodeIP": "192.160.1.1$i", "uplink": "eth0", "pinRoot": "$pin_root",
 "nodes": [{"name": "node1", "nodeIP": "192.160.1.11", "podCIDR": "10.244.1.0/24"},
           {"name": "node2", "nodeIP": "192.160.1.12", "podCIDR": "10.244.2.0/24"}]}
JSON
    nsenter --net="/run/netns/$(ns "n$i")" "$podlaned" --config "$work/node$i.json" --run-dir "$work/run" > "$work/podlaned$i.log" 2>&1 &
    pids+=($!)
done
for i in 1 2; do
    for _ in $(seq 50); do grep -q ready "$work/podlaned$i.log" && break; sleep 0.1; done
    grep -q ready "$work/podlaned$i.log" || fail "podlaned on node$i did not become ready"
done

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
nsenter --net="/run/netns/$(ns n1)" ping -c 3 -i 0.2 -W 1 192.160.1.12 > /dev/null || fail "nodes cannot ping"
c --node node2 stats
c --node node2 stats -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert sum(r["packets"] for r in d["reasons"]) > 0, d' \
    || fail "no packet counted on node2's uplink"
c --node node1 routes del 10.250.0.0/16
# After --detach the node's maps are gone: one line, exit 2.
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null || true
nsenter --net="/run/netns/$(ns n2)" "$podlaned" --config "$work/node2.json" --run-dir "$work/run" --detach > "$work/detach.log" 2>&1 \
    || fail "podlaned --detach failed"
rc=0; out=$("$ctl" --pin-root "$pin_root" --run-root "$work/run" --node node2 status 2>&1) || rc=$?
echo "$out"
[ "$rc" = 2 ] || fail "status of a detached node: exit $rc, want 2"
echo "OK"
