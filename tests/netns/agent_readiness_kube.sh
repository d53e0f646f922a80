#!/usr/bin/env bash
# shellcheck disable=SC2154 # work, pin_root, podlaned...: set by pl_test_begin
# Issue 18 item 3, the readiness gate against the Kubernetes wire format: a
# real podlaned with --datastore kubernetes keeps its Node's
# NetworkUnavailable condition True while it cannot list the nodes (the
# routes to the others are not in), and sets it False once they are; the
# kubelet's own Ready condition is left alone. podlanectl status and
# /metrics say the same.
# Usage: agent_readiness_kube.sh BUILD_DIR
# shellcheck source=tests/support/netns_test.sh
set -euo pipefail
source "$(dirname "$0")/../support/netns_test.sh"
here=$(cd "$(dirname "$0")" && pwd)
pl_test_begin plrdy "${1:?build dir}"
skip_unless_root_and jq python3 curl

ns_add n1 n2
link_nodes_direct
start_in_ns api n1 "$work/api.log" sh -c 'exec python3 "$1" s3cret > "$2"' sh \
    "$here/../datastore/fake_kube_apiserver.py" "$work/api.out"
for _ in $(seq 100); do grep -q '^PORT ' "$work/api.out" 2> /dev/null && break; sleep 0.05; done
port=$(awk '/^PORT /{print $2}' "$work/api.out")
[ -n "$port" ] || fail "the fake API server did not start"
control() { # WHAT JSON
    in_ns n1 curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$port/_control/$1" \
        > /dev/null || fail "fake API: $1 $2"
}
condition() { # TYPE -> "status reason" of node1's condition
    in_ns n1 curl -sf "http://127.0.0.1:$port/_control/node?name=node1" |
        jq -r --arg t "$1" '.status.conditions[] | select(.type == $t) | "\(.status) \(.reason // "")"'
}
condition_becomes() { # WANT WHAT
    local got=""
    for _ in $(seq 200); do
        got=$(condition NetworkUnavailable)
        [ "$got" = "$1" ] && return 0
        sleep 0.05
    done
    fail "$2: NetworkUnavailable is '$got', want '$1'"
}
cat > "$work/kubeconfig" << YAML
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "http://127.0.0.1:$port"}
contexts:
- name: node1@fake
  context: {cluster: fake, user: node1}
current-context: node1@fake
users:
- name: node1
  user: {token: s3cret}
YAML
control upsert '{"name": "node1", "ip": "192.160.1.11", "cidr": "10.244.1.0/24"}'
control upsert '{"name": "node2", "ip": "192.160.1.12", "cidr": "10.244.2.0/24"}'
# The node list cannot be read yet (an API server behind a failing proxy):
# this node knows its own pod CIDR but not the others.
control answer '{"path": "/api/v1/nodes", "status": 500, "body": "{}"}'

node_config 1 "[]" '"clusterCIDR": "10.244.0.0/16"'
start_podlaned 1 "$work/podlaned1.log" --datastore kubernetes --kubeconfig "$work/kubeconfig" \
    --metrics-address 127.0.0.1:9965
wait_ready "$work/podlaned1.log" "podlaned on node1"
condition_becomes "True PodlaneNotReady" "before the first node list"
[ "$(ctl node1 status -o json | jq -r '.agent.networkReady')" = false ] || fail "status does not say not ready"
metrics() { in_ns n1 curl -sf http://127.0.0.1:9965/metrics; } # whole, then grep: no SIGPIPE under pipefail
grep -qx 'podlane_network_ready 0' <<< "$(metrics)" || fail "metrics: podlane_network_ready is not 0"
echo "ok: NetworkUnavailable True (PodlaneNotReady) while the other nodes' routes are not in"

control unanswer '{"path": "/api/v1/nodes"}'
condition_becomes "False PodlaneIsUp" "once the routes are in"
ctl node1 routes list -o json | jq -e 'any(.routes[]; .cidr == "10.244.2.0/24")' > /dev/null ||
    fail "NetworkUnavailable is False but node2's route is not in"
[ "$(condition Ready)" = "True " ] || fail "the kubelet's Ready condition was touched: $(condition Ready)"
status=$(ctl node1 status)
grep -q "network .*ready: 1 route to the other nodes and this node's pod CIDR 10.244.1.0/24 in place" <<< "$status" ||
    fail "podlanectl status does not show the readiness: $status"
grep -qx 'podlane_network_ready 1' <<< "$(metrics)" || fail "metrics: podlane_network_ready is not 1"
grep -q "network not ready: waiting for the first node list" "$work/podlaned1.log" || fail "no not-ready log line"
grep -q "network ready: " "$work/podlaned1.log" || fail "no ready log line"
echo "ok: NetworkUnavailable False (PodlaneIsUp) once node2's route is in; Ready untouched; status and metrics agree"

# A restart keeps the previous run's routes and forwards with them: the node
# must not be marked unavailable while the new run waits for its first list.
stop_in_ns podlaned1
control answer '{"path": "/api/v1/nodes", "status": 500, "body": "{}"}'
start_podlaned 1 "$work/podlaned1b.log" --datastore kubernetes --kubeconfig "$work/kubeconfig" \
    --metrics-address 127.0.0.1:9965
wait_ready "$work/podlaned1b.log" "podlaned on node1, restarted"
pl_wait_for_log "$work/podlaned1b.log" "routes of the previous run are kept" 10 ||
    fail "the restarted agent does not say it keeps the node's readiness"
sleep 1
[ "$(condition NetworkUnavailable)" = "False PodlaneIsUp" ] ||
    fail "a restart marked the node unavailable: $(condition NetworkUnavailable)"
control unanswer '{"path": "/api/v1/nodes"}'
pl_wait_for_log "$work/podlaned1b.log" "network ready: " 10 || fail "the restarted agent never became ready"
condition_becomes "False PodlaneIsUp" "after the restart's first list"
echo "ok: a restart leaves NetworkUnavailable False (the kept routes forward) while it waits for its first list"
