#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# Issue 16 item 7: the uplink deleted and created again under its name (new
# ifindex) used to blackhole all cross-node pod traffic (drop-no-uplink,
# nothing logged) until podlaned restarted. podlaned must notice it, attach
# its program to the new uplink, rewrite the config map and the routes, and
# say so; cross-node pod traffic works again within a few seconds, through
# BPF.
# Usage: agent_uplink_recreated.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/register_endpoint.sh
source "$(dirname "$0")/../support/register_endpoint.sh"
pl_test_begin plupl "${1:?build dir}"
skip_unless_root_and jq

test_diagnostics() {
    local i
    for i in 1 2; do
        ctl "node$i" stats
        in_ns "n$i" ip route
        in_ns "n$i" tc filter show dev eth0 ingress
    done
}

ns_add n1 n2 p1 p2
link_nodes_direct
for i in 1 2; do
    node_config "$i" "$(pl_node_list 2)"
    start_podlaned "$i" "$work/podlaned$i.log"
done
for i in 1 2; do
    wait_ready "$work/podlaned$i.log" "podlaned on node$i"
    pl_wire_pod "$pin_root/node$i" "$(ns "n$i")" "$(ns "p$i")" "vpod$i" "10.244.$i.10" "10.244.$i.1"
    in_ns "n$i" tc qdisc add dev "vpod$i" clsact # what the plugin does on ADD in per-veth mode
    in_ns "n$i" tc filter add dev "vpod$i" ingress handle 1 pref 1 bpf da pinned "$pin_root/node$i/prog_from_pod"
done
in_ns p1 ping -c 1 -W 2 10.244.2.10 > /dev/null || fail "cross-node ping failed before the uplink was re-created"

# Deleting one end of the veth deletes both: each node gets a new eth0.
old=$(pl_link_field "$(ns n1)" eth0 ifindex)
in_ns n1 ip link del eth0
link_nodes_direct
[ "$(pl_link_field "$(ns n1)" eth0 ifindex)" != "$old" ] || fail "the re-created uplink kept its ifindex"

before=$(counter node1 forwarded-remote)
ok=""
for _ in $(seq 10); do
    if in_ns p1 ping -c 1 -W 1 10.244.2.10 > /dev/null; then
        ok=1
        break
    fi
done
[ -n "$ok" ] || fail "cross-node ping does not work again after the uplink was re-created"
[ "$(counter node1 forwarded-remote)" -gt "$before" ] || fail "the ping after the re-creation did not take the BPF path"
for i in 1 2; do
    grep -q "uplink eth0 re-created (ifindex [0-9]* -> [0-9]*)" "$work/podlaned$i.log" \
        || fail "podlaned on node$i did not log the re-created uplink"
    grep -q "uplink eth0 followed: tc program on ifindex $(pl_link_field "$(ns "n$i")" eth0 ifindex), 2 routes moved" \
        "$work/podlaned$i.log" || fail "podlaned on node$i did not log that it followed the uplink"
    grep -q "cluster route 10.244.0.0/16 via podlane_host restored" "$work/podlaned$i.log" \
        || fail "podlaned on node$i did not restore the cluster route lost with nodeIP"
    in_ns "n$i" tc filter show dev eth0 ingress | grep -q direct-action || fail "no program on node$i's new uplink"
    [ "$(ctl "node$i" status -o json | jq .config.uplink.ifindex)" = "$(pl_link_field "$(ns "n$i")" eth0 ifindex)" ] \
        || fail "node$i's config map does not name the new uplink"
done
echo "ok: a re-created uplink is followed: program attached, config and routes rewritten, traffic back via BPF"

# The bridge re-created (as the plugin's next ADD would): podlaned gives it the
# gateway address and MAC again and rewrites the config map's bridge ifindex.
in_ns n1 ip link del podlane0
in_ns n1 ip link add podlane0 type bridge
in_ns n1 ip link set vpod1 master podlane0
ok=""
for _ in $(seq 10); do
    if in_ns p1 ping -c 1 -W 1 10.244.2.10 > /dev/null; then
        ok=1
        break
    fi
done
[ -n "$ok" ] || fail "cross-node ping does not work again after the bridge was re-created"
grep -q "bridge podlane0 re-created (ifindex [0-9]* -> $(pl_link_field "$(ns n1)" podlane0 ifindex))" \
    "$work/podlaned1.log" || fail "podlaned on node1 did not follow the re-created bridge"
[ "$(ip -n "$(ns n1)" -o link show podlane0 | grep -o 'link/ether [^ ]*')" = "link/ether 0a:58:0a:f4:01:01" ] \
    || fail "the re-created bridge did not get the pinned gateway MAC back"
[ "$(ctl node1 status -o json | jq .config.bridge.ifindex)" = "$(pl_link_field "$(ns n1)" podlane0 ifindex)" ] \
    || fail "node1's config map does not name the new bridge"
echo "ok: a re-created bridge is followed: gateway address and MAC back, config rewritten"
