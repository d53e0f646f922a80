#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# podlaned --role router --datastore kubernetes, end to end against the fake
# API server (tests/datastore/fake_kube_apiserver.py, run in the router's
# namespace): the router's file lists no node, its routes map follows the
# Node objects (added, moved, deleted; a Node whose pod CIDR is outside the
# cluster CIDR is left out with a warning), and a restart while the API
# server is gone keeps every route and keeps following their next hops.
# Usage: router_datastore_kube.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/support/netns_test.sh
source "$(dirname "$0")/../support/netns_test.sh"
# shellcheck source=tests/support/router_test.sh
source "$(dirname "$0")/../support/router_test.sh"
here=$(cd "$(dirname "$0")" && pwd)
pl_test_begin plrk "${1:?build dir}"

skip_unless_root_and jq python3 curl
[ -x "$podlanectl" ] || skip "$podlanectl is not built"

# The router's interface: a veth on 192.160.1.0/24 whose peer sits in another
# namespace (no node answers there; only the routes map is checked).
ns_add r seg
ip -n "$(ns r)" link add eth0 type veth peer name port-r netns "$(ns seg)"
ip -n "$(ns r)" addr add 192.160.1.1/24 dev eth0
ip -n "$(ns r)" link set eth0 up
ip -n "$(ns seg)" link set port-r up

start_api() {
    # Its stdout says the port; its log goes to api.log.
    start_in_ns api r "$work/api.log" sh -c 'exec python3 "$1" s3cret > "$2"' sh \
        "$here/../datastore/fake_kube_apiserver.py" "$work/api.out"
    for _ in $(seq 100); do grep -q '^PORT ' "$work/api.out" 2> /dev/null && break; sleep 0.05; done
    port=$(awk '/^PORT /{print $2}' "$work/api.out")
    [ -n "$port" ] || fail "the fake API server did not start"
}
control() { # WHAT JSON
    in_ns r curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$port/_control/$1" > /dev/null ||
        fail "fake API: $1 $2"
}
start_api
cat > "$work/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "http://127.0.0.1:$port"}
contexts:
- name: router@fake
  context: {cluster: fake, user: router}
current-context: router@fake
users:
- name: router
  user: {token: s3cret}
YAML
control upsert '{"name": "node1", "ip": "192.160.1.11", "cidr": "10.244.1.0/24"}'
control upsert '{"name": "node2", "ip": "192.160.1.12", "cidr": "10.244.2.0/24"}'
control upsert '{"name": "stray", "ip": "192.160.1.19", "cidr": "10.99.0.0/24"}'

router_config '["eth0"]' "" '"clusterCIDR": "10.244.0.0/16"'
# "10.244.1.0/24=192.160.1.11 ..." sorted: the routes map as text.
routes() {
    ctl router routes list -o json 2> /dev/null |
        jq -r '[.routes[] | "\(.cidr)=\(.nodeIp)"] | sort | join(" ")'
}
routes_become() { # WANT WHAT
    local got=""
    for _ in $(seq 100); do
        got=$(routes)
        [ "$got" = "$1" ] && return 0
        sleep 0.05
    done
    fail "$2: routes are '$got', want '$1'"
}

# --- the Node objects become routes; the stray one does not
start_router "$work/router.log" --hook tc --datastore kubernetes --kubeconfig "$work/kubeconfig"
routes_become "10.244.1.0/24=192.160.1.11 10.244.2.0/24=192.160.1.12" "listed nodes"
grep -q "warning: node stray is not routed: pod CIDR 10.99.0.0/24 is outside clusterCIDR" "$work/router.log" ||
    fail "the stray node's warning is missing"
refused=$(ctl router status -o json 2> /dev/null | jq -r '[.agent.refusedNodes[] | "\(.name)=\(.reason)"] | join(" ")')
[ "$refused" = "stray=pod-cidr-outside-cluster" ] || fail "podlanectl status shows refused nodes '$refused'"
echo "ok: the router's file lists no node; its routes are the Node objects' (the one outside clusterCIDR left out, with a warning)"

# --- watch: added, moved, deleted
control upsert '{"name": "node3", "ip": "192.160.1.13", "cidr": "10.244.3.0/24"}'
control upsert '{"name": "node2", "ip": "192.160.1.22", "cidr": "10.244.2.0/24"}'
control delete '{"name": "node1"}'
routes_become "10.244.2.0/24=192.160.1.22 10.244.3.0/24=192.160.1.13" "after add, move and delete"
echo "ok: Node added, moved and deleted: the router's routes follow without a restart"

# --- restart with the API server gone: nothing is lost
stop_router
stop_in_ns api
start_router "$work/router-restarted.log" --hook tc --datastore kubernetes --kubeconfig "$work/kubeconfig"
for _ in $(seq 50); do grep -q "unreachable" "$work/router-restarted.log" && break; sleep 0.1; done
grep -q "unreachable" "$work/router-restarted.log" || fail "the restarted router did not report the API server unreachable"
[ "$(routes)" = "10.244.2.0/24=192.160.1.22 10.244.3.0/24=192.160.1.13" ] ||
    fail "routes changed while the API server was gone: $(routes)"
# Its next hops are still followed: the nodes of those routes are resolved.
for _ in $(seq 50); do grep -q "neighbour 192.160.1.22 unknown: asking the kernel" "$work/router-restarted.log" && break; sleep 0.1; done
grep -q "neighbour 192.160.1.22 unknown: asking the kernel" "$work/router-restarted.log" ||
    fail "the restarted router stopped following its next hops' neighbours while the API server is gone"
echo "ok: restarted with the API server gone, the router keeps every route and keeps resolving their next hops"

